// Element-wise activation, softmax and binary ops, a vector at a time with a masked tail.
#include <cfloat>

#include "../common/thread_pool.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int64_t kEltwiseGrain = 1 << 14;

// Calls f(i, lanes) over [0, count): whole vectors, then one partial vector.
template <class F>
inline void for_each_vector(int64_t count, F f) {
    int64_t i = 0;
    for (; i + kLanes <= count; i += kLanes) f(i, kLanes);
    if (i < count) f(i, static_cast<int>(count - i));
}

}  // namespace

void activation_f32(const ActivationProblem &p) {
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        const float *src = p.src + begin;
        float *dst = p.dst + begin;
        for_each_vector(end - begin, [&](int64_t i, int lanes) {
            store_first(dst + i, activate(load_first(src + i, lanes), p.activation, p.alpha), lanes);
        });
    });
}

void activation_backward_f32(const ActivationBackwardProblem &p) {
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        for_each_vector(end - begin, [&](int64_t i, int lanes) {
            const int64_t at = begin + i;
            const Vec d = times_derivative(load_first(p.d_dst + at, lanes), load_first(p.from + at, lanes), p.activation,
                                           p.alpha);
            store_first(p.d_src + at, d, lanes);
        });
    });
}

void softmax_f32(const SoftmaxProblem &p) {
    parallel_for(p.rows, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const float *x = p.src + r * p.cols;
            float *y = p.dst + r * p.cols;
            Vec row_max = set1(-FLT_MAX);
            for_each_vector(p.cols, [&](int64_t i, int lanes) {
                row_max = max(row_max, load_or(x + i, first_lanes(lanes), row_max));
            });
            const Vec shift = set1(horizontal_max(row_max));
            Vec sum = zero();
            for_each_vector(p.cols, [&](int64_t i, int lanes) {
                const Vec e = keep(exp(load_first(x + i, lanes) - shift), first_lanes(lanes));
                store_first(y + i, e, lanes);
                sum = sum + e;
            });
            const Vec scale = set1(1.f / horizontal_sum(sum));
            for_each_vector(p.cols, [&](int64_t i, int lanes) { store_first(y + i, load_first(y + i, lanes) * scale, lanes); });
        }
    });
}

void binary_f32(const BinaryProblem &p) {
    const auto apply = [op = p.op](Vec a, Vec b) {
        return op == NRT_BINARY_ADD ? a + b : op == NRT_BINARY_MUL ? a * b : (a + b) * set1(0.5f);
    };
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        for_each_vector(end - begin, [&](int64_t i, int lanes) {
            const int64_t at = begin + i;
            store_first(p.dst + at, apply(load_first(p.a + at, lanes), load_first(p.b + at, lanes)), lanes);
        });
    });
}

}  // namespace NRT_SIMD
}  // namespace neurite

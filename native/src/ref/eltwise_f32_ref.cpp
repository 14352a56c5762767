#include <algorithm>
#include <cfloat>
#include <cmath>

#include "../common/activation.h"
#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

constexpr int64_t kEltwiseGrain = 1 << 14;

void activation_f32_ref(const ActivationProblem &p) {
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) p.dst[i] = activate(p.src[i], p.activation, p.alpha);
    });
}

void activation_backward_f32_ref(const ActivationBackwardProblem &p) {
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) p.d_src[i] = p.d_dst[i] * derivative(p.from[i], p.activation, p.alpha);
    });
}

void softmax_f32_ref(const SoftmaxProblem &p) {
    parallel_for(p.rows, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const float *x = p.src + r * p.cols;
            float *y = p.dst + r * p.cols;
            float max = -FLT_MAX;
            for (int c = 0; c < p.cols; ++c) max = x[c] > max ? x[c] : max;
            float sum = 0.f;
            for (int c = 0; c < p.cols; ++c) sum += (y[c] = std::exp(x[c] - max));
            const float scale = 1.f / sum;
            for (int c = 0; c < p.cols; ++c) y[c] *= scale;
        }
    });
}

void softmax_backward_f32_ref(const SoftmaxBackwardProblem &p) {
    parallel_for(p.rows, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const float *y = p.dst + r * p.cols, *dy = p.d_dst + r * p.cols;
            float *dx = p.d_src + r * p.cols;
            float dot = 0.f;
            for (int c = 0; c < p.cols; ++c) dot += dy[c] * y[c];
            for (int c = 0; c < p.cols; ++c) dx[c] = y[c] * (dy[c] - dot);
        }
    });
}

void dropout_mask_f32_ref(const DropoutProblem &p) {
    const float scale = 1.f / (1.f - p.rate);
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            uint64_t z = p.seed + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull;  // splitmix64
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            z ^= z >> 31;
            const float u = static_cast<float>(z >> 40) * (1.f / 16777216.f);
            p.mask[i] = u < p.rate ? 0.f : scale;
        }
    });
}

void binary_f32_ref(const BinaryProblem &p) {
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const float a = p.a[i], b = p.b[i];
            p.dst[i] = p.op == NRT_BINARY_ADD ? a + b : p.op == NRT_BINARY_MUL ? a * b : (a + b) * 0.5f;
        }
    });
}

}  // namespace neurite

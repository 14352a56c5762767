// Keras' optimizer updates over vectors: one pass over value, gradient and slots per step,
// the same arithmetic as optimizer_f32_ref.cpp.
#include "../common/thread_pool.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int64_t kOptimizerGrain = 1 << 14;

// One step's update of `lanes` elements at i, over the slots it uses. Masked loads and stores
// only for a partial vector: AVX2's masked store is slow on AMD (most of the update's time on Zen 4).
template <int kOptimizer, bool kPartial>
inline void update(const OptimizerProblem &p, int64_t i, int lanes) {
    const nrt_optimizer_step &s = p.step;
    const Mask m = first_lanes(lanes);
    auto read = [&](const float *at) { return kPartial ? load(at, m) : load(at); };
    auto write = [&](float *at, Vec v) { kPartial ? store(at, v, m) : store(at, v); };
    Vec g = read(p.gradient + i) * set1(s.gradient_scale);
    if (s.clip_value > 0.f) g = min(max(g, set1(-s.clip_value)), set1(s.clip_value));
    Vec w = read(p.value + i);
    w = w - w * set1(s.decay);
    const Vec lr = set1(s.learning_rate);
    if (kOptimizer == NRT_OPTIMIZER_SGD) {
        if (s.beta1 == 0.f) {
            w = w - lr * g;
        } else {
            const Vec momentum = set1(s.beta1);
            const Vec v = momentum * read(p.slot0 + i) - lr * g;
            write(p.slot0 + i, v);
            w = w + (s.nesterov ? momentum * v - lr * g : v);
        }
    } else if (kOptimizer == NRT_OPTIMIZER_ADAM) {
        Vec first = read(p.slot0 + i), second = read(p.slot1 + i);
        first = first + (g - first) * set1(1.f - s.beta1);
        second = second + (g * g - second) * set1(1.f - s.beta2);
        write(p.slot0 + i, first);
        write(p.slot1 + i, second);
        w = w - lr * first / (sqrt(second) + set1(s.epsilon));
    } else {
        const Vec rho = set1(s.beta1), rest = set1(1.f - s.beta1);
        const Vec velocity = rho * read(p.slot0 + i) + rest * g * g;
        write(p.slot0 + i, velocity);
        Vec denominator = velocity + set1(s.epsilon);
        if (s.centered) {
            const Vec mean = rho * read(p.slot2 + i) + rest * g;
            write(p.slot2 + i, mean);
            denominator = denominator - mean * mean;
        }
        const Vec increment = lr * g / sqrt(denominator);
        if (s.beta2 > 0.f) {
            const Vec momentum = set1(s.beta2) * read(p.slot1 + i) + increment;
            write(p.slot1 + i, momentum);
            w = w - momentum;
        } else {
            w = w - increment;
        }
    }
    write(p.value + i, w);
}

template <int kOptimizer>
void run(const OptimizerProblem &p) {
    parallel_for_elements(p.size, kOptimizerGrain, p.threads, [&](int64_t begin, int64_t end) {
        int64_t i = begin;
        for (; i + kLanes <= end; i += kLanes) update<kOptimizer, false>(p, i, kLanes);
        if (i < end) update<kOptimizer, true>(p, i, static_cast<int>(end - i));
    });
}

}  // namespace

void optimizer_update_f32(const OptimizerProblem &p) {
    switch (p.step.optimizer) {
    case NRT_OPTIMIZER_SGD: return run<NRT_OPTIMIZER_SGD>(p);
    case NRT_OPTIMIZER_ADAM: return run<NRT_OPTIMIZER_ADAM>(p);
    default: return run<NRT_OPTIMIZER_RMSPROP>(p);
    }
}

}  // namespace NRT_SIMD
}  // namespace neurite

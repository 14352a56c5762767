// Keras' optimizer updates over vectors: one pass over value, gradient and slots per step,
// the same arithmetic as optimizer_f32_ref.cpp.
#include "../common/thread_pool.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int64_t kOptimizerGrain = 1 << 14;

// One step's update of `lanes` elements at i, over the slots it uses.
template <int kOptimizer>
inline void update(const OptimizerProblem &p, int64_t i, int lanes) {
    const nrt_optimizer_step &s = p.step;
    const Mask m = first_lanes(lanes);
    Vec g = load(p.gradient + i, m) * set1(s.gradient_scale);
    if (s.clip_value > 0.f) g = min(max(g, set1(-s.clip_value)), set1(s.clip_value));
    Vec w = load(p.value + i, m);
    w = w - w * set1(s.decay);
    const Vec lr = set1(s.learning_rate);
    if (kOptimizer == NRT_OPTIMIZER_SGD) {
        if (s.beta1 == 0.f) {
            w = w - lr * g;
        } else {
            const Vec momentum = set1(s.beta1);
            const Vec v = momentum * load(p.slot0 + i, m) - lr * g;
            store(p.slot0 + i, v, m);
            w = w + (s.nesterov ? momentum * v - lr * g : v);
        }
    } else if (kOptimizer == NRT_OPTIMIZER_ADAM) {
        Vec first = load(p.slot0 + i, m), second = load(p.slot1 + i, m);
        first = first + (g - first) * set1(1.f - s.beta1);
        second = second + (g * g - second) * set1(1.f - s.beta2);
        store(p.slot0 + i, first, m);
        store(p.slot1 + i, second, m);
        w = w - lr * first / (sqrt(second) + set1(s.epsilon));
    } else {
        const Vec rho = set1(s.beta1), rest = set1(1.f - s.beta1);
        const Vec velocity = rho * load(p.slot0 + i, m) + rest * g * g;
        store(p.slot0 + i, velocity, m);
        Vec denominator = velocity + set1(s.epsilon);
        if (s.centered) {
            const Vec mean = rho * load(p.slot2 + i, m) + rest * g;
            store(p.slot2 + i, mean, m);
            denominator = denominator - mean * mean;
        }
        const Vec increment = lr * g / sqrt(denominator);
        if (s.beta2 > 0.f) {
            const Vec momentum = set1(s.beta2) * load(p.slot1 + i, m) + increment;
            store(p.slot1 + i, momentum, m);
            w = w - momentum;
        } else {
            w = w - increment;
        }
    }
    store(p.value + i, w, m);
}

template <int kOptimizer>
void run(const OptimizerProblem &p) {
    parallel_for_elements(p.size, kOptimizerGrain, p.threads, [&](int64_t begin, int64_t end) {
        int64_t i = begin;
        for (; i + kLanes <= end; i += kLanes) update<kOptimizer>(p, i, kLanes);
        if (i < end) update<kOptimizer>(p, i, static_cast<int>(end - i));
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

// Keras' optimizer updates over vectors: one pass over value, gradient and slots per step,
// the same arithmetic as optimizer_f32_ref.cpp.
#include "../common/gradient_spans.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

// One step's update of `lanes` elements at i, over the slots it uses; `gradient` points at
// element i's gradient, unused where kGradient is false (a zero gradient). Masked loads and
// stores only for a partial vector: AVX2's masked store is slow on AMD (most of the update's
// time on Zen 4).
template <int kOptimizer, bool kPartial, bool kGradient>
inline void update(const OptimizerProblem &p, int64_t i, int lanes, const float *gradient) {
    const nrt_optimizer_step &s = p.step;
    const Mask m = first_lanes(lanes);
    auto read = [&](const float *at) { return kPartial ? load(at, m) : load(at); };
    auto write = [&](float *at, Vec v) { kPartial ? store(at, v, m) : store(at, v); };
    Vec g = zero();
    if (kGradient) g = read(gradient) * set1(s.gradient_scale);
    if (s.clip_value > 0.f) g = min(max(g, set1(-s.clip_value)), set1(s.clip_value));
    Vec w = read(p.value + i);
    w = w - w * set1(s.decay);
    const Vec lr = set1(s.learning_rate);
    if (kOptimizer == NRT_OPTIMIZER_SGD) {
        if (s.beta1 == 0.f) {
            // Fused by hand: left to GCC, whole and partial vectors rounded apart (1 ulp), and
            // the tails of a row gradient's rows must round as the dense pass does.
            w = fnmadd(lr, g, w);
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

template <int kOptimizer, bool kGradient>
void update_span(const OptimizerProblem &p, int64_t begin, int64_t end, const float *gradient) {
    auto at = [&](int64_t i) { return kGradient ? gradient + (i - begin) : nullptr; };
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) update<kOptimizer, false, kGradient>(p, i, kLanes, at(i));
    if (i < end) update<kOptimizer, true, kGradient>(p, i, static_cast<int>(end - i), at(i));
}

template <int kOptimizer>
void run(const OptimizerProblem &p) {
    for_each_gradient_span(p, [&](int64_t begin, int64_t end, const float *gradient) {
        if (gradient != nullptr) update_span<kOptimizer, true>(p, begin, end, gradient);
        else update_span<kOptimizer, false>(p, begin, end, gradient);
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

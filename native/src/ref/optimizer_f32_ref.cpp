// Keras' optimizer updates, one element at a time; the x64 kernel is the same over vectors.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../common/gradient_spans.h"
#include "kernels_ref.h"

namespace neurite {

void optimizer_update_f32_ref(const OptimizerProblem &p) {
    const nrt_optimizer_step &s = p.step;
    for_each_gradient_span(p, [&](int64_t begin, int64_t end, const float *gradient) {
        for (int64_t i = begin; i < end; ++i) {
            float g = (gradient != nullptr ? gradient[i - begin] : 0.f) * s.gradient_scale;
            if (s.clip_value > 0.f) g = std::min(std::max(g, -s.clip_value), s.clip_value);
            float w = p.value[i];
            w -= w * s.decay;
            switch (s.optimizer) {
            case NRT_OPTIMIZER_SGD:
                if (s.beta1 == 0.f) {
                    w -= s.learning_rate * g;
                } else {
                    const float m = p.slot0[i] = s.beta1 * p.slot0[i] - s.learning_rate * g;
                    w += s.nesterov ? s.beta1 * m - s.learning_rate * g : m;
                }
                break;
            case NRT_OPTIMIZER_ADAM: {
                const float m = p.slot0[i] += (g - p.slot0[i]) * (1.f - s.beta1);
                const float v = p.slot1[i] += (g * g - p.slot1[i]) * (1.f - s.beta2);
                w -= s.learning_rate * m / (std::sqrt(v) + s.epsilon);
                break;
            }
            default: {  // RMSprop
                const float v = p.slot0[i] = s.beta1 * p.slot0[i] + (1.f - s.beta1) * g * g;
                float denominator = v + s.epsilon;
                if (s.centered) {
                    const float mean = p.slot2[i] = s.beta1 * p.slot2[i] + (1.f - s.beta1) * g;
                    denominator -= mean * mean;
                }
                const float increment = s.learning_rate * g / std::sqrt(denominator);
                if (s.beta2 > 0.f) w -= (p.slot1[i] = s.beta2 * p.slot1[i] + increment);
                else w -= increment;
            }
            }
            p.value[i] = w;
        }
    });
}

// Fixed chunks, each summed in order, then the chunk sums in order: no dependence on threads.
void sum_of_squares_f32_ref(const SumOfSquaresProblem &p) {
    const int64_t chunks = (p.size + kOptimizerGrain - 1) / kOptimizerGrain;
    std::vector<double> partial(static_cast<size_t>(chunks));
    parallel_for(chunks, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; ++k) {
            double sum = 0;
            for (int64_t i = k * kOptimizerGrain, stop = std::min(p.size, i + kOptimizerGrain); i < stop; ++i)
                sum += static_cast<double>(p.x[i]) * p.x[i];
            partial[k] = sum;
        }
    });
    double sum = 0;
    for (double s : partial) sum += s;
    p.sum[0] = sum;
}

}  // namespace neurite

// Scalar activations: the reference kernels' math and the vector kernels' tails.
#pragma once
#include <cmath>

#include "neurite.h"

namespace neurite {

inline float activate(float x, int activation, float alpha) {
    switch (activation) {
        // Written so that NaN falls through every comparison and comes out as NaN.
        case NRT_ACT_RELU: return x < 0.f ? 0.f : x;
        case NRT_ACT_RELU6: return x < 0.f ? 0.f : x > 6.f ? 6.f : x;
        case NRT_ACT_SIGMOID: return 1.f / (1.f + std::exp(-x));
        case NRT_ACT_TANH: return std::tanh(x);
        case NRT_ACT_LEAKY_RELU: return x > 0.f ? x : alpha * x;
        case NRT_ACT_GELU: return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752f));
        case NRT_ACT_EXPONENTIAL: return std::exp(x);
        default: return x;
    }
}

// Whether the derivative at a point follows from the activation's output there: not for
// GELU (not monotonic) nor a leaky ReLU with a negative slope (the output's sign no longer
// tells the side). Activation.derivativeFromOutput says the same in Java.
inline bool derivative_from_output(int activation, float alpha) {
    return activation != NRT_ACT_GELU && !(activation == NRT_ACT_LEAKY_RELU && alpha < 0.f);
}

// The derivative, from the output y = v where derivative_from_output allows, else the input x = v.
inline float derivative(float v, int activation, float alpha) {
    switch (activation) {
        case NRT_ACT_RELU: return v > 0.f ? 1.f : 0.f;
        case NRT_ACT_RELU6: return v > 0.f && v < 6.f ? 1.f : 0.f;
        case NRT_ACT_SIGMOID: return v * (1.f - v);
        case NRT_ACT_TANH: return 1.f - v * v;
        case NRT_ACT_LEAKY_RELU: return v > 0.f ? 1.f : alpha;
        case NRT_ACT_GELU:
            return 0.5f * (1.f + std::erf(v * 0.70710678118654752f)) + v * std::exp(-0.5f * v * v) * 0.39894228040143268f;
        case NRT_ACT_EXPONENTIAL: return v;
        default: return 1.f;
    }
}

inline bool valid_activation(int activation) { return activation >= NRT_ACT_NONE && activation <= NRT_ACT_EXPONENTIAL; }

}  // namespace neurite

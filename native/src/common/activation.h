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
        default: return x;
    }
}

inline bool valid_activation(int activation) { return activation >= NRT_ACT_NONE && activation <= NRT_ACT_GELU; }

}  // namespace neurite

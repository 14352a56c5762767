// Materialised padding for kernels that read whole windows without bounds checks.
#pragma once
#include <cstdint>

#include "problems.h"

namespace neurite {

// An NHWC image batch with `height` x `width` pixels of `channels` floats, where pixel
// (y, x) of the padded view is input pixel (y - pad_top, x - pad_left) or zero.
struct PaddedInput {
    const float *data;
    int64_t height, width;
};

// Every window a convolution reads lies inside the returned view. When the input already
// covers them all it is returned as is; otherwise a zero-padded copy is made in the calling
// thread's scratch.
PaddedInput pad_for_convolution(const Conv2dProblem &p);

}  // namespace neurite

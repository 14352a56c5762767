// The convolution gradients for other ops that reduce to them (dense is a 1x1 convolution).
#pragma once
#include "../common/problems.h"

namespace neurite {

// A dense layer [in] -> [out] as the 1x1 convolution over a 1x1 image that it is.
nrt_conv2d_desc dense_as_conv(int in, int out, int activation, float alpha);

// Run the best kernel the ISA cap allows; the problem must be valid.
void run_conv2d_backward_data(const Conv2dBackwardDataProblem &p);
void run_conv2d_backward_weights(const Conv2dBackwardWeightsProblem &p);

}  // namespace neurite

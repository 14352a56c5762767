// The convolution gradients for other ops that reduce to them (dense is a 1x1 convolution).
#pragma once
#include "../common/problems.h"

namespace neurite {

// Run the best kernel the ISA cap allows; the problem must be valid.
void run_conv2d_backward_data(const Conv2dBackwardDataProblem &p);
void run_conv2d_backward_weights(const Conv2dBackwardWeightsProblem &p);

}  // namespace neurite

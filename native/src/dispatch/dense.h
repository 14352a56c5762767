// The dense op for other ops that need a GEMM on packed weights (the RNN input projection).
#pragma once
#include "../common/problems.h"

namespace neurite {

int64_t dense_packed_size(const nrt_dense_desc &d);
void pack_dense_weights(const nrt_dense_desc &d, const float *weights, float *packed);
// Runs the best dense kernel the ISA cap allows; the problem must be valid.
void run_dense(const DenseProblem &p);

}  // namespace neurite

// AVX2+FMA kernels. Each .cpp here is compiled with -mavx2 -mfma (and nothing above); this
// header holds no intrinsics so that baseline code may include it for the dispatch lists.
#pragma once
#include "../../common/problems.h"

namespace neurite {
void conv2d_nhwc_direct_f32_avx2(const Conv2dProblem &p);
void depthwise_conv2d_nhwc_f32_avx2(const Conv2dProblem &p);
void pool2d_nhwc_f32_avx2(const Pool2dProblem &p);
void dense_sgemm_6x16_f32_avx2(const DenseProblem &p);
void activation_f32_avx2(const ActivationProblem &p);
void softmax_f32_avx2(const SoftmaxProblem &p);
void binary_f32_avx2(const BinaryProblem &p);
void simple_rnn_fwd_f32_avx2(const RnnProblem &p);
void lstm_fwd_f32_avx2(const RnnProblem &p);
void gru_fwd_f32_avx2(const RnnProblem &p);
}  // namespace neurite

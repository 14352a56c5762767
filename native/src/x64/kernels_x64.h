// The x64 kernels, each written once in this folder and compiled per ISA into namespaces
// avx2 and avx512 (see vec.h). This header holds no intrinsics, so baseline code may include
// it for the dispatch lists.
#pragma once
#include "../common/problems.h"

#define NRT_DECLARE_X64_KERNELS(isa)                              \
    namespace isa {                                               \
    void conv2d_nhwc_direct_f32(const Conv2dProblem &p);          \
    void conv2d_nhwc_winograd_f32(const Conv2dProblem &p);        \
    void conv2d_winograd_pack_f32(const WinogradPackProblem &p);  \
    void depthwise_conv2d_nhwc_f32(const Conv2dProblem &p);       \
    void pool2d_nhwc_f32(const Pool2dProblem &p);                 \
    void dense_sgemm_f32(const DenseProblem &p);                  \
    void activation_f32(const ActivationProblem &p);              \
    void activation_backward_f32(const ActivationBackwardProblem &p); \
    void conv2d_backward_weights_f32(const Conv2dBackwardWeightsProblem &p); \
    void conv2d_backward_weights_winograd_f32(const Conv2dBackwardWeightsProblem &p); \
    void pool2d_nhwc_training_f32(const Pool2dTrainingProblem &p); \
    void pool2d_nhwc_backward_f32(const Pool2dBackwardProblem &p); \
    void softmax_f32(const SoftmaxProblem &p);                    \
    void binary_f32(const BinaryProblem &p);                      \
    void optimizer_update_f32(const OptimizerProblem &p);         \
    void simple_rnn_fwd_f32(const RnnProblem &p);                 \
    void lstm_fwd_f32(const RnnProblem &p);                       \
    void gru_fwd_f32(const RnnProblem &p);                        \
    void rnn_backward_f32(const RnnBackwardProblem &p);           \
    }

namespace neurite {
NRT_DECLARE_X64_KERNELS(avx2)
NRT_DECLARE_X64_KERNELS(avx512)
}  // namespace neurite

#undef NRT_DECLARE_X64_KERNELS

// The candidates of one x64 kernel in a dispatch list, widest ISA first.
#define NRT_X64_CANDIDATES(kernel, declines)                                   \
    {#kernel "_avx512", NRT_ISA_AVX512, declines, ::neurite::avx512::kernel}, \
    {#kernel "_avx2", NRT_ISA_AVX2, declines, ::neurite::avx2::kernel}

// The portable scalar kernels: last in every dispatch list, run on any x86-64 CPU.
#pragma once
#include "../common/problems.h"

namespace neurite {
void conv2d_nhwc_f32_ref(const Conv2dProblem &p);
void conv2d_nhwc_backward_data_f32_ref(const Conv2dBackwardDataProblem &p);
void conv2d_nhwc_backward_weights_f32_ref(const Conv2dBackwardWeightsProblem &p);
void conv2d_winograd_pack_f32_ref(const WinogradPackProblem &p);
void pool2d_nhwc_f32_ref(const Pool2dProblem &p);
void pool2d_nhwc_training_f32_ref(const Pool2dTrainingProblem &p);
void pool2d_nhwc_backward_f32_ref(const Pool2dBackwardProblem &p);
void dense_f32_ref(const DenseProblem &p);
void activation_f32_ref(const ActivationProblem &p);
void activation_backward_f32_ref(const ActivationBackwardProblem &p);
void softmax_f32_ref(const SoftmaxProblem &p);
void softmax_backward_f32_ref(const SoftmaxBackwardProblem &p);
void loss_f32_ref(const LossProblem &p);
void optimizer_update_f32_ref(const OptimizerProblem &p);
void sum_of_squares_f32_ref(const SumOfSquaresProblem &p);
void binary_f32_ref(const BinaryProblem &p);
void dropout_mask_f32_ref(const DropoutProblem &p);
void rnn_f32_ref(const RnnProblem &p);
void rnn_backward_f32_ref(const RnnBackwardProblem &p);
void embedding_f32_ref(const EmbeddingProblem &p);
void embedding_backward_f32_ref(const EmbeddingBackwardProblem &p);
}  // namespace neurite

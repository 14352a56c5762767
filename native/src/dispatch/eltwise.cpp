// Activation, softmax and element-wise binary ops.
#include <cmath>

#include "../common/activation.h"
#include "../common/dispatch.h"
#include "../ref/kernels_ref.h"
#include "../x64/kernels_x64.h"
#include "checks.h"

namespace neurite {
namespace {

const Kernel<ActivationProblem> kActivationKernels[] = {
    NRT_X64_CANDIDATES(activation_f32, nullptr),
    {"activation_f32_ref", NRT_ISA_REF, nullptr, activation_f32_ref},
};
const Kernel<SoftmaxProblem> kSoftmaxKernels[] = {
    NRT_X64_CANDIDATES(softmax_f32, nullptr),
    {"softmax_f32_ref", NRT_ISA_REF, nullptr, softmax_f32_ref},
};
const Kernel<ActivationBackwardProblem> kActivationBackwardKernels[] = {
    NRT_X64_CANDIDATES(activation_backward_f32, nullptr),
    {"activation_backward_f32_ref", NRT_ISA_REF, nullptr, activation_backward_f32_ref},
};
const Kernel<SoftmaxBackwardProblem> kSoftmaxBackwardKernels[] = {
    {"softmax_backward_f32_ref", NRT_ISA_REF, nullptr, softmax_backward_f32_ref},
};
const Kernel<LossProblem> kLossKernels[] = {
    {"loss_f32_ref", NRT_ISA_REF, nullptr, loss_f32_ref},
};
const Kernel<DropoutProblem> kDropoutKernels[] = {
    {"dropout_mask_f32_ref", NRT_ISA_REF, nullptr, dropout_mask_f32_ref},
};
const Kernel<BinaryProblem> kBinaryKernels[] = {
    NRT_X64_CANDIDATES(binary_f32, nullptr),
    {"binary_f32_ref", NRT_ISA_REF, nullptr, binary_f32_ref},
};

int check_rows(const char *op, int64_t rows, int32_t cols) {
    if (rows <= 0 || cols <= 0)
        return fail(NRT_INVALID_ARGUMENT, "%s: %lld rows of %d must be positive", op, static_cast<long long>(rows), cols);
    return NRT_OK;
}

}  // namespace
}  // namespace neurite

using namespace neurite;

extern "C" {

int nrt_activation_forward(int32_t activation, float alpha, int64_t size, const float *src, int64_t src_size,
                           float *dst, int64_t dst_size, int32_t num_threads) {
    if (!valid_activation(activation)) return fail(NRT_INVALID_ARGUMENT, "activation: unknown activation %d", activation);
    if (size < 0) return fail(NRT_INVALID_ARGUMENT, "activation: negative size");
    NRT_CHECK(check_buffer("activation", "input", src, src_size, size));
    NRT_CHECK(check_buffer("activation", "output", dst, dst_size, size));
    run_selected(kActivationKernels, ActivationProblem{activation, alpha, src, dst, size, num_threads});
    return NRT_OK;
}

int nrt_softmax_forward(int64_t rows, int32_t cols, const float *src, int64_t src_size, float *dst, int64_t dst_size,
                        int32_t num_threads) {
    NRT_CHECK(check_rows("softmax", rows, cols));
    NRT_CHECK(check_buffer("softmax", "input", src, src_size, checked_product({rows, cols})));
    NRT_CHECK(check_buffer("softmax", "output", dst, dst_size, checked_product({rows, cols})));
    run_selected(kSoftmaxKernels, SoftmaxProblem{src, dst, rows, cols, num_threads});
    return NRT_OK;
}

int nrt_binary_forward(int32_t op, int64_t size, const float *a, int64_t a_size, const float *b, int64_t b_size,
                       float *dst, int64_t dst_size, int32_t num_threads) {
    if (op < NRT_BINARY_ADD || op > NRT_BINARY_AVERAGE) return fail(NRT_INVALID_ARGUMENT, "binary: unknown op %d", op);
    if (size < 0) return fail(NRT_INVALID_ARGUMENT, "binary: negative size");
    NRT_CHECK(check_buffer("binary", "a", a, a_size, size));
    NRT_CHECK(check_buffer("binary", "b", b, b_size, size));
    NRT_CHECK(check_buffer("binary", "output", dst, dst_size, size));
    run_selected(kBinaryKernels, BinaryProblem{op, a, b, dst, size, num_threads});
    return NRT_OK;
}

int nrt_activation_backward(int32_t activation, float alpha, int64_t size, const float *src, int64_t src_size,
                            const float *dst, int64_t dst_size, const float *d_dst, int64_t d_dst_size, float *d_src,
                            int64_t d_src_size, int32_t num_threads) {
    if (!valid_activation(activation)) return fail(NRT_INVALID_ARGUMENT, "activation backward: unknown activation %d", activation);
    if (size < 0) return fail(NRT_INVALID_ARGUMENT, "activation backward: negative size");
    const bool from_output = derivative_from_output(activation, alpha);
    const float *from = from_output ? dst : src;
    NRT_CHECK(check_buffer("activation backward", from_output ? "output" : "input", from, from_output ? dst_size : src_size,
                           size));
    NRT_CHECK(check_buffer("activation backward", "output gradient", d_dst, d_dst_size, size));
    NRT_CHECK(check_buffer("activation backward", "input gradient", d_src, d_src_size, size));
    run_selected(kActivationBackwardKernels, ActivationBackwardProblem{activation, alpha, from, d_dst, d_src, size, num_threads});
    return NRT_OK;
}

int nrt_softmax_backward(int64_t rows, int32_t cols, const float *dst, int64_t dst_size, const float *d_dst,
                         int64_t d_dst_size, float *d_src, int64_t d_src_size, int32_t num_threads) {
    NRT_CHECK(check_rows("softmax backward", rows, cols));
    const int64_t size = checked_product({rows, cols});
    NRT_CHECK(check_buffer("softmax backward", "output", dst, dst_size, size));
    NRT_CHECK(check_buffer("softmax backward", "output gradient", d_dst, d_dst_size, size));
    NRT_CHECK(check_buffer("softmax backward", "input gradient", d_src, d_src_size, size));
    run_selected(kSoftmaxBackwardKernels, SoftmaxBackwardProblem{dst, d_dst, d_src, rows, cols, num_threads});
    return NRT_OK;
}

int nrt_dropout_mask(int64_t size, float rate, uint64_t seed, float *mask, int64_t mask_size, int32_t num_threads) {
    if (size < 0) return fail(NRT_INVALID_ARGUMENT, "dropout: negative size");
    if (!(rate >= 0.f && rate < 1.f)) return fail(NRT_INVALID_ARGUMENT, "dropout: rate %g outside [0, 1)", rate);
    NRT_CHECK(check_buffer("dropout", "mask", mask, mask_size, size));
    run_selected(kDropoutKernels, DropoutProblem{size, rate, seed, mask, num_threads});
    return NRT_OK;
}

int nrt_loss(int32_t loss, int32_t input, int64_t rows, int32_t cols, const float *output, int64_t output_size,
             const float *target, int64_t target_size, const float *row_weights, int64_t row_weights_size,
             float *d_output, int64_t d_output_size, float *loss_value, int32_t num_threads) {
    if (loss < NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY || loss > NRT_LOSS_MEAN_SQUARED_ERROR)
        return fail(NRT_INVALID_ARGUMENT, "loss: unknown loss %d", loss);
    if (input < NRT_LOSS_INPUT_OUTPUT || input > NRT_LOSS_INPUT_ACTIVATED)
        return fail(NRT_INVALID_ARGUMENT, "loss: unknown input kind %d", input);
    if (loss == NRT_LOSS_MEAN_SQUARED_ERROR && input != NRT_LOSS_INPUT_OUTPUT)
        return fail(NRT_INVALID_ARGUMENT, "loss: mean squared error takes the output itself, not logits");
    NRT_CHECK(check_rows("loss", rows, cols));
    const int64_t size = checked_product({rows, cols});
    const bool sparse = loss == NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    NRT_CHECK(check_buffer("loss", "output", output, output_size, size));
    NRT_CHECK(check_buffer("loss", "target", target, target_size, sparse ? rows : size));
    if (row_weights) NRT_CHECK(check_buffer("loss", "row weights", row_weights, row_weights_size, rows));
    NRT_CHECK(check_buffer("loss", "output gradient", d_output, d_output_size, size));
    NRT_CHECK(check_buffer("loss", "loss", loss_value, 1, 1));
    for (int64_t r = 0; sparse && r < rows; ++r) {
        const float label = target[r];
        if (!(label >= 0.f && label < static_cast<float>(cols)) || label != std::floor(label))
            return fail(NRT_INVALID_ARGUMENT, "loss: label %g of row %lld is not a class in [0, %d)", label,
                        static_cast<long long>(r), cols);
    }
    run_selected(kLossKernels,
                 LossProblem{loss, input, output, target, row_weights, d_output, loss_value, rows, cols, num_threads});
    return NRT_OK;
}

}  // extern "C"

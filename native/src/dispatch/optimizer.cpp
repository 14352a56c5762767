// Optimizer updates and the gradient norms that clipping needs.
#include "../common/dispatch.h"
#include "../ref/kernels_ref.h"
#include "../x64/kernels_x64.h"
#include "checks.h"

namespace neurite {
namespace {

const Kernel<OptimizerProblem> kOptimizerKernels[] = {
    NRT_X64_CANDIDATES(optimizer_update_f32, nullptr),
    {"optimizer_update_f32_ref", NRT_ISA_REF, nullptr, optimizer_update_f32_ref},
};
const Kernel<SumOfSquaresProblem> kSumOfSquaresKernels[] = {
    {"sum_of_squares_f32_ref", NRT_ISA_REF, nullptr, sum_of_squares_f32_ref},
};

}  // namespace
}  // namespace neurite

using namespace neurite;

extern "C" {

int nrt_optimizer_update(const nrt_optimizer_step *step, int64_t size, float *value, int64_t value_size,
                         const float *gradient, int64_t gradient_size, float *slot0, int64_t slot0_size, float *slot1,
                         int64_t slot1_size, float *slot2, int64_t slot2_size, int32_t num_threads) {
    if (!step) return fail(NRT_INVALID_ARGUMENT, "optimizer: null step");
    if (step->optimizer < NRT_OPTIMIZER_SGD || step->optimizer > NRT_OPTIMIZER_RMSPROP)
        return fail(NRT_INVALID_ARGUMENT, "optimizer: unknown optimizer %d", step->optimizer);
    if (size < 0) return fail(NRT_INVALID_ARGUMENT, "optimizer: negative size");
    NRT_CHECK(check_buffer("optimizer", "value", value, value_size, size));
    NRT_CHECK(check_buffer("optimizer", "gradient", gradient, gradient_size, size));
    const bool first = step->optimizer != NRT_OPTIMIZER_SGD || step->beta1 != 0.f;
    const bool second = step->optimizer == NRT_OPTIMIZER_ADAM || (step->optimizer == NRT_OPTIMIZER_RMSPROP && step->beta2 > 0.f);
    const bool third = step->optimizer == NRT_OPTIMIZER_RMSPROP && step->centered;
    if (first) NRT_CHECK(check_buffer("optimizer", "slot 0", slot0, slot0_size, size));
    if (second) NRT_CHECK(check_buffer("optimizer", "slot 1", slot1, slot1_size, size));
    if (third) NRT_CHECK(check_buffer("optimizer", "slot 2", slot2, slot2_size, size));
    run_selected(kOptimizerKernels, OptimizerProblem{*step, value, gradient, slot0, slot1, slot2, size, num_threads});
    return NRT_OK;
}

int nrt_sum_of_squares(int64_t size, const float *x, int64_t x_size, double *sum, int32_t num_threads) {
    if (size < 0) return fail(NRT_INVALID_ARGUMENT, "sum of squares: negative size");
    NRT_CHECK(check_buffer("sum of squares", "input", x, x_size, size));
    if (!sum) return fail(NRT_INVALID_ARGUMENT, "sum of squares: null result");
    run_selected(kSumOfSquaresKernels, SumOfSquaresProblem{x, size, sum, num_threads});
    return NRT_OK;
}

}  // extern "C"

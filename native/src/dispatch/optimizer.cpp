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

// The step's kind and the slots it uses, each of `size` floats.
int check_step(const nrt_optimizer_step *step, int64_t size, float *slot0, int64_t slot0_size, float *slot1,
               int64_t slot1_size, float *slot2, int64_t slot2_size) {
    if (!step) return fail(NRT_INVALID_ARGUMENT, "optimizer: null step");
    if (step->optimizer < NRT_OPTIMIZER_SGD || step->optimizer > NRT_OPTIMIZER_RMSPROP)
        return fail(NRT_INVALID_ARGUMENT, "optimizer: unknown optimizer %d", step->optimizer);
    const bool first = step->optimizer != NRT_OPTIMIZER_SGD || step->beta1 != 0.f;
    const bool second = step->optimizer == NRT_OPTIMIZER_ADAM || (step->optimizer == NRT_OPTIMIZER_RMSPROP && step->beta2 > 0.f);
    const bool third = step->optimizer == NRT_OPTIMIZER_RMSPROP && step->centered;
    if (first) NRT_CHECK(check_buffer("optimizer", "slot 0", slot0, slot0_size, size));
    if (second) NRT_CHECK(check_buffer("optimizer", "slot 1", slot1, slot1_size, size));
    if (third) NRT_CHECK(check_buffer("optimizer", "slot 2", slot2, slot2_size, size));
    return NRT_OK;
}

}  // namespace
}  // namespace neurite

using namespace neurite;

extern "C" {

int nrt_optimizer_update(const nrt_optimizer_step *step, int64_t size, float *value, int64_t value_size,
                         const float *gradient, int64_t gradient_size, float *slot0, int64_t slot0_size, float *slot1,
                         int64_t slot1_size, float *slot2, int64_t slot2_size, int32_t num_threads) {
    if (size < 0) return fail(NRT_INVALID_ARGUMENT, "optimizer: negative size");
    NRT_CHECK(check_buffer("optimizer", "value", value, value_size, size));
    NRT_CHECK(check_buffer("optimizer", "gradient", gradient, gradient_size, size));
    NRT_CHECK(check_step(step, size, slot0, slot0_size, slot1, slot1_size, slot2, slot2_size));
    run_selected(kOptimizerKernels, OptimizerProblem{*step, value, gradient, slot0, slot1, slot2, size, num_threads});
    return NRT_OK;
}

int nrt_optimizer_update_rows(const nrt_optimizer_step *step, int64_t total_rows, int32_t dim, float *value,
                              int64_t value_size, const int32_t *rows, int64_t row_count, const float *d_rows,
                              int64_t d_rows_size, float *slot0, int64_t slot0_size, float *slot1, int64_t slot1_size,
                              float *slot2, int64_t slot2_size, int32_t num_threads) {
    if (total_rows < 0 || dim <= 0 || row_count < 0 || row_count > total_rows)
        return fail(NRT_INVALID_ARGUMENT, "optimizer: %lld rows of %d of a %lld-row value", static_cast<long long>(row_count),
                    dim, static_cast<long long>(total_rows));
    const int64_t size = checked_product({total_rows, dim});
    NRT_CHECK(check_buffer("optimizer", "value", value, value_size, size));
    NRT_CHECK(check_buffer("optimizer", "row gradients", d_rows, d_rows_size, checked_product({row_count, dim})));
    if (row_count > 0 && rows == nullptr) return fail(NRT_INVALID_ARGUMENT, "optimizer: rows is null");
    for (int64_t k = 0; k < row_count; ++k) {  // the kernel's walk relies on this order
        if (rows[k] < 0 || rows[k] >= total_rows || (k > 0 && rows[k] <= rows[k - 1]))
            return fail(NRT_INVALID_ARGUMENT, "optimizer: row %d at %lld is not ascending in [0, %lld)", rows[k],
                        static_cast<long long>(k), static_cast<long long>(total_rows));
    }
    NRT_CHECK(check_step(step, size, slot0, slot0_size, slot1, slot1_size, slot2, slot2_size));
    OptimizerProblem problem{*step, value, d_rows, slot0, slot1, slot2, size, num_threads};
    problem.rows = rows;
    problem.row_count = row_count;
    problem.row_width = dim;
    run_selected(kOptimizerKernels, problem);
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

// Dense: validation, weight packing and the kernel list.
#include <algorithm>

#include "../common/activation.h"
#include "../common/dispatch.h"
#include "../common/packing.h"
#include "../ref/kernels_ref.h"
#include "../x64/kernels_x64.h"
#include "checks.h"
#include "conv2d.h"
#include "dense.h"

namespace neurite {
namespace {

const Kernel<DenseProblem> kDenseKernels[] = {
    NRT_X64_CANDIDATES(dense_sgemm_f32, nullptr),
    {"dense_f32_ref", NRT_ISA_REF, nullptr, dense_f32_ref},
};

int check_desc(const nrt_dense_desc *d) {
    if (d == nullptr) return fail(NRT_INVALID_ARGUMENT, "dense: descriptor is null");
    if (d->in_features <= 0 || d->out_features <= 0)
        return fail(NRT_INVALID_ARGUMENT, "dense: %d inputs and %d outputs must be positive", d->in_features,
                    d->out_features);
    if (!valid_activation(d->activation)) return fail(NRT_INVALID_ARGUMENT, "dense: unknown activation %d", d->activation);
    return NRT_OK;
}

}  // namespace

int64_t dense_packed_size(const nrt_dense_desc &d) {
    return checked_product({ceil_div(d.out_features, kDenseOcBlock), dense_panel_floats(d)});
}

void pack_dense_weights(const nrt_dense_desc &d, const float *weights, float *packed) {
    pack_column_panels(weights, d.in_features, d.out_features, d.out_features, packed);
}

void run_dense(const DenseProblem &p) { run_selected(kDenseKernels, p); }

}  // namespace neurite

using namespace neurite;

extern "C" {

int64_t nrt_dense_packed_size(const nrt_dense_desc *desc) {
    if (check_desc(desc) != NRT_OK) return -1;
    return dense_packed_size(*desc);
}

int nrt_dense_pack_weights(const nrt_dense_desc *desc, const float *weights, int64_t weights_size, float *packed,
                           int64_t packed_floats) {
    NRT_CHECK(check_desc(desc));
    const nrt_dense_desc &d = *desc;
    NRT_CHECK(check_buffer("dense pack", "weights", weights, weights_size, checked_product({d.in_features, d.out_features})));
    NRT_CHECK(check_buffer("dense pack", "packed weights", packed, packed_floats, dense_packed_size(d)));
    pack_dense_weights(d, weights, packed);
    return NRT_OK;
}

int nrt_dense_forward(const nrt_dense_desc *desc, int32_t batch, const float *src, int64_t src_size,
                      const float *packed, int64_t packed_floats, const float *bias, int64_t bias_size, float *dst,
                      int64_t dst_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_dense_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "dense: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("dense", "input", src, src_size, checked_product({batch, d.in_features})));
    NRT_CHECK(check_buffer("dense", "packed weights", packed, packed_floats, dense_packed_size(d)));
    if (bias != nullptr) NRT_CHECK(check_buffer("dense", "bias", bias, bias_size, d.out_features));
    NRT_CHECK(check_buffer("dense", "output", dst, dst_size, checked_product({batch, d.out_features})));
    return guarded("dense", [&] {
        run_dense(DenseProblem{d, batch, src, packed, bias, dst, num_threads});
        return NRT_OK;
    });
}

int nrt_dense_backward_data(const nrt_dense_desc *desc, int32_t batch, const float *weights, int64_t weights_size,
                            const float *d_pre, int64_t d_pre_size, float *d_src, int64_t d_src_size,
                            int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_dense_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "dense backward: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("dense backward", "weights", weights, weights_size,
                           checked_product({d.in_features, d.out_features})));
    NRT_CHECK(check_buffer("dense backward", "output gradient", d_pre, d_pre_size, checked_product({batch, d.out_features})));
    NRT_CHECK(check_buffer("dense backward", "input gradient", d_src, d_src_size, checked_product({batch, d.in_features})));
    const nrt_conv2d_desc conv = dense_as_conv(d.in_features, d.out_features, d.activation, d.alpha);
    return guarded("dense backward", [&] {
        run_conv2d_backward_data(Conv2dBackwardDataProblem{conv, batch, weights, d_pre, d_src, num_threads});
        return NRT_OK;
    });
}

int nrt_dense_backward_weights(const nrt_dense_desc *desc, int32_t batch, const float *src, int64_t src_size,
                               const float *d_pre, int64_t d_pre_size, float *d_weights, int64_t d_weights_size,
                               float *d_bias, int64_t d_bias_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_dense_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "dense backward: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("dense backward", "input", src, src_size, checked_product({batch, d.in_features})));
    NRT_CHECK(check_buffer("dense backward", "output gradient", d_pre, d_pre_size, checked_product({batch, d.out_features})));
    NRT_CHECK(check_buffer("dense backward", "weight gradient", d_weights, d_weights_size,
                           checked_product({d.in_features, d.out_features})));
    if (d_bias != nullptr) NRT_CHECK(check_buffer("dense backward", "bias gradient", d_bias, d_bias_size, d.out_features));
    const nrt_conv2d_desc conv = dense_as_conv(d.in_features, d.out_features, d.activation, d.alpha);
    return guarded("dense backward", [&] {
        run_conv2d_backward_weights(Conv2dBackwardWeightsProblem{conv, batch, src, d_pre, d_weights, d_bias, num_threads});
        return NRT_OK;
    });
}

}  // extern "C"

// Conv2D (and Conv1D, as height 1): validation, weight packing and the kernel list.
#include "../common/activation.h"
#include "../common/dispatch.h"
#include "../common/packing.h"
#include "../ref/kernels_ref.h"
#include "../x64/kernels_x64.h"
#include "checks.h"

namespace neurite {
namespace {

const char *direct_declines(const Conv2dProblem &p) {
    return p.depthwise_layout() ? "one input channel per group: depthwise layout" : nullptr;
}

const char *depthwise_declines(const Conv2dProblem &p) {
    return p.depthwise_layout() ? nullptr : "more than one input channel per group";
}

const Kernel<Conv2dProblem> kConv2dKernels[] = {
    NRT_X64_CANDIDATES(conv2d_nhwc_direct_f32, direct_declines),
    NRT_X64_CANDIDATES(depthwise_conv2d_nhwc_f32, depthwise_declines),
    {"conv2d_nhwc_f32_ref", NRT_ISA_REF, nullptr, conv2d_nhwc_f32_ref},
};

int check_desc(const nrt_conv2d_desc *d) {
    if (d == nullptr) return fail(NRT_INVALID_ARGUMENT, "conv2d: descriptor is null");
    if (d->in_h <= 0 || d->in_w <= 0 || d->in_c <= 0 || d->out_h <= 0 || d->out_w <= 0 || d->out_c <= 0)
        return fail(NRT_INVALID_ARGUMENT, "conv2d: sizes must be positive (input %dx%dx%d, output %dx%dx%d)",
                    d->in_h, d->in_w, d->in_c, d->out_h, d->out_w, d->out_c);
    if (d->kernel_h <= 0 || d->kernel_w <= 0 || d->stride_h <= 0 || d->stride_w <= 0 || d->dilation_h <= 0 ||
        d->dilation_w <= 0)
        return fail(NRT_INVALID_ARGUMENT, "conv2d: kernel %dx%d, strides %dx%d and dilations %dx%d must be positive",
                    d->kernel_h, d->kernel_w, d->stride_h, d->stride_w, d->dilation_h, d->dilation_w);
    // Padding past the kernel's reach would only add windows made wholly of zeros.
    if (d->pad_top < 0 || d->pad_left < 0 || d->pad_top > (d->kernel_h - 1) * d->dilation_h ||
        d->pad_left > (d->kernel_w - 1) * d->dilation_w)
        return fail(NRT_INVALID_ARGUMENT, "conv2d: padding %d,%d outside [0, kernel reach - 1]", d->pad_top, d->pad_left);
    if (d->groups <= 0 || d->in_c % d->groups != 0 || d->out_c % d->groups != 0)
        return fail(NRT_INVALID_ARGUMENT, "conv2d: %d groups do not divide %d input and %d output channels", d->groups,
                    d->in_c, d->out_c);
    if (!valid_activation(d->activation)) return fail(NRT_INVALID_ARGUMENT, "conv2d: unknown activation %d", d->activation);
    return NRT_OK;
}

int64_t packed_size(const nrt_conv2d_desc &d) {
    if (conv2d_depthwise_layout(d)) return checked_product({d.kernel_h, d.kernel_w, d.out_c});
    return checked_product({d.groups, conv2d_oc_blocks_per_group(d), conv2d_block_floats(d)});
}

}  // namespace
}  // namespace neurite

using namespace neurite;

extern "C" {

int64_t nrt_conv2d_packed_size(const nrt_conv2d_desc *desc) {
    if (check_desc(desc) != NRT_OK) return -1;
    return packed_size(*desc);
}

int nrt_conv2d_pack_weights(const nrt_conv2d_desc *desc, const float *hwio, int64_t hwio_size, float *packed,
                            int64_t packed_floats) {
    NRT_CHECK(check_desc(desc));
    const nrt_conv2d_desc &d = *desc;
    const int icg = d.in_c / d.groups, ocg = d.out_c / d.groups;
    NRT_CHECK(check_buffer("conv2d pack", "weights", hwio, hwio_size,
                           checked_product({d.kernel_h, d.kernel_w, icg, d.out_c})));
    NRT_CHECK(check_buffer("conv2d pack", "packed weights", packed, packed_floats, packed_size(d)));
    if (conv2d_depthwise_layout(d)) {
        std::copy(hwio, hwio + packed_size(d), packed);
        return NRT_OK;
    }
    const int64_t blocks = conv2d_oc_blocks_per_group(d), block = conv2d_block_floats(d);
    std::fill(packed, packed + packed_size(d), 0.f);
    for (int g = 0; g < d.groups; ++g)
        for (int kh = 0; kh < d.kernel_h; ++kh)
            for (int kw = 0; kw < d.kernel_w; ++kw)
                for (int ic = 0; ic < icg; ++ic)
                    for (int o = 0; o < ocg; ++o) {
                        const int64_t from = ((int64_t{kh} * d.kernel_w + kw) * icg + ic) * d.out_c + g * ocg + o;
                        const int64_t to = (g * blocks + o / kConvOcBlock) * block +
                                           ((int64_t{kh} * d.kernel_w + kw) * icg + ic) * kConvOcBlock + o % kConvOcBlock;
                        packed[to] = hwio[from];
                    }
    return NRT_OK;
}

int nrt_conv2d_forward(const nrt_conv2d_desc *desc, int32_t batch, const float *src, int64_t src_size,
                       const float *packed, int64_t packed_floats, const float *bias, int64_t bias_size, float *dst,
                       int64_t dst_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_conv2d_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "conv2d: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("conv2d", "input", src, src_size, checked_product({batch, d.in_h, d.in_w, d.in_c})));
    NRT_CHECK(check_buffer("conv2d", "packed weights", packed, packed_floats, packed_size(d)));
    if (bias != nullptr) NRT_CHECK(check_buffer("conv2d", "bias", bias, bias_size, d.out_c));
    NRT_CHECK(check_buffer("conv2d", "output", dst, dst_size, checked_product({batch, d.out_h, d.out_w, d.out_c})));
    return guarded("conv2d", [&] {
        run_selected(kConv2dKernels, Conv2dProblem{d, batch, src, packed, bias, dst, num_threads});
        return NRT_OK;
    });
}

}  // extern "C"

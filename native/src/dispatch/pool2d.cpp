// Max/average pooling 1D and 2D (1D as height 1), global pooling as a window over the whole input.
#include "../common/dispatch.h"
#include "../ref/kernels_ref.h"
#include "../x64/kernels_x64.h"
#include "checks.h"

namespace neurite {
namespace {

const Kernel<Pool2dProblem> kPool2dKernels[] = {
    NRT_X64_CANDIDATES(pool2d_nhwc_f32, nullptr),
    {"pool2d_nhwc_f32_ref", NRT_ISA_REF, nullptr, pool2d_nhwc_f32_ref},
};

int check_desc(const nrt_pool2d_desc *d) {
    if (d == nullptr) return fail(NRT_INVALID_ARGUMENT, "pool2d: descriptor is null");
    if (d->in_h <= 0 || d->in_w <= 0 || d->channels <= 0 || d->out_h <= 0 || d->out_w <= 0 || d->pool_h <= 0 ||
        d->pool_w <= 0 || d->stride_h <= 0 || d->stride_w <= 0)
        return fail(NRT_INVALID_ARGUMENT, "pool2d: sizes, pool and strides must be positive");
    if (d->pad_top < 0 || d->pad_left < 0 || d->pad_top >= d->pool_h || d->pad_left >= d->pool_w)
        return fail(NRT_INVALID_ARGUMENT, "pool2d: padding %d,%d outside [0, pool size)", d->pad_top, d->pad_left);
    if (d->kind != NRT_POOL_MAX && d->kind != NRT_POOL_AVG)
        return fail(NRT_INVALID_ARGUMENT, "pool2d: unknown pooling kind %d", d->kind);
    return NRT_OK;
}

}  // namespace
}  // namespace neurite

using namespace neurite;

extern "C" int nrt_pool2d_forward(const nrt_pool2d_desc *desc, int32_t batch, const float *src, int64_t src_size,
                                  float *dst, int64_t dst_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_pool2d_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "pool2d: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("pool2d", "input", src, src_size, checked_product({batch, d.in_h, d.in_w, d.channels})));
    NRT_CHECK(check_buffer("pool2d", "output", dst, dst_size, checked_product({batch, d.out_h, d.out_w, d.channels})));
    return guarded("pool2d", [&] {
        run_selected(kPool2dKernels, Pool2dProblem{d, batch, src, dst, num_threads});
        return NRT_OK;
    });
}

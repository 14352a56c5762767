// Max/average pooling 1D and 2D (1D as height 1), global pooling as a window over the whole input.
#include <algorithm>

#include "../common/dispatch.h"
#include "../common/thread_pool.h"
#include "../ref/kernels_ref.h"
#include "../x64/kernels_x64.h"
#include "checks.h"

namespace neurite {
namespace {

const Kernel<Pool2dProblem> kPool2dKernels[] = {
    NRT_X64_CANDIDATES(pool2d_nhwc_f32, nullptr),
    {"pool2d_nhwc_f32_ref", NRT_ISA_REF, nullptr, pool2d_nhwc_f32_ref},
};

const Kernel<Pool2dTrainingProblem> kTrainingKernels[] = {
    NRT_X64_CANDIDATES(pool2d_nhwc_training_f32, nullptr),
    {"pool2d_nhwc_training_f32_ref", NRT_ISA_REF, nullptr, pool2d_nhwc_training_f32_ref},
};
const Kernel<Pool2dBackwardProblem> kBackwardKernels[] = {
    NRT_X64_CANDIDATES(pool2d_nhwc_backward_f32, nullptr),
    {"pool2d_nhwc_backward_f32_ref", NRT_ISA_REF, nullptr, pool2d_nhwc_backward_f32_ref},
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
    // Training saves each maximum's cell in its window as a float, exact up to 2^24.
    if (static_cast<int64_t>(d->pool_h) * d->pool_w > (int64_t{1} << 24))
        return fail(NRT_INVALID_ARGUMENT, "pool2d: a %dx%d window has more than 2^24 cells", d->pool_h, d->pool_w);
    if (static_cast<int64_t>(d->out_h - 1) * d->stride_h - d->pad_top >= d->in_h ||
        static_cast<int64_t>(d->out_w - 1) * d->stride_w - d->pad_left >= d->in_w)
        return fail(NRT_INVALID_ARGUMENT, "pool2d: output %dx%d has windows past the %dx%d input", d->out_h, d->out_w,
                    d->in_h, d->in_w);
    return NRT_OK;
}

int64_t workspace_size(const nrt_pool2d_desc &d, int32_t batch) {
    return d.kind == NRT_POOL_MAX ? checked_product({batch, d.out_h, d.out_w, d.channels}) : 0;
}

int check_masked_mean(const char *op, int32_t batch, int32_t steps, int32_t channels, const float *mask,
                      int64_t mask_size) {
    if (batch <= 0 || steps <= 0 || channels <= 0)
        return fail(NRT_INVALID_ARGUMENT, "%s: batch %d, steps %d and channels %d must be positive", op, batch, steps,
                    channels);
    return check_buffer(op, "mask", mask, mask_size, checked_product({batch, steps}));
}

// Keras' mask as a factor: 1 where the step is valid, else 0.
inline float valid(const float *mask, int64_t at) { return mask[at] != 0.f ? 1.f : 0.f; }

// The valid steps of sequence b, counted exactly (a float count would stop at 2^24).
float valid_steps(const float *mask, int64_t b, int32_t steps) {
    int64_t count = 0;
    for (int64_t t = 0; t < steps; ++t) count += mask[b * steps + t] != 0.f;
    return static_cast<float>(count);
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

extern "C" int64_t nrt_pool2d_workspace_size(const nrt_pool2d_desc *desc, int32_t batch) {
    if (check_desc(desc) != NRT_OK) return -1;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "pool2d: batch %d must be positive", batch), -1;
    return workspace_size(*desc, batch);
}

extern "C" int nrt_pool2d_forward_training(const nrt_pool2d_desc *desc, int32_t batch, const float *src,
                                           int64_t src_size, float *dst, int64_t dst_size, float *workspace,
                                           int64_t workspace_floats, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_pool2d_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "pool2d: batch %d must be positive", batch);
    NRT_CHECK(check_buffer("pool2d", "input", src, src_size, checked_product({batch, d.in_h, d.in_w, d.channels})));
    NRT_CHECK(check_buffer("pool2d", "output", dst, dst_size, checked_product({batch, d.out_h, d.out_w, d.channels})));
    const int64_t need = workspace_size(d, batch);
    if (need > 0) NRT_CHECK(check_buffer("pool2d", "workspace", workspace, workspace_floats, need));
    return guarded("pool2d", [&] {
        run_selected(kTrainingKernels, Pool2dTrainingProblem{d, batch, src, dst, workspace, num_threads});
        return NRT_OK;
    });
}

extern "C" int nrt_pool2d_backward(const nrt_pool2d_desc *desc, int32_t batch, const float *d_dst, int64_t d_dst_size,
                                   const float *workspace, int64_t workspace_floats, const float *relu_dst,
                                   int64_t relu_dst_size, float *d_src, int64_t d_src_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_pool2d_desc &d = *desc;
    if (batch <= 0) return fail(NRT_INVALID_ARGUMENT, "pool2d backward: batch %d must be positive", batch);
    const int64_t outputs = checked_product({batch, d.out_h, d.out_w, d.channels});
    NRT_CHECK(check_buffer("pool2d backward", "output gradient", d_dst, d_dst_size, outputs));
    if (relu_dst != nullptr) {
        if (d.kind != NRT_POOL_MAX) return fail(NRT_INVALID_ARGUMENT, "pool2d backward: a ReLU folds into max pooling alone");
        NRT_CHECK(check_buffer("pool2d backward", "ReLU output", relu_dst, relu_dst_size, outputs));
    }
    const int64_t need = workspace_size(d, batch);
    if (need > 0) NRT_CHECK(check_buffer("pool2d backward", "workspace", workspace, workspace_floats, need));
    NRT_CHECK(check_buffer("pool2d backward", "input gradient", d_src, d_src_size,
                           checked_product({batch, d.in_h, d.in_w, d.channels})));
    return guarded("pool2d backward", [&] {
        run_selected(kBackwardKernels, Pool2dBackwardProblem{d, batch, d_dst, workspace, relu_dst, d_src, num_threads});
        return NRT_OK;
    });
}

// Memory-bound sums and scalings, a sequence per task: no per-ISA kernel to gain from. As
// Keras, masked steps are multiplied by 0 rather than skipped, so an Inf or NaN there, or a
// sequence of padding alone, gives NaN.
extern "C" int nrt_masked_mean_forward(int32_t batch, int32_t steps, int32_t channels, const float *src,
                                       int64_t src_size, const float *mask, int64_t mask_size, float *dst,
                                       int64_t dst_size, int32_t num_threads) {
    NRT_CHECK(check_masked_mean("masked mean", batch, steps, channels, mask, mask_size));
    NRT_CHECK(check_buffer("masked mean", "input", src, src_size, checked_product({batch, steps, channels})));
    NRT_CHECK(check_buffer("masked mean", "output", dst, dst_size, checked_product({batch, channels})));
    return guarded("masked mean", [&] {
        parallel_for(batch, num_threads, [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; ++b) {
                float *sum = dst + b * channels;
                std::fill(sum, sum + channels, 0.f);
                for (int64_t t = 0; t < steps; ++t) {
                    const float *x = src + (b * steps + t) * channels;
                    const float m = valid(mask, b * steps + t);
                    for (int64_t c = 0; c < channels; ++c) sum[c] += x[c] * m;
                }
                const float count = valid_steps(mask, b, steps);
                for (int64_t c = 0; c < channels; ++c) sum[c] /= count;
            }
        });
        return NRT_OK;
    });
}

extern "C" int nrt_masked_mean_backward(int32_t batch, int32_t steps, int32_t channels, const float *mask,
                                        int64_t mask_size, const float *d_dst, int64_t d_dst_size, float *d_src,
                                        int64_t d_src_size, int32_t num_threads) {
    NRT_CHECK(check_masked_mean("masked mean backward", batch, steps, channels, mask, mask_size));
    NRT_CHECK(check_buffer("masked mean backward", "output gradient", d_dst, d_dst_size, checked_product({batch, channels})));
    NRT_CHECK(check_buffer("masked mean backward", "input gradient", d_src, d_src_size,
                           checked_product({batch, steps, channels})));
    return guarded("masked mean backward", [&] {
        parallel_for(batch, num_threads, [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; ++b) {
                const float count = valid_steps(mask, b, steps);
                const float *dy = d_dst + b * channels;
                for (int64_t t = 0; t < steps; ++t) {
                    float *dx = d_src + (b * steps + t) * channels;
                    const float m = valid(mask, b * steps + t);
                    for (int64_t c = 0; c < channels; ++c) dx[c] = dy[c] / count * m;
                }
            }
        });
        return NRT_OK;
    });
}

// Max and average pooling over NHWC. For each output pixel the window is folded in
// registers, up to 4 vectors of channels at a time, and stored once: a pixel's window is
// read exactly once and nothing is written twice. Windows are clipped to the input, so
// padding is never materialised and an empty window (wholly in the padding) yields 0.
#include <cstring>

#include "../common/thread_pool.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

// The clipped window of one output pixel: rows x cols input pixels from `first`.
struct Window {
    const float *first;
    int64_t row_stride, pixel_stride;
    int rows, cols;
};

// Folds kVectors consecutive vectors of channels from offset c over the window; `lanes`
// below kLanes makes it a single partial vector.
template <bool kMax, int kVectors>
inline void fold_window(const Window &w, int c, float *out, float divisor, int lanes) {
    const Mask m = first_lanes(lanes);
    const bool partial = lanes < kLanes;
    auto read = [&](const float *p) { return partial ? load(p, m) : load(p); };
    // x86's max drops a NaN it meets; the NaNs are tracked apart, off max's dependency chain.
    Vec acc[kVectors];
    Mask nan[kVectors];
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
        acc[v] = read(w.first + c + kLanes * v);
        nan[v] = nan_lanes(acc[v]);
    }
    for (int r = 0; r < w.rows; ++r) {
        const float *x = w.first + r * w.row_stride + c;
        for (int k = r == 0 ? 1 : 0; k < w.cols; ++k) {
#pragma GCC unroll 4
            for (int v = 0; v < kVectors; ++v) {
                const Vec value = read(x + k * w.pixel_stride + kLanes * v);
                if constexpr (kMax) {
                    acc[v] = max(acc[v], value);
                    nan[v] = either(nan[v], nan_lanes(value));
                } else {
                    acc[v] = acc[v] + value;
                }
            }
        }
    }
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
        // Summed in the reference kernel's order and divided as it does: both agree to the bit.
        const Vec result = kMax ? blend(nan[v], set1(__builtin_nanf("")), acc[v]) : acc[v] / set1(divisor);
        if (partial) store(out + c + kLanes * v, result, m);
        else store(out + c + kLanes * v, result);
    }
}

template <bool kMax>
void pool(const Pool2dProblem &p) {
    const nrt_pool2d_desc &d = p.d;
    const int channels = d.channels;
    parallel_for(int64_t{p.batch} * d.out_h, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t n = row / d.out_h;
            const int oh = static_cast<int>(row % d.out_h);
            const int h0 = oh * d.stride_h - d.pad_top;
            const int h_begin = h0 < 0 ? 0 : h0, h_end = h0 + d.pool_h > d.in_h ? d.in_h : h0 + d.pool_h;
            for (int ow = 0; ow < d.out_w; ++ow) {
                const int w0 = ow * d.stride_w - d.pad_left;
                const int w_begin = w0 < 0 ? 0 : w0, w_end = w0 + d.pool_w > d.in_w ? d.in_w : w0 + d.pool_w;
                float *out = p.dst + (row * d.out_w + ow) * channels;
                if (h_end <= h_begin || w_end <= w_begin) {
                    std::memset(out, 0, sizeof(float) * channels);
                    continue;
                }
                const Window w{p.src + ((n * d.in_h + h_begin) * d.in_w + w_begin) * channels,
                               int64_t{d.in_w} * channels, channels, h_end - h_begin, w_end - w_begin};
                const float divisor = static_cast<float>((h_end - h_begin) * (w_end - w_begin));
                int c = 0;
                for (; c + 4 * kLanes <= channels; c += 4 * kLanes) fold_window<kMax, 4>(w, c, out, divisor, kLanes);
                for (; c + 2 * kLanes <= channels; c += 2 * kLanes) fold_window<kMax, 2>(w, c, out, divisor, kLanes);
                for (; c + kLanes <= channels; c += kLanes) fold_window<kMax, 1>(w, c, out, divisor, kLanes);
                if (c < channels) fold_window<kMax, 1>(w, c, out, divisor, channels - c);
            }
        }
    });
}

}  // namespace

void pool2d_nhwc_f32(const Pool2dProblem &p) {
    if (p.d.kind == NRT_POOL_MAX) pool<true>(p);
    else pool<false>(p);
}

// Max pooling that notes, per output, the window cell (kh * pool_w + kw) of its first maximum,
// or of its first NaN, which max alone would pass over; -1 for a window wholly in the padding.
void pool2d_nhwc_training_f32(const Pool2dTrainingProblem &p) {
    const nrt_pool2d_desc &d = p.d;
    if (d.kind == NRT_POOL_AVG) {
        pool<false>(Pool2dProblem{d, p.batch, p.src, p.dst, p.threads});
        return;
    }
    const int channels = d.channels;
    parallel_for(int64_t{p.batch} * d.out_h, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t n = row / d.out_h;
            const int h0 = static_cast<int>(row % d.out_h) * d.stride_h - d.pad_top;
            const int h_begin = h0 < 0 ? 0 : h0, h_end = h0 + d.pool_h > d.in_h ? d.in_h : h0 + d.pool_h;
            for (int ow = 0; ow < d.out_w; ++ow) {
                const int w0 = ow * d.stride_w - d.pad_left;
                const int w_begin = w0 < 0 ? 0 : w0, w_end = w0 + d.pool_w > d.in_w ? d.in_w : w0 + d.pool_w;
                const int64_t out = (row * d.out_w + ow) * channels;
                for (int c = 0; c < channels; c += kLanes) {
                    const int lanes = channels - c < kLanes ? channels - c : kLanes;
                    Vec best = zero(), cell = set1(-1.f);
                    bool first = true;
                    for (int h = h_begin; h < h_end; ++h)
                        for (int w = w_begin; w < w_end; ++w) {
                            const Vec v = load_first(p.src + ((n * d.in_h + h) * d.in_w + w) * channels + c, lanes);
                            const Vec here = set1(static_cast<float>((h - h0) * d.pool_w + (w - w0)));
                            if (first) {
                                best = v;
                                cell = here;
                                first = false;
                                continue;
                            }
                            const Mask take = either(greater(v, best), except(nan_lanes(v), nan_lanes(best)));
                            best = blend(take, v, best);
                            cell = blend(take, here, cell);
                        }
                    store_first(p.dst + out + c, best, lanes);
                    store_first(p.workspace + out + c, cell, lanes);
                }
            }
        }
    });
}

// One sample per task, so overlapping windows add into the same input cells in one fixed
// order. Only the cells inside the input are ever written, whatever the workspace holds.
void pool2d_nhwc_backward_f32(const Pool2dBackwardProblem &p) {
    const nrt_pool2d_desc &d = p.d;
    const int channels = d.channels;
    const int64_t sample = int64_t{d.in_h} * d.in_w * channels;
    parallel_for(p.batch, p.threads, [&](int64_t first, int64_t last) {
        std::memset(p.d_src + first * sample, 0, sizeof(float) * (last - first) * sample);
        for (int64_t n = first; n < last; ++n) {
            float *dx = p.d_src + n * sample;
            for (int oh = 0; oh < d.out_h; ++oh) {
                const int h0 = oh * d.stride_h - d.pad_top;
                const int h_begin = h0 < 0 ? 0 : h0, h_end = h0 + d.pool_h > d.in_h ? d.in_h : h0 + d.pool_h;
                for (int ow = 0; ow < d.out_w; ++ow) {
                    const int w0 = ow * d.stride_w - d.pad_left;
                    const int w_begin = w0 < 0 ? 0 : w0, w_end = w0 + d.pool_w > d.in_w ? d.in_w : w0 + d.pool_w;
                    if (h_end <= h_begin || w_end <= w_begin) continue;
                    const int64_t out = ((n * d.out_h + oh) * d.out_w + ow) * channels;
                    const Vec share = set1(1.f / static_cast<float>((h_end - h_begin) * (w_end - w_begin)));
                    for (int c = 0; c < channels; c += kLanes) {
                        const int lanes = channels - c < kLanes ? channels - c : kLanes;
                        const Vec dy = load_first(p.d_dst + out + c, lanes);
                        const Vec cell = d.kind == NRT_POOL_MAX ? load_first(p.workspace + out + c, lanes) : zero();
                        for (int h = h_begin; h < h_end; ++h)
                            for (int w = w_begin; w < w_end; ++w) {
                                float *at = dx + (int64_t{h} * d.in_w + w) * channels + c;
                                const Vec add = d.kind == NRT_POOL_MAX
                                                    ? keep(dy, equal(cell, set1(static_cast<float>((h - h0) * d.pool_w + (w - w0)))))
                                                    : dy * share;
                                store_first(at, load_first(at, lanes) + add, lanes);
                            }
                    }
                }
            }
        }
    });
}

}  // namespace NRT_SIMD
}  // namespace neurite

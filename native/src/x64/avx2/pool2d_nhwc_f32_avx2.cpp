// Max and average pooling over NHWC. For each output pixel the window is folded in
// registers, up to 32 channels at a time (4 vectors), and stored once: a pixel's window is
// read exactly once and nothing is written twice. Windows are clipped to the input, so
// padding is never materialised and an empty window (wholly in the padding) yields 0.
#include <immintrin.h>

#include <cstring>

#include "../../common/thread_pool.h"
#include "kernels_avx2.h"
#include "math_avx2.h"

namespace neurite {
namespace {

// The clipped window of one output pixel: rows x cols input pixels from `first`.
struct Window {
    const float *first;
    int64_t row_stride, pixel_stride;
    int rows, cols;
};

inline __m256 load(const float *p, bool masked, __m256i mask) {
    return masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
}

// Folds kVectors consecutive vectors of channels from offset c over the window.
template <bool kMax, int kVectors>
inline void fold_window(const Window &w, int c, float *out, float divisor, bool masked, __m256i mask) {
    __m256 acc[kVectors];
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) acc[v] = load(w.first + c + 8 * v, masked, mask);
    for (int r = 0; r < w.rows; ++r) {
        const float *x = w.first + r * w.row_stride + c;
        for (int k = r == 0 ? 1 : 0; k < w.cols; ++k) {
#pragma GCC unroll 4
            for (int v = 0; v < kVectors; ++v) {
                const __m256 value = load(x + k * w.pixel_stride + 8 * v, masked, mask);
                acc[v] = kMax ? _mm256_max_ps(acc[v], value) : _mm256_add_ps(acc[v], value);
            }
        }
    }
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
        // Summed in the reference kernel's order and divided as it does: both agree to the bit.
        const __m256 result = kMax ? acc[v] : _mm256_div_ps(acc[v], _mm256_set1_ps(divisor));
        if (masked) _mm256_maskstore_ps(out + c + 8 * v, mask, result);
        else _mm256_storeu_ps(out + c + 8 * v, result);
    }
}

template <bool kMax>
void pool(const Pool2dProblem &p) {
    const nrt_pool2d_desc &d = p.d;
    const int channels = d.channels;
    const __m256i tail = tail_mask(channels % 8);
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
                const int count = (h_end - h_begin) * (w_end - w_begin);
                if (h_end <= h_begin || w_end <= w_begin) {
                    std::memset(out, 0, sizeof(float) * channels);
                    continue;
                }
                const Window w{p.src + ((n * d.in_h + h_begin) * d.in_w + w_begin) * channels,
                               int64_t{d.in_w} * channels, channels, h_end - h_begin, w_end - w_begin};
                const float divisor = static_cast<float>(count);
                int c = 0;
                for (; c + 32 <= channels; c += 32) fold_window<kMax, 4>(w, c, out, divisor, false, tail);
                for (; c + 8 <= channels; c += 8) fold_window<kMax, 1>(w, c, out, divisor, false, tail);
                if (c < channels) fold_window<kMax, 1>(w, c, out, divisor, true, tail);
            }
        }
    });
}

}  // namespace

void pool2d_nhwc_f32_avx2(const Pool2dProblem &p) {
    if (p.d.kind == NRT_POOL_MAX) pool<true>(p);
    else pool<false>(p);
}

}  // namespace neurite

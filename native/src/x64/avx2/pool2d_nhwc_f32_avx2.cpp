// Max and average pooling over NHWC. Each output pixel is accumulated in place: the first
// input cell of its window is copied, the others folded in, each as one contiguous sweep
// over all channels, 8 per register. Windows are clipped to the input, so padding is never
// materialised and an empty window (wholly in the padding) yields 0, as the reference.
#include <immintrin.h>

#include <cstring>

#include "../../common/thread_pool.h"
#include "kernels_avx2.h"
#include "math_avx2.h"

namespace neurite {
namespace {

template <bool kMax>
inline void fold(float *acc, const float *x, int channels, __m256i tail) {
    int c = 0;
    for (; c + 8 <= channels; c += 8) {
        const __m256 a = _mm256_loadu_ps(acc + c), v = _mm256_loadu_ps(x + c);
        _mm256_storeu_ps(acc + c, kMax ? _mm256_max_ps(a, v) : _mm256_add_ps(a, v));
    }
    if (c < channels) {
        const __m256 a = _mm256_maskload_ps(acc + c, tail), v = _mm256_maskload_ps(x + c, tail);
        _mm256_maskstore_ps(acc + c, tail, kMax ? _mm256_max_ps(a, v) : _mm256_add_ps(a, v));
    }
}

inline void divide(float *acc, int channels, float divisor, __m256i tail) {
    const __m256 f = _mm256_set1_ps(divisor);
    int c = 0;
    for (; c + 8 <= channels; c += 8) _mm256_storeu_ps(acc + c, _mm256_div_ps(_mm256_loadu_ps(acc + c), f));
    if (c < channels) _mm256_maskstore_ps(acc + c, tail, _mm256_div_ps(_mm256_maskload_ps(acc + c, tail), f));
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
                if (count <= 0) {
                    std::memset(out, 0, sizeof(float) * channels);
                    continue;
                }
                bool first = true;
                for (int h = h_begin; h < h_end; ++h) {
                    const float *x = p.src + ((n * d.in_h + h) * d.in_w + w_begin) * channels;
                    for (int w = w_begin; w < w_end; ++w, x += channels) {
                        if (first) std::memcpy(out, x, sizeof(float) * channels);
                        else fold<kMax>(out, x, channels, tail);
                        first = false;
                    }
                }
                // Summed in the reference kernel's order and divided as it does: both agree to the bit.
                if (!kMax && count > 1) divide(out, channels, static_cast<float>(count), tail);
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

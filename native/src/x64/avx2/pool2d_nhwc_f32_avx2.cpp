// Max and average pooling over NHWC, 8 channels per register. Windows are clipped to the
// input per tap (cheap next to 8-wide work), so padding is never materialised.
#include <immintrin.h>

#include <cfloat>

#include "../../common/thread_pool.h"
#include "kernels_avx2.h"
#include "math_avx2.h"

namespace neurite {

void pool2d_nhwc_f32_avx2(const Pool2dProblem &p) {
    const nrt_pool2d_desc &d = p.d;
    const int channels = d.channels, full = channels / 8 * 8;
    const __m256i mask = tail_mask(channels - full);
    const bool is_max = d.kind == NRT_POOL_MAX;

    parallel_for(int64_t{p.batch} * d.out_h, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t n = row / d.out_h;
            const int oh = static_cast<int>(row % d.out_h);
            const int h0 = oh * d.stride_h - d.pad_top;
            const int h_begin = h0 < 0 ? 0 : h0, h_end = h0 + d.pool_h > d.in_h ? d.in_h : h0 + d.pool_h;
            for (int ow = 0; ow < d.out_w; ++ow) {
                const int w0 = ow * d.stride_w - d.pad_left;
                const int w_begin = w0 < 0 ? 0 : w0, w_end = w0 + d.pool_w > d.in_w ? d.in_w : w0 + d.pool_w;
                const int count = (h_end - h_begin) * (w_end - w_begin);
                float *out = p.dst + (row * d.out_w + ow) * channels;
                for (int c = 0; c < channels; c += 8) {
                    const bool tail = c >= full;
                    __m256 acc = _mm256_set1_ps(is_max ? -FLT_MAX : 0.f);
                    for (int h = h_begin; h < h_end; ++h) {
                        const float *x = p.src + ((n * d.in_h + h) * d.in_w + w_begin) * channels + c;
                        for (int w = w_begin; w < w_end; ++w, x += channels) {
                            const __m256 v = tail ? _mm256_maskload_ps(x, mask) : _mm256_loadu_ps(x);
                            acc = is_max ? _mm256_max_ps(acc, v) : _mm256_add_ps(acc, v);
                        }
                    }
                    // An empty window (wholly in the padding) yields 0, as the reference does.
                    acc = count == 0 ? _mm256_setzero_ps()
                          : is_max   ? acc
                                     : _mm256_div_ps(acc, _mm256_set1_ps(static_cast<float>(count)));
                    if (tail) _mm256_maskstore_ps(out + c, mask, acc);
                    else _mm256_storeu_ps(out + c, acc);
                }
            }
        }
    });
}

}  // namespace neurite

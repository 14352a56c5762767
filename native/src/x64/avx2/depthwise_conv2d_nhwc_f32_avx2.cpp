// Depthwise convolution (one input channel per group, depth multiplier m): vectorised over
// output channels, 8 per register. Output channel o reads input channel o / m; with m = 1
// that is a plain load, otherwise a gather.
#include <immintrin.h>

#include "../../common/padded_input.h"
#include "../../common/thread_pool.h"
#include "kernels_avx2.h"
#include "math_avx2.h"

namespace neurite {
namespace {

// Lane-wise division by a small positive divisor; AVX2 has no integer division, and the
// lane values (channel indices) are exact in float.
inline __m256i divide_lanes(__m256i v, int divisor) {
    return _mm256_cvttps_epi32(_mm256_div_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(static_cast<float>(divisor))));
}

}  // namespace

void depthwise_conv2d_nhwc_f32_avx2(const Conv2dProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const PaddedInput in = pad_for_convolution(p);
    const int channels = d.out_c, in_channels = d.in_c, multiplier = d.out_c / d.in_c;
    const int full = channels / 8 * 8;
    const __m256i mask = tail_mask(channels - full);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);

    parallel_for(int64_t{p.batch} * d.out_h, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const int64_t n = row / d.out_h;
            const int oh = static_cast<int>(row % d.out_h);
            for (int ow = 0; ow < d.out_w; ++ow) {
                const float *window = in.data + ((n * in.height + int64_t{oh} * d.stride_h) * in.width +
                                                 int64_t{ow} * d.stride_w) * in_channels;
                float *out = p.dst + (row * d.out_w + ow) * channels;
                for (int c = 0; c < channels; c += 8) {
                    const bool tail = c >= full;
                    __m256 acc = p.bias == nullptr ? _mm256_setzero_ps()
                                 : tail           ? _mm256_maskload_ps(p.bias + c, mask)
                                                  : _mm256_loadu_ps(p.bias + c);
                    // Input channel of each lane; lanes past the last channel are masked off below.
                    const __m256i source = divide_lanes(_mm256_add_epi32(_mm256_set1_epi32(c), lanes), multiplier);
                    for (int kh = 0; kh < d.kernel_h; ++kh) {
                        for (int kw = 0; kw < d.kernel_w; ++kw) {
                            const float *x = window + (int64_t{kh} * d.dilation_h * in.width + kw * d.dilation_w) * in_channels;
                            const float *w = p.packed + (int64_t{kh} * d.kernel_w + kw) * channels + c;
                            __m256 xv;
                            if (multiplier == 1) xv = tail ? _mm256_maskload_ps(x + c, mask) : _mm256_loadu_ps(x + c);
                            else xv = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), x, source,
                                                               _mm256_castsi256_ps(tail ? mask : _mm256_set1_epi32(-1)), 4);
                            acc = _mm256_fmadd_ps(xv, tail ? _mm256_maskload_ps(w, mask) : _mm256_loadu_ps(w), acc);
                        }
                    }
                    acc = activate_avx2(acc, d.activation, d.alpha);
                    if (tail) _mm256_maskstore_ps(out + c, mask, acc);
                    else _mm256_storeu_ps(out + c, acc);
                }
            }
        }
    });
}

}  // namespace neurite

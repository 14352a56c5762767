// Direct NHWC convolution with a 6x16 register tile: 6 consecutive output pixels (in NHWC
// order, so a tile may span rows and images) by 16 output channels of one group, 12
// accumulators. Per input channel of each tap it loads two weight vectors and broadcasts 6
// inputs: 12 FMAs for 8 loads, the shape of an SGEMM microkernel, with the im2col gather
// folded into per-pixel input addresses. Tiles spanning rows keep deep layers, whose
// outputs are only a few pixels wide, in full tiles. Padding is materialised first
// (pad_for_convolution), so the inner loops never branch.
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "../../common/packed_bias.h"
#include "../../common/packing.h"
#include "../../common/padded_input.h"
#include "../../common/thread_pool.h"
#include "kernels_avx2.h"
#include "math_avx2.h"

namespace neurite {
namespace {

constexpr int kTileWidth = 6;

struct TileArgs {
    const float *in[kTileWidth];  // each pixel's input at tap (0, 0), first channel of the group
    const int64_t *tap_offsets;
    int taps, channels;       // kh * kw taps, input channels per group
    const float *weights;     // one packed block: [taps][channels][16]
    const float *bias16;
    float *out;               // output of the tile's first pixel, first channel of the block
    int64_t out_pixel_stride;
    int valid_channels;       // <= 16; fewer in the last block of a group
    int activation;
    float alpha;
};

template <int kPixels>
void conv_tile(const TileArgs &a) {
    __m256 acc[kPixels][2];
    const __m256 bias_lo = _mm256_load_ps(a.bias16), bias_hi = _mm256_load_ps(a.bias16 + 8);
#pragma GCC unroll 6
    for (int r = 0; r < kPixels; ++r) acc[r][0] = bias_lo, acc[r][1] = bias_hi;

    for (int t = 0; t < a.taps; ++t) {
        const float *in[kPixels];
#pragma GCC unroll 6
        for (int r = 0; r < kPixels; ++r) in[r] = a.in[r] + a.tap_offsets[t];
        const float *w = a.weights + int64_t{t} * a.channels * 16;
        for (int c = 0; c < a.channels; ++c, w += 16) {
            // Unaligned loads: the C API promises nothing about where callers put their weights.
            const __m256 w_lo = _mm256_loadu_ps(w), w_hi = _mm256_loadu_ps(w + 8);
#pragma GCC unroll 6
            for (int r = 0; r < kPixels; ++r) {
                const __m256 x = _mm256_broadcast_ss(in[r] + c);
                acc[r][0] = _mm256_fmadd_ps(x, w_lo, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(x, w_hi, acc[r][1]);
            }
        }
    }

#pragma GCC unroll 6
    for (int r = 0; r < kPixels; ++r)
        store_activated_16(a.out + r * a.out_pixel_stride, acc[r][0], acc[r][1], a.valid_channels, a.activation, a.alpha);
}

void run_tile(int pixels, const TileArgs &a) {
    switch (pixels) {
        case 6: conv_tile<6>(a); break;
        case 5: conv_tile<5>(a); break;
        case 4: conv_tile<4>(a); break;
        case 3: conv_tile<3>(a); break;
        case 2: conv_tile<2>(a); break;
        default: conv_tile<1>(a); break;
    }
}

}  // namespace

void conv2d_nhwc_direct_f32_avx2(const Conv2dProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const PaddedInput in = pad_for_convolution(p);
    const int icg = p.in_c_per_group(), ocg = p.out_c_per_group();
    const int taps = d.kernel_h * d.kernel_w;
    const int64_t blocks = conv2d_oc_blocks_per_group(d), block_floats = conv2d_block_floats(d);

    int64_t tap_offsets[64];
    std::vector<int64_t> many_taps;
    int64_t *offsets = tap_offsets;
    if (taps > 64) {
        many_taps.resize(taps);
        offsets = many_taps.data();
    }
    for (int kh = 0; kh < d.kernel_h; ++kh)
        for (int kw = 0; kw < d.kernel_w; ++kw)
            offsets[kh * d.kernel_w + kw] = (kh * d.dilation_h * in.width + kw * d.dilation_w) * d.in_c;

    // One task is one tile of pixels of one group, through all the group's channel blocks:
    // the tile's inputs stay in L1 while the blocks' weights come from L2.
    const int64_t pixels = int64_t{p.batch} * d.out_h * d.out_w;
    const int64_t tiles = ceil_div(pixels, kTileWidth);
    parallel_for(tiles * d.groups, p.threads, [&](int64_t begin, int64_t end) {
        TileArgs a{};
        a.tap_offsets = offsets;
        a.taps = taps;
        a.channels = icg;
        a.out_pixel_stride = d.out_c;
        a.activation = d.activation;
        a.alpha = d.alpha;
        for (int64_t task = begin; task < end;) {
            const int g = static_cast<int>(task / tiles);
            const int64_t group_end = std::min(end, (g + 1) * tiles);
            // Walk the pixels of this run of tiles in order: one division to start, then increments.
            int64_t pixel = task % tiles * kTileWidth;
            int64_t n = pixel / (int64_t{d.out_h} * d.out_w);
            int oh = static_cast<int>(pixel / d.out_w % d.out_h), ow = static_cast<int>(pixel % d.out_w);
            const float *group_in = in.data + g * icg;
            for (; task < group_end; ++task, pixel += kTileWidth) {
                const int count = static_cast<int>(std::min<int64_t>(kTileWidth, pixels - pixel));
                for (int r = 0; r < kTileWidth; ++r) {
                    // Pixels past the end repeat the last one: computed, never stored.
                    a.in[r] = r < count ? group_in + ((n * in.height + int64_t{oh} * d.stride_h) * in.width +
                                                      int64_t{ow} * d.stride_w) * d.in_c
                                        : a.in[r - 1];
                    if (r < count && ++ow == d.out_w) {
                        ow = 0;
                        if (++oh == d.out_h) oh = 0, ++n;
                    }
                }
                for (int64_t b = 0; b < blocks; ++b) {
                    const int first_channel = static_cast<int>(b * 16);
                    alignas(32) float bias16[16];
                    fill_bias_block(p.bias, g * ocg + first_channel, std::min(16, ocg - first_channel), bias16);
                    a.weights = p.packed + (g * blocks + b) * block_floats;
                    a.bias16 = bias16;
                    a.valid_channels = std::min(16, ocg - first_channel);
                    a.out = p.dst + pixel * d.out_c + g * ocg + first_channel;
                    run_tile(count, a);
                }
            }
        }
    });
}

}  // namespace neurite

// Direct NHWC convolution with a register tile of kConvPixels consecutive output pixels (in
// NHWC order, so a tile may span rows and images) by two vectors of output channels of one
// group. Per input channel of each tap it loads two weight vectors and broadcasts one input
// per pixel: the shape of an SGEMM microkernel, with the im2col gather folded into per-pixel
// input addresses. Tiles spanning rows keep deep layers, whose outputs are only a few pixels
// wide, in full tiles. Padding is materialised first (pad_for_convolution), so the inner
// loops never branch.
#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "../common/packed_bias.h"
#include "../common/packing.h"
#include "../common/padded_input.h"
#include "../common/thread_pool.h"
#include "gemm_tile.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int kTileChannels = 2 * kLanes;
static_assert(kConvOcBlock % kTileChannels == 0, "a tile covers whole vectors of one block");

struct TileArgs {
    const float *in[kConvPixels];  // each pixel's input at tap (0, 0), first channel of the group
    const int64_t *offsets;  // per tap, or (flat tiles) per tap and input channel, from a pixel's input
    int taps, channels;      // kh * kw taps, input channels per group
    const float *weights;  // the tile's first channel in a packed block: [taps][channels][kConvOcBlock]
    const float *bias;     // the tile's vectors of biases, its first channel first (bias_for_tile)
    float *out;            // output of the tile's first pixel, first channel of the tile
    int64_t out_pixel_stride;
    int valid_channels;    // <= kTileChannels; fewer in the last tile of a group
    int activation;
    float alpha;
};

// kVecs (1 or 2) vectors: a tile whose channels fit in one vector skips the empty one. kFlat
// tiles (few input channels: a first layer) run the taps and channels as one loop over their
// input offsets, so a tap of one channel does not pay for setting up its own loop.
template <int kPixels, int kVecs, bool kFlat>
void conv_tile(const TileArgs &a) {
    Vec acc[kPixels][kVecs];
#pragma GCC unroll 16
    for (int r = 0; r < kPixels; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < kVecs; ++v) acc[r][v] = load(a.bias + v * kLanes);

    auto step = [&](const float *const *in, int64_t offset, const float *w) {
        Vec wv[kVecs];
        gemm::load_vectors(w, wv);
        gemm::multiply_add(acc, [&](int r) { return in[r] + offset; }, wv);
    };
    if constexpr (kFlat) {
        const int k_size = a.taps * a.channels;
        for (int k = 0; k < k_size; ++k) step(a.in, a.offsets[k], a.weights + int64_t{k} * kConvOcBlock);
    } else {
        for (int t = 0; t < a.taps; ++t) {
            const float *in[kPixels];
#pragma GCC unroll 16
            for (int r = 0; r < kPixels; ++r) in[r] = a.in[r] + a.offsets[t];
            const float *w = a.weights + int64_t{t} * a.channels * kConvOcBlock;
            for (int c = 0; c < a.channels; ++c, w += kConvOcBlock) step(in, c, w);
        }
    }

#pragma GCC unroll 16
    for (int r = 0; r < kPixels; ++r)
        store_activated<kVecs>(a.out + r * a.out_pixel_stride, acc[r], a.valid_channels, a.activation, a.alpha);
}

using Tile = void (*)(const TileArgs &);

template <int kVecs, bool kFlat, int... kPixelsMinusOne>
constexpr std::array<Tile, sizeof...(kPixelsMinusOne)> tiles(std::integer_sequence<int, kPixelsMinusOne...>) {
    return {conv_tile<kPixelsMinusOne + 1, kVecs, kFlat>...};
}
template <bool kFlat>
constexpr std::array<std::array<Tile, kConvPixels>, 2> kTilesOf = {
    tiles<1, kFlat>(std::make_integer_sequence<int, kConvPixels>{}), tiles<2, kFlat>(std::make_integer_sequence<int, kConvPixels>{})};
// kTiles[flat][vectors - 1][pixels - 1]
constexpr std::array<std::array<Tile, kConvPixels>, 2> kTiles[2] = {kTilesOf<false>, kTilesOf<true>};

// Up to this many input channels per group a tile loops over taps and channels as one.
constexpr int kFlatChannels = 4;

}  // namespace

void conv2d_nhwc_direct_f32(const Conv2dProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const PaddedInput in = pad_for_convolution(p);
    const int icg = p.in_c_per_group(), ocg = p.out_c_per_group();
    const int taps = d.kernel_h * d.kernel_w;
    const int64_t blocks = conv2d_oc_blocks_per_group(d), block_floats = conv2d_block_floats(d);
    const int channel_tiles = static_cast<int>(ceil_div(ocg, kTileChannels));

    const bool flat = icg <= kFlatChannels;
    const int64_t offset_count = flat ? int64_t{taps} * icg : taps;
    int64_t few_offsets[64];
    std::vector<int64_t> many_offsets;
    int64_t *offsets = few_offsets;
    if (offset_count > 64) {
        many_offsets.resize(offset_count);
        offsets = many_offsets.data();
    }
    for (int kh = 0; kh < d.kernel_h; ++kh)
        for (int kw = 0; kw < d.kernel_w; ++kw) {
            const int tap = kh * d.kernel_w + kw;
            const int64_t offset = (kh * d.dilation_h * in.width + kw * d.dilation_w) * d.in_c;
            if (!flat) offsets[tap] = offset;
            else
                for (int c = 0; c < icg; ++c) offsets[int64_t{tap} * icg + c] = offset + c;
        }

    // One task is one tile of pixels of one group, through all the group's channel tiles:
    // the tile's inputs stay in L1 while the blocks' weights come from L2.
    const int64_t pixels = int64_t{p.batch} * d.out_h * d.out_w;
    const int64_t tiles = ceil_div(pixels, kConvPixels);
    parallel_for(tiles * d.groups, p.threads, [&](int64_t begin, int64_t end) {
        TileArgs a{};
        a.offsets = offsets;
        a.taps = taps;
        a.channels = icg;
        a.out_pixel_stride = d.out_c;
        a.activation = d.activation;
        a.alpha = d.alpha;
        alignas(64) float bias[kOcBlock];
        for (int64_t task = begin; task < end;) {
            const int g = static_cast<int>(task / tiles);
            const int64_t group_end = std::min(end, (g + 1) * tiles);
            // Walk the pixels of this run of tiles in order: one division to start, then increments.
            int64_t pixel = task % tiles * kConvPixels;
            int64_t n = pixel / (int64_t{d.out_h} * d.out_w);
            int oh = static_cast<int>(pixel / d.out_w % d.out_h), ow = static_cast<int>(pixel % d.out_w);
            const float *group_in = in.data + g * icg;
            for (; task < group_end; ++task, pixel += kConvPixels) {
                const int count = static_cast<int>(std::min<int64_t>(kConvPixels, pixels - pixel));
                const float *pixel_in = nullptr;
                for (int r = 0; r < kConvPixels; ++r) {
                    // Pixels past the end repeat the last one: computed, never stored.
                    if (r < count) {
                        pixel_in = group_in + ((n * in.height + int64_t{oh} * d.stride_h) * in.width +
                                               int64_t{ow} * d.stride_w) * d.in_c;
                        if (++ow == d.out_w) {
                            ow = 0;
                            if (++oh == d.out_h) oh = 0, ++n;
                        }
                    }
                    a.in[r] = pixel_in;
                }
                for (int c = 0; c < channel_tiles; ++c) {
                    const int first_channel = c * kTileChannels;
                    const int block = first_channel / kConvOcBlock, offset = first_channel % kConvOcBlock;
                    a.valid_channels = std::min(kTileChannels, ocg - first_channel);
                    const int vectors = a.valid_channels > kLanes ? 2 : 1;
                    a.bias = bias_for_tile(p.bias, g * ocg + first_channel, a.valid_channels, vectors * kLanes, bias);
                    a.weights = p.packed + (g * blocks + block) * block_floats + offset;
                    a.out = p.dst + pixel * d.out_c + g * ocg + first_channel;
                    kTiles[flat][vectors - 1][count - 1](a);
                }
            }
        }
    });
}

}  // namespace NRT_SIMD
}  // namespace neurite

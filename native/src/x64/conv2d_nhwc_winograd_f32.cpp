// 3x3 stride-1 convolution by Winograd's F(4x4, 3x3) (winograd_f4x3.h): U = G g G^T holds
// the weights, transformed once when packed: 4 times fewer multiplications than direct
// convolution, for transforms that cost O(channels), not O(channels^2). The (.) over all
// channel pairs is, per position of the 6x6 tile, a GEMM [tiles x ic] x [ic x oc]: the dense
// kernel's register tile (gemm_tile.h), with rows taken by tiles.
//
// A task is a block of kGemmRows tiles, through all three stages in its own thread's scratch
// (V and M stay in L2): input transform -> 36 GEMMs -> output transform, bias and activation.
// With fewer blocks than threads (small batches), a task takes only some of the output
// channels, and each such task transforms the block's inputs for itself. Every output is
// computed the same way whoever computes it, so results do not depend on the thread count.
//
// Accuracy: the transforms hold coefficients up to 8 and 5 and their inverses, so rounding
// grows by a small constant factor over direct convolution; ConvolutionTest holds every
// result to the same bound against the double-precision reference.
#include <algorithm>

#include "../common/packed_bias.h"
#include "../common/packing.h"
#include "../common/scratch.h"
#include "../common/thread_pool.h"
#include "gemm_tile.h"
#include "kernels_x64.h"
#include "vec.h"
#include "winograd_f4x3.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

using namespace winograd;
static_assert(kPositions == kWinogradPositions, "the packed layout holds F(4x4, 3x3) weights");

// Output channels [first_channel, last_channel) of the block's tiles from M[position][tile][oc]:
// A^T M A, bias, activation; pixels past the output's edge are computed and dropped.
void transform_outputs(const Conv2dProblem &p, const Tiles &g, int64_t first_tile, int count, const float *m,
                       int first_channel, int last_channel) {
    const nrt_conv2d_desc &d = p.d;
    const int channels = d.out_c;
    const int64_t stride = position_stride(count, channels);
    for (int t = 0; t < count; ++t) {
        int64_t n;
        int y0, x0;
        g.locate(first_tile + t, n, y0, x0);
        float *image = p.dst + n * d.out_h * d.out_w * channels;
        for (int c = first_channel; c < last_channel; c += kLanes) {
            const int lanes = std::min(kLanes, last_channel - c);
            const Vec bias = p.bias == nullptr ? zero() : load_first(p.bias + c, lanes);
            Vec rows[kInputTile][kTile];  // A^T applied along each row of M
            for (int i = 0; i < kInputTile; ++i) {
                Vec row[6];
                for (int j = 0; j < kInputTile; ++j)
                    row[j] = load_first(m + (i * kInputTile + j) * stride + int64_t{t} * channels + c, lanes);
                output_transform_6(row, rows[i]);
            }
            for (int j = 0; j < kTile && x0 + j < d.out_w; ++j) {
                const Vec column[6] = {rows[0][j], rows[1][j], rows[2][j], rows[3][j], rows[4][j], rows[5][j]};
                Vec out[4];
                output_transform_6(column, out);
                for (int i = 0; i < kTile && y0 + i < d.out_h; ++i)
                    store_first(image + ((y0 + i) * d.out_w + x0 + j) * channels + c,
                                activate(out[i] + bias, d.activation, d.alpha), lanes);
            }
        }
    }
}

}  // namespace

void conv2d_nhwc_winograd_f32(const Conv2dProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const Tiles g = tiles_of(d, p.batch);
    const int ic = d.in_c, oc = d.out_c;
    const int64_t blocks = ceil_div(g.count, kGemmRows), column_tiles = ceil_div(oc, gemm::kTileColumns);
    const int64_t splits = blocks < resolve_threads(p.threads) ? column_tiles : 1;  // channel groups per block
    const int64_t u_position = conv2d_winograd_position_floats(d), u_panel = int64_t{ic} * kConvOcBlock;
    const float *u = p.winograd_weights();

    parallel_for(blocks * splits, p.threads, [&](int64_t begin, int64_t end) {
        float *v = thread_scratch(kPositions * (position_stride(kGemmRows, ic) + position_stride(kGemmRows, oc)),
                                  ScratchSlot::kTask);
        float *m = v + kPositions * position_stride(kGemmRows, ic);
        alignas(64) float no_bias[kOcBlock] = {};
        for (int64_t task = begin; task < end; ++task) {
            const int64_t block = task / splits, split = task % splits;
            const int64_t first_column = column_tiles * split / splits, last_column = column_tiles * (split + 1) / splits;
            const int64_t first_tile = block * kGemmRows;
            const int count = static_cast<int>(std::min<int64_t>(kGemmRows, g.count - first_tile));
            transform_inputs(p, g, first_tile, count, v, position_stride(count, ic));
            for (int position = 0; position < kPositions; ++position) {
                const float *vp = v + position * position_stride(count, ic);
                float *mp = m + position * position_stride(count, oc);
                for (int64_t column = first_column; column < last_column; ++column) {
                    const int first = static_cast<int>(column * gemm::kTileColumns);
                    const int valid = std::min(gemm::kTileColumns, oc - first);
                    const float *w = u + position * u_position + first / kConvOcBlock * u_panel + first % kConvOcBlock;
                    gemm::kTiles[valid > kLanes][count - 1](vp, ic, ic, w, no_bias, mp + first, oc, valid, NRT_ACT_NONE, 0.f);
                }
            }
            transform_outputs(p, g, first_tile, count, m, static_cast<int>(first_column * gemm::kTileColumns),
                              static_cast<int>(std::min<int64_t>(oc, last_column * gemm::kTileColumns)));
        }
    });
}

// U = G g G^T for every input-output channel pair, a vector of output channels at a time, in
// float (the reference works in double; the two differ by a few ulp of U, far below the
// transforms' own rounding). Lanes past the last output channel load as zero, and so write the
// oc block's padding. A training step repacks every kernel it changed; as baseline code in
// double it took as long as the seed CNN's conv3 forward pass (its pack: 60-76 us, now 28-51).
//
// kStagedChannels input channels are transformed before any is stored, then stored a position
// at a time: one channel's 36 positions lie a multiple of 4 KB apart, in one L1 set, and
// storing them together evicted every line before it was full (conv3: 1.5x the time). Input
// channels outermost read each kernel row once.
void conv2d_winograd_pack_f32(const WinogradPackProblem &p) {
    constexpr int kStagedChannels = 8;
    const nrt_conv2d_desc &d = p.d;
    const int64_t position = conv2d_winograd_position_floats(d), padded = ceil_div(d.out_c, kConvOcBlock) * kConvOcBlock;
    static_assert(kConvOcBlock % kLanes == 0, "a vector of output channels lies in one oc block");
    Vec staged[kStagedChannels][kPositions];
    for (int first_ic = 0; first_ic < d.in_c; first_ic += kStagedChannels) {
        const int channels = std::min(kStagedChannels, d.in_c - first_ic);
        for (int64_t first = 0; first < padded; first += kLanes) {
            const int lanes = static_cast<int>(std::clamp<int64_t>(d.out_c - first, 0, kLanes));
            for (int c = 0; c < channels; ++c) {
                Vec g[3][3], gg[6][3];  // gg = G g
                for (int kh = 0; kh < 3; ++kh)
                    for (int kw = 0; kw < 3; ++kw) {
                        const float *from = p.hwio + ((int64_t{kh} * 3 + kw) * d.in_c + first_ic + c) * d.out_c + first;
                        g[kh][kw] = lanes > 0 ? load_first(from, lanes) : zero();
                    }
                for (int kw = 0; kw < 3; ++kw) {
                    Vec column[6];
                    kernel_transform_3(g[0][kw], g[1][kw], g[2][kw], column);
                    for (int i = 0; i < 6; ++i) gg[i][kw] = column[i];
                }
                for (int i = 0; i < 6; ++i) {
                    Vec row[6];  // row i of gg G^T
                    kernel_transform_3(gg[i][0], gg[i][1], gg[i][2], row);
                    for (int j = 0; j < 6; ++j) staged[c][i * 6 + j] = row[j];
                }
            }
            float *u = p.u + first / kConvOcBlock * (int64_t{d.in_c} * kConvOcBlock) + int64_t{first_ic} * kConvOcBlock +
                       first % kConvOcBlock;
            for (int at = 0; at < kPositions; ++at)
                for (int c = 0; c < channels; ++c) store(u + at * position + c * kConvOcBlock, staged[c][at]);
        }
    }
}

}  // namespace NRT_SIMD
}  // namespace neurite

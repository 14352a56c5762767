// The kernel's gradient of a convolution, dW[tap, c, o] = sum over output pixels of
// x[pixel shifted by the tap, c] * dY[pixel, o], read straight from the (zero-padded) input
// and the output's gradient: register tiles of kGemmRows (tap, channel) rows by two vectors of
// output channels, each row a fixed offset from the pixel's corner in the padded input.
//
// The pixels are cut into chunks whose number depends on the problem only; chunks sum apart
// and then in order, so the bits never depend on the thread count. Within a chunk a task owns
// a group of tiles and walks the chunk a block of pixels at a time, every tile of its group
// over the block before the next block: the block's output gradient stays in cache for all of
// them, where a tile that ran over the whole chunk alone would stream it again from memory.
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "../common/padded_input.h"
#include "../common/packing.h"
#include "../common/scratch.h"
#include "../common/thread_pool.h"
#include "gemm_tile.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int kVecs = 2;
constexpr int kTileColumns = kVecs * kLanes;
constexpr int64_t kChunkPixels = 4096;   // enough work per chunk to amortise its partial sums
constexpr int64_t kBlockFloats = 32768;  // a block's output gradient: 128 KB, within L2 beside its input rows

// Where output pixels' windows start in the padded input, walked pixel by pixel: a step along
// a row, and a jump past the end of a row and of an image, so that no pixel is divided out.
struct PixelWalk {
    int64_t out_w, out_h, step, row_jump, image_jump;
};

// One tile over `pixels` pixels from the one whose window starts at `corner` (at ow, oh): out[kRows][columns]
// (+)= the sum of x[corner + row offset] * dy[pixel]. With kContiguous the rows are consecutive
// channels of one tap, so their offsets are the first one's plus r and take no registers.
template <int kRows, bool kContiguous>
void tile(const float *corner, int64_t ow, int64_t oh, const PixelWalk &walk, int64_t pixels, const float *dy,
          int64_t dy_stride, const int64_t *row_offsets, int columns, bool accumulate, float *out, int64_t out_stride) {
    Vec acc[kRows][kVecs];
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < kVecs; ++v) acc[r][v] = zero();
    const int lanes0 = std::min(columns, kLanes), lanes1 = std::max(0, columns - kLanes);
    const Mask mask0 = first_lanes(lanes0), mask1 = first_lanes(lanes1);
    const bool whole = columns == kTileColumns;
    if (kContiguous) corner += row_offsets[0];
    for (int64_t k = 0; k < pixels; ++k, dy += dy_stride) {
        const Vec dy_k[kVecs] = {whole ? load(dy) : load(dy, mask0),
                                 whole ? load(dy + kLanes) : lanes1 > 0 ? load(dy + kLanes, mask1) : zero()};
        gemm::multiply_add(acc, [&](int r) { return corner + (kContiguous ? r : row_offsets[r]); }, dy_k);
        corner += walk.step;
        if (++ow == walk.out_w) {
            ow = 0;
            corner += walk.row_jump;
            if (++oh == walk.out_h) oh = 0, corner += walk.image_jump;
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
        float *o = out + r * out_stride;
        if (accumulate) {
            acc[r][0] = acc[r][0] + load_first(o, lanes0);
            if (lanes1 > 0) acc[r][1] = acc[r][1] + load_first(o + kLanes, lanes1);
        }
        store_first(o, acc[r][0], lanes0);
        if (lanes1 > 0) store_first(o + kLanes, acc[r][1], lanes1);
    }
}

using TileFunction = void (*)(const float *, int64_t, int64_t, const PixelWalk &, int64_t, const float *, int64_t,
                              const int64_t *, int, bool, float *, int64_t);

template <bool kContiguous, int... kRowsMinusOne>
constexpr std::array<TileFunction, sizeof...(kRowsMinusOne)> tiles(std::integer_sequence<int, kRowsMinusOne...>) {
    return {tile<kRowsMinusOne + 1, kContiguous>...};
}
// kTiles[contiguous][rows - 1]
constexpr std::array<std::array<TileFunction, kGemmRows>, 2> kTiles = {
    tiles<false>(std::make_integer_sequence<int, kGemmRows>{}), tiles<true>(std::make_integer_sequence<int, kGemmRows>{})};

}  // namespace

void conv2d_backward_weights_f32(const Conv2dBackwardWeightsProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const Conv2dProblem as_forward{d, p.batch, p.src, nullptr, nullptr, nullptr, p.threads};
    const PaddedInput x = pad_for_convolution(as_forward);
    PixelWalk walk{d.out_w, d.out_h, int64_t{d.stride_w} * d.in_c,
                   (int64_t{d.stride_h} * x.width - int64_t{d.out_w} * d.stride_w) * d.in_c,
                   (x.height - int64_t{d.out_h} * d.stride_h) * x.width * d.in_c};
    // Evenly spaced pixels (a dense layer as a 1x1 convolution: a row of one pixel) never end
    // a row: the taken branches of a row end at every pixel took as long as the FMAs of
    // AVX2's 6-row tile.
    if (walk.row_jump == 0 && walk.image_jump == 0) walk.out_w = INT64_MAX;
    const int64_t rows_m = int64_t{d.kernel_h} * d.kernel_w * d.in_c, columns = d.out_c;
    const int64_t pixels = int64_t{p.batch} * d.out_h * d.out_w;
    const int64_t chunks = ceil_div(pixels, kChunkPixels);
    const int64_t block_pixels = std::max<int64_t>(kLanes, kBlockFloats / columns);
    const int64_t row_tiles = ceil_div(rows_m, kGemmRows), tiles_per_chunk = row_tiles * ceil_div(columns, kTileColumns);
    // Enough task groups of tiles for every thread to have work; they decide who computes a tile, never its sums' order.
    const int64_t task_groups = std::min(tiles_per_chunk, ceil_div(2 * resolve_threads(p.threads), chunks));
    // One chunk writes the gradient itself; more write partial sums, added up in chunk order after.
    float *partial = chunks == 1 ? p.d_hwio : thread_scratch(chunks * rows_m * columns, ScratchSlot::kGradientLeft);
    parallel_for(chunks * task_groups, p.threads, [&](int64_t begin, int64_t end) {
        int64_t row_offsets[kGemmRows];
        for (int64_t task = begin; task < end; ++task) {
            const int64_t chunk = task / task_groups, group = task % task_groups;
            const int64_t first_tile = group * tiles_per_chunk / task_groups, last_tile = (group + 1) * tiles_per_chunk / task_groups;
            const int64_t chunk_end = std::min(pixels, (chunk + 1) * kChunkPixels);
            float *chunk_out = partial + chunk * rows_m * columns;
            for (int64_t block = chunk * kChunkPixels; block < chunk_end; block += block_pixels) {
                const int64_t block_size = std::min(block_pixels, chunk_end - block);
                const int64_t ow = block % d.out_w, oh = block / d.out_w % d.out_h, n = block / d.out_w / d.out_h;
                const float *corner = x.data + ((n * x.height + oh * d.stride_h) * x.width + ow * d.stride_w) * d.in_c;
                const float *block_dy = p.d_pre + block * columns;
                // Column-major over the group's tiles: a column panel of the block stays in L1 across its row tiles.
                for (int64_t t = first_tile; t < last_tile; ++t) {
                    const int64_t first_m = t % row_tiles * kGemmRows, first_column = t / row_tiles * kTileColumns;
                    const int rows = static_cast<int>(std::min<int64_t>(kGemmRows, rows_m - first_m));
                    int64_t c = first_m % d.in_c, kw = first_m / d.in_c % d.kernel_w, kh = first_m / d.in_c / d.kernel_w;
                    for (int r = 0; r < rows; ++r) {
                        row_offsets[r] = (kh * d.dilation_h * x.width + kw * d.dilation_w) * d.in_c + c;
                        if (++c == d.in_c) {
                            c = 0;
                            if (++kw == d.kernel_w) kw = 0, ++kh;
                        }
                    }
                    const bool contiguous = first_m / d.in_c == (first_m + rows - 1) / d.in_c;
                    kTiles[contiguous][rows - 1](corner, ow, oh, walk, block_size, block_dy + first_column, columns, row_offsets,
                                                 static_cast<int>(std::min<int64_t>(kTileColumns, columns - first_column)),
                                                 block > chunk * kChunkPixels, chunk_out + first_m * columns + first_column,
                                                 columns);
                }
            }
        }
    });
    if (chunks > 1) {
        parallel_for(rows_m, p.threads, [&](int64_t begin, int64_t end) {
            for (int64_t m = begin; m < end; ++m) {
                float *out = p.d_hwio + m * columns;
                std::copy(partial + m * columns, partial + (m + 1) * columns, out);
                for (int64_t chunk = 1; chunk < chunks; ++chunk) {
                    const float *add = partial + (chunk * rows_m + m) * columns;
                    for (int64_t o = 0; o < columns; ++o) out[o] += add[o];
                }
            }
        });
    }
    if (p.d_bias == nullptr) return;
    // Over the pixels in order, a vector of output channels at a time.
    parallel_for(ceil_div(columns, kLanes), p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t v = begin; v < end; ++v) {
            const int lanes = static_cast<int>(std::min<int64_t>(kLanes, columns - v * kLanes));
            Vec sum = zero();
            for (int64_t k = 0; k < pixels; ++k) sum = sum + load_first(p.d_pre + k * columns + v * kLanes, lanes);
            store_first(p.d_bias + v * kLanes, sum, lanes);
        }
    });
}

}  // namespace NRT_SIMD
}  // namespace neurite

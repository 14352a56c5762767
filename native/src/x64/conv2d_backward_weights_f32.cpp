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
//
// 3x3 stride-1 layers of 16+ channels take Winograd's F(4x4, 3x3) instead, at the end of the file.
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
#include "winograd_f4x3.h"

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

// Tile `t` of `count` that cut `total` rows evenly: its first row and how many. An FMA's latency
// takes 8 chains of them in flight on two pipes, which 2 rows of 2 vectors fall short of: 32
// rows as 6+6+6+6+6+2 left the last tile at half speed, where 6+6+5+5+5+5 keeps every one busy.
struct RowTile {
    int64_t first;
    int rows;
};

inline RowTile row_tile(int64_t t, int64_t count, int64_t total) {
    const int64_t first = t * total / count;
    return {first, static_cast<int>((t + 1) * total / count - first)};
}

// out[kVecs vectors] = the sums of `count` rows `stride` floats apart, the last vector's first
// `tail` lanes alone: a vector of sums per vector of channels, never one chain of dependent
// additions.
template <int kVecs>
void sum_rows(const float *rows, int64_t count, int64_t stride, int tail, float *out) {
    Vec sums[kVecs];
#pragma GCC unroll 8
    for (int v = 0; v < kVecs; ++v) sums[v] = zero();
    for (int64_t k = 0; k < count; ++k, rows += stride)
#pragma GCC unroll 8
        for (int v = 0; v < kVecs; ++v) sums[v] = sums[v] + (v + 1 < kVecs ? load(rows + v * kLanes) : load_first(rows + v * kLanes, tail));
#pragma GCC unroll 8
    for (int v = 0; v + 1 < kVecs; ++v) store(out + v * kLanes, sums[v]);
    store_first(out + (kVecs - 1) * kLanes, sums[kVecs - 1], tail);
}

using SumFunction = void (*)(const float *, int64_t, int64_t, int, float *);
template <int... kVecsMinusOne>
constexpr std::array<SumFunction, sizeof...(kVecsMinusOne)> sums(std::integer_sequence<int, kVecsMinusOne...>) {
    return {sum_rows<kVecsMinusOne + 1>...};
}
constexpr int kSumVectors = 8;
constexpr std::array<SumFunction, kSumVectors> kSums = sums(std::make_integer_sequence<int, kSumVectors>{});

// The bias' gradient, if asked: the pixels in chunks of a fixed size, each chunk's sums in one
// pass over its rows (one sum per vector of channels over every pixel took 3% of the seed CNN's
// training step: a chain of dependent additions, streaming the rows once per vector), then the
// chunks' sums added in order.
void bias_gradient(const Conv2dBackwardWeightsProblem &p) {
    if (p.d_bias == nullptr) return;
    constexpr int64_t kChunkPixels = 512;
    const int columns = p.d.out_c;
    const int64_t pixels = int64_t{p.batch} * p.d.out_h * p.d.out_w, chunks = ceil_div(pixels, kChunkPixels);
    float *partial = thread_scratch(chunks * columns, ScratchSlot::kGradientRight);
    parallel_for(chunks, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t chunk = begin; chunk < end; ++chunk) {
            const int64_t first = chunk * kChunkPixels, count = std::min(pixels, first + kChunkPixels) - first;
            for (int c = 0; c < columns; c += kSumVectors * kLanes) {
                const int vectors = static_cast<int>(std::min<int64_t>(kSumVectors, ceil_div(columns - c, kLanes)));
                const int tail = columns - c - (vectors - 1) * kLanes;
                kSums[vectors - 1](p.d_pre + first * columns + c, count, columns, std::min(tail, kLanes),
                                   partial + chunk * columns + c);
            }
        }
    });
    for (int o = 0; o < columns; ++o) {
        float sum = partial[o];
        for (int64_t chunk = 1; chunk < chunks; ++chunk) sum += partial[chunk * columns + o];
        p.d_bias[o] = sum;
    }
}

// dW[kh][kw][c][o] = G^T M G for every input channel c and the output channels
// [first_column, first_column + columns), M[position][c][o - first_column] positions `stride`
// floats apart.
void transform_kernel_gradients(const Conv2dBackwardWeightsProblem &p, const float *m, int64_t stride, int first_column,
                                int columns) {
    using namespace winograd;
    const int ic = p.d.in_c, oc = p.d.out_c;
    for (int c = 0; c < ic; ++c)
        for (int o = 0; o < columns; o += kLanes) {
            const int lanes = std::min(kLanes, columns - o);
            Vec rows[kInputTile][3];  // M G, row by row
            for (int i = 0; i < kInputTile; ++i) {
                Vec row[6];
                for (int j = 0; j < kInputTile; ++j)
                    row[j] = load_first(m + (i * kInputTile + j) * stride + int64_t{c} * columns + o, lanes);
                kernel_gradient_transform_6(row, rows[i]);
            }
            for (int kw = 0; kw < 3; ++kw) {
                const Vec column[6] = {rows[0][kw], rows[1][kw], rows[2][kw], rows[3][kw], rows[4][kw], rows[5][kw]};
                Vec taps[3];
                kernel_gradient_transform_6(column, taps);
                for (int kh = 0; kh < 3; ++kh)
                    store_first(p.d_hwio + ((int64_t{kh} * 3 + kw) * ic + c) * oc + first_column + o, taps[kh], lanes);
            }
        }
}

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
                    const auto [first_m, rows] = row_tile(t % row_tiles, row_tiles, rows_m);
                    const int64_t first_column = t / row_tiles * kTileColumns;
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
    bias_gradient(p);
}

// The kernel's gradient of a 3x3 stride-1 convolution by Winograd's F(4x4, 3x3) run
// backwards (winograd_f4x3.h): the input's 6x6 blocks transformed as V = B^T x B, the output
// gradient's 4x4 blocks as D = A dY A^T, then per position of the 6x6 transform M[c][o] = the
// sum over the blocks of V[block][c] D[block][o], a GEMM along the blocks with the direct
// kernel's register tile; then dW = G^T M G. 36 products per channel pair and block where
// direct summation takes 144 (9 for each of 16 pixels).
//
// Accuracy: the transforms' coefficients (up to 8 and 5, and their inverses) make rounding
// about ten times direct summation's: on random data the largest error is 1.2e-6 of the sum of
// the terms' magnitudes (direct: 2e-7), 1.2e-5 of the largest entry; ConvolutionTest holds
// every entry to 1e-5 of its terms' magnitudes against the double-precision reference.
//
// Each thread takes a slice of the output channels and does all of its work: the input's
// transforms (every channel: the one piece done twice), its channels of the output gradient's,
// their products and G^T M G. Nothing one thread writes is read by another: when the host
// puts two vCPUs far apart, the transforms handed from one to the other for the products (4 MB
// for the seed CNN's conv2) cost more than the products, and conv2 and conv3 took longer on 2
// threads than on 1. The blocks go in chunks of a size fixed by the problem, a chunk's
// transforms within L2 beside M; each position's sums are added to M in block order, whatever
// the threads.
void conv2d_backward_weights_winograd_f32(const Conv2dBackwardWeightsProblem &p) {
    using namespace winograd;
    constexpr int64_t kChunkFloats = int64_t{1} << 17;  // 512 KB of transforms per chunk...
    constexpr int64_t kMinChunkTiles = 32;              // ...unless the products' sums would get too short
    const nrt_conv2d_desc &d = p.d;
    const Tiles g = tiles_of(d, p.batch);
    const int ic = d.in_c, oc = d.out_c;
    const int64_t chunks = ceil_div(g.count, std::max(kMinChunkTiles, kChunkFloats / (kPositions * (ic + oc))));
    const int64_t chunk_tiles = ceil_div(g.count, chunks);
    const int64_t row_tiles = ceil_div(ic, kGemmRows), column_tiles = ceil_div(oc, kTileColumns);
    const int64_t slices = std::min<int64_t>(column_tiles, resolve_threads(p.threads));
    const Images input{p.src, d.in_h, d.in_w, ic, d.pad_top, d.pad_left}, gradient{p.d_pre, d.out_h, d.out_w, oc, 0, 0};
    parallel_for(slices, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t slice = begin; slice < end; ++slice) {
            const int first_column = static_cast<int>(slice * column_tiles / slices * kTileColumns);
            const int columns = static_cast<int>(std::min<int64_t>(oc, (slice + 1) * column_tiles / slices * kTileColumns)) -
                                first_column;
            const int64_t v_stride = position_stride(chunk_tiles, ic), dy_stride = position_stride(chunk_tiles, columns);
            const int64_t m_stride = position_stride(ic, columns);
            float *v = thread_scratch(kPositions * (v_stride + dy_stride + m_stride), ScratchSlot::kTask);
            float *dy = v + kPositions * v_stride, *m = dy + kPositions * dy_stride;
            const PixelWalk along_tiles{INT64_MAX, 1, ic, 0, 0};  // V's rows of one position, a tile apart
            for (int64_t first = 0; first < g.count; first += chunk_tiles) {
                const int count = static_cast<int>(std::min(chunk_tiles, g.count - first));
                transform_tiles<kInputTile, input_transform_6>(input, 0, ic, g, first, count, v, v_stride);
                transform_tiles<kTile, gradient_transform_4>(gradient, first_column, columns, g, first, count, dy, dy_stride);
                for (int position = 0; position < kPositions; ++position)
                    for (int column = 0; column < columns; column += kTileColumns)
                        for (int64_t tile = 0; tile < row_tiles; ++tile) {
                            const auto [first_row, rows] = row_tile(tile, row_tiles, ic);
                            kTiles[true][rows - 1](v + position * v_stride, 0, 0, along_tiles, count,
                                                   dy + position * dy_stride + column, columns, &first_row,
                                                   std::min(kTileColumns, columns - column), first > 0,
                                                   m + position * m_stride + first_row * columns + column, columns);
                        }
            }
            transform_kernel_gradients(p, m, m_stride, first_column, columns);
        }
    });
    bias_gradient(p);
}

}  // namespace NRT_SIMD
}  // namespace neurite

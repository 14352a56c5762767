// The kernel's gradient of a convolution, dW[tap, c, o] = sum over output pixels of
// x[pixel shifted by the tap, c] * dY[pixel, o], read straight from the (zero-padded) input
// and the output's gradient: register tiles of kGemmRows (tap, channel) rows by two vectors of
// output channels, each row a fixed offset from the pixel's corner in the padded input. The
// pixels are cut into chunks of whole output rows whose number depends on the problem only;
// chunks sum apart and then in order, so the bits never depend on the thread count.
#include <algorithm>
#include <array>
#include <utility>

#include "../common/padded_input.h"
#include "../common/packing.h"
#include "../common/scratch.h"
#include "../common/thread_pool.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int kVecs = 2;
constexpr int kTileColumns = kVecs * kLanes;
constexpr int64_t kChunkPixels = 4096;  // enough work per chunk to amortise its partial sums

struct Shape {
    const nrt_conv2d_desc &d;
    PaddedInput x;
    const float *dy;
};

// Sums rows [first_row, last_row) of output pixels (row = n * out_h + oh) into out[kRows][columns].
template <int kRows>
void tile(const Shape &s, const int64_t *offsets, int first_column, int columns, int64_t first_row, int64_t last_row,
          float *out, int64_t out_stride) {
    const nrt_conv2d_desc &d = s.d;
    Vec acc[kRows][kVecs];
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < kVecs; ++v) acc[r][v] = zero();
    const int lanes0 = std::min(columns, kLanes), lanes1 = std::max(0, columns - kLanes);
    const int64_t x_pixel = int64_t{d.stride_w} * d.in_c;
    for (int64_t row = first_row; row < last_row; ++row) {
        const int64_t n = row / d.out_h, oh = row % d.out_h;
        const float *x = s.x.data + ((n * s.x.height + oh * d.stride_h) * s.x.width) * d.in_c;
        const float *dy = s.dy + row * d.out_w * d.out_c + first_column;
        for (int ow = 0; ow < d.out_w; ++ow, x += x_pixel, dy += d.out_c) {
            const Vec dy0 = lanes0 == kLanes ? load(dy) : load(dy, first_lanes(lanes0));
            const Vec dy1 = lanes1 == kLanes ? load(dy + kLanes) : lanes1 > 0 ? load(dy + kLanes, first_lanes(lanes1)) : zero();
#pragma GCC unroll 16
            for (int r = 0; r < kRows; ++r) {
                const Vec xv = broadcast(x + offsets[r]);
                acc[r][0] = fmadd(xv, dy0, acc[r][0]);
                acc[r][1] = fmadd(xv, dy1, acc[r][1]);
            }
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
        store_first(out + r * out_stride, acc[r][0], lanes0);
        if (lanes1 > 0) store_first(out + r * out_stride + kLanes, acc[r][1], lanes1);
    }
}

using TileFunction = void (*)(const Shape &, const int64_t *, int, int, int64_t, int64_t, float *, int64_t);

template <int... kRowsMinusOne>
constexpr std::array<TileFunction, sizeof...(kRowsMinusOne)> tiles(std::integer_sequence<int, kRowsMinusOne...>) {
    return {tile<kRowsMinusOne + 1>...};
}
constexpr std::array<TileFunction, kGemmRows> kTiles = tiles(std::make_integer_sequence<int, kGemmRows>{});

}  // namespace

void conv2d_backward_weights_f32(const Conv2dBackwardWeightsProblem &p) {
    const nrt_conv2d_desc &d = p.d;
    const Conv2dProblem as_forward{d, p.batch, p.src, nullptr, nullptr, nullptr, p.threads};
    const Shape s{d, pad_for_convolution(as_forward), p.d_pre};
    const int64_t rows_m = int64_t{d.kernel_h} * d.kernel_w * d.in_c, columns = d.out_c;
    const int64_t output_rows = int64_t{p.batch} * d.out_h;
    const int64_t rows_per_chunk = std::max<int64_t>(1, kChunkPixels / d.out_w);
    const int64_t chunks = ceil_div(output_rows, rows_per_chunk);
    const int64_t row_tiles = ceil_div(rows_m, kGemmRows), column_tiles = ceil_div(columns, kTileColumns);
    // One chunk writes the gradient itself; more write partial sums, added up in chunk order after.
    float *partial = chunks == 1 ? p.d_hwio : thread_scratch(chunks * rows_m * columns, ScratchSlot::kGradientLeft);
    parallel_for(chunks * row_tiles * column_tiles, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t chunk = task / (row_tiles * column_tiles), tile_index = task % (row_tiles * column_tiles);
            const int64_t first_m = tile_index / column_tiles * kGemmRows;
            const int rows = static_cast<int>(std::min<int64_t>(kGemmRows, rows_m - first_m));
            const int first_column = static_cast<int>(tile_index % column_tiles * kTileColumns);
            const int count = static_cast<int>(std::min<int64_t>(kTileColumns, columns - first_column));
            int64_t offsets[kGemmRows];
            for (int r = 0; r < rows; ++r) {
                const int64_t m = first_m + r, tap = m / d.in_c, c = m % d.in_c;
                offsets[r] = ((tap / d.kernel_w) * d.dilation_h * s.x.width + (tap % d.kernel_w) * d.dilation_w) * d.in_c + c;
            }
            const int64_t first_row = chunk * rows_per_chunk, last_row = std::min(output_rows, first_row + rows_per_chunk);
            kTiles[rows - 1](s, offsets, first_column, count, first_row, last_row,
                             partial + (chunk * rows_m + first_m) * columns + first_column, columns);
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
    const int64_t pixels = output_rows * d.out_w;
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

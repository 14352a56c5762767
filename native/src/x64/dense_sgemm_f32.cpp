// Dense layer as an SGEMM, y[M, N] = act(x[M, K] W[K, N] + b), on W pre-packed in panels of
// 32 columns ([N/32][K][32], packing.h). A register tile is kGemmRows rows of x by two
// vectors of a panel (all of it on AVX-512, one half on AVX2): per k, two weight loads and
// kGemmRows broadcasts feed 2 * kGemmRows FMAs. Tiles walk the columns for a fixed block of
// rows, so those rows stay in L1 while the panels stream from L2.
#include <algorithm>
#include <array>
#include <utility>

#include "../common/packed_bias.h"
#include "../common/packing.h"
#include "../common/thread_pool.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int kTileColumns = 2 * kLanes;
static_assert(kDenseOcBlock % kTileColumns == 0, "a tile covers whole vectors of one panel");

// kVecs (1 or 2) vectors: a tile whose columns fit in one vector skips the empty one.
template <int kRows, int kVecs>
void gemm_tile(const float *x, int64_t k_size, const float *w, const float *bias, float *y, int64_t y_stride, int valid,
               int activation, float alpha) {
    Vec acc[kRows][kVecs];
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < kVecs; ++v) acc[r][v] = load(bias + v * kLanes);

    for (int64_t k = 0; k < k_size; ++k, w += kDenseOcBlock) {
        Vec wv[kVecs];
#pragma GCC unroll 2
        for (int v = 0; v < kVecs; ++v) wv[v] = load(w + v * kLanes);
#pragma GCC unroll 16
        for (int r = 0; r < kRows; ++r) {
            const Vec xv = broadcast(x + r * k_size + k);
#pragma GCC unroll 2
            for (int v = 0; v < kVecs; ++v) acc[r][v] = fmadd(xv, wv[v], acc[r][v]);
        }
    }

#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) store_activated<kVecs>(y + r * y_stride, acc[r], valid, activation, alpha);
}

using Tile = void (*)(const float *, int64_t, const float *, const float *, float *, int64_t, int, int, float);

template <int kVecs, int... kRowsMinusOne>
constexpr std::array<Tile, sizeof...(kRowsMinusOne)> tiles(std::integer_sequence<int, kRowsMinusOne...>) {
    return {gemm_tile<kRowsMinusOne + 1, kVecs>...};
}
// kTiles[vectors - 1][rows - 1]
constexpr std::array<Tile, kGemmRows> kTiles[2] = {tiles<1>(std::make_integer_sequence<int, kGemmRows>{}),
                                                   tiles<2>(std::make_integer_sequence<int, kGemmRows>{})};

}  // namespace

void dense_sgemm_f32(const DenseProblem &p) {
    const nrt_dense_desc &d = p.d;
    const int64_t k_size = d.in_features, n_size = d.out_features;
    const int64_t column_tiles = ceil_div(n_size, kTileColumns), row_blocks = ceil_div(p.batch, kGemmRows);
    const int64_t panel_floats = dense_panel_floats(d);

    parallel_for(row_blocks * column_tiles, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t first_row = task / column_tiles * kGemmRows;
            const int rows = static_cast<int>(std::min<int64_t>(kGemmRows, p.batch - first_row));
            const int first_column = static_cast<int>(task % column_tiles * kTileColumns);
            const int columns = static_cast<int>(std::min<int64_t>(kTileColumns, n_size - first_column));
            alignas(64) float bias[kOcBlock];
            fill_bias_block(p.bias, first_column, columns, bias);
            const float *w = p.packed + first_column / kDenseOcBlock * panel_floats + first_column % kDenseOcBlock;
            kTiles[columns > kLanes][rows - 1](p.src + first_row * k_size, k_size, w, bias,
                                               p.dst + first_row * n_size + first_column, n_size, columns, d.activation,
                                               d.alpha);
        }
    });
}

}  // namespace NRT_SIMD
}  // namespace neurite

// Dense layer as an SGEMM, y[M, N] = act(x[M, K] W[K, N] + b), with a 6x16 register tile:
// 6 rows of x by one 16-wide panel of the pre-packed W ([N/16][K][16]), 12 accumulators.
// Per k: two weight loads, six broadcasts, twelve FMAs. Tiles walk the panels for a fixed
// block of rows, so those rows stay in L1 while the panels stream from L2.
#include <immintrin.h>

#include <algorithm>

#include "../../common/packed_bias.h"
#include "../../common/packing.h"
#include "../../common/thread_pool.h"
#include "kernels_avx2.h"
#include "math_avx2.h"

namespace neurite {
namespace {

constexpr int kRows = 6;

template <int kTileRows>
void gemm_tile(const float *x, int64_t k_size, const float *panel, const float *bias16, float *y,
               int64_t y_stride, int valid_columns, int activation, float alpha) {
    __m256 acc[kTileRows][2];
    const __m256 bias_lo = _mm256_load_ps(bias16), bias_hi = _mm256_load_ps(bias16 + 8);
#pragma GCC unroll 6
    for (int r = 0; r < kTileRows; ++r) acc[r][0] = bias_lo, acc[r][1] = bias_hi;

    const float *w = panel;
    for (int64_t k = 0; k < k_size; ++k, w += 16) {
        // Unaligned loads: the C API promises nothing about where callers put their weights.
        const __m256 w_lo = _mm256_loadu_ps(w), w_hi = _mm256_loadu_ps(w + 8);
#pragma GCC unroll 6
        for (int r = 0; r < kTileRows; ++r) {
            const __m256 v = _mm256_broadcast_ss(x + r * k_size + k);
            acc[r][0] = _mm256_fmadd_ps(v, w_lo, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(v, w_hi, acc[r][1]);
        }
    }

#pragma GCC unroll 6
    for (int r = 0; r < kTileRows; ++r)
        store_activated_16(y + r * y_stride, acc[r][0], acc[r][1], valid_columns, activation, alpha);
}

using TileFunction = void (*)(const float *, int64_t, const float *, const float *, float *, int64_t, int, int, float);
constexpr TileFunction kTiles[kRows + 1] = {nullptr,          gemm_tile<1>, gemm_tile<2>, gemm_tile<3>,
                                            gemm_tile<4>,     gemm_tile<5>, gemm_tile<6>};

}  // namespace

void dense_sgemm_6x16_f32_avx2(const DenseProblem &p) {
    const nrt_dense_desc &d = p.d;
    const int64_t k_size = d.in_features, n_size = d.out_features;
    const int64_t panels = ceil_div(n_size, kDenseOcBlock), row_blocks = ceil_div(p.batch, kRows);
    const int64_t panel_floats = dense_panel_floats(d);

    parallel_for(row_blocks * panels, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t first_row = task / panels * kRows, panel = task % panels;
            const int rows = static_cast<int>(std::min<int64_t>(kRows, p.batch - first_row));
            const int first_column = static_cast<int>(panel * kDenseOcBlock);
            const int columns = static_cast<int>(std::min<int64_t>(kDenseOcBlock, n_size - first_column));
            alignas(32) float bias16[16];
            fill_bias_block(p.bias, first_column, columns, bias16);
            kTiles[rows](p.src + first_row * k_size, k_size, p.packed + panel * panel_floats, bias16,
                         p.dst + first_row * n_size + first_column, n_size, columns, d.activation, d.alpha);
        }
    });
}

}  // namespace neurite

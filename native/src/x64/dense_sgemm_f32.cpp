// Dense layer as an SGEMM, y[M, N] = act(x[M, K] W[K, N] + b), on W pre-packed in panels of
// 32 columns ([N/32][K][32], packing.h), in register tiles of kGemmRows rows of x by two
// vectors of a panel (all of it on AVX-512, one half on AVX2; gemm_tile.h). Tiles walk the
// columns for a fixed block of rows, so those rows stay in L1 while the panels stream from L2.
#include <algorithm>

#include "../common/packed_bias.h"
#include "../common/packing.h"
#include "../common/thread_pool.h"
#include "gemm_tile.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {

void dense_sgemm_f32(const DenseProblem &p) {
    const nrt_dense_desc &d = p.d;
    const int64_t k_size = d.in_features, n_size = d.out_features;
    const int64_t column_tiles = ceil_div(n_size, gemm::kTileColumns), row_blocks = ceil_div(p.batch, kGemmRows);
    const int64_t panel_floats = dense_panel_floats(d);

    parallel_for(row_blocks * column_tiles, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t first_row = task / column_tiles * kGemmRows;
            const int rows = static_cast<int>(std::min<int64_t>(kGemmRows, p.batch - first_row));
            const int first_column = static_cast<int>(task % column_tiles * gemm::kTileColumns);
            const int columns = static_cast<int>(std::min<int64_t>(gemm::kTileColumns, n_size - first_column));
            alignas(64) float block[kOcBlock];
            const int vectors = columns > kLanes ? 2 : 1;
            const float *bias = bias_for_tile(p.bias, first_column, columns, vectors * kLanes, block);
            const float *w = p.packed + first_column / kDenseOcBlock * panel_floats + first_column % kDenseOcBlock;
            gemm::kTiles[vectors - 1][rows - 1](p.src + first_row * k_size, k_size, w, bias,
                                               p.dst + first_row * n_size + first_column, n_size, columns, d.activation,
                                               d.alpha);
        }
    });
}

}  // namespace NRT_SIMD
}  // namespace neurite

// Dense layer as an SGEMM, y[M, N] = act(x[M, K] W[K, N] + b), on W pre-packed in panels of
// 32 columns ([N/32][K][32], packing.h), in register tiles of kGemmRows rows of x by two
// vectors of a panel (all of it on AVX-512, one half on AVX2; gemm_tile.h).
//
// A W that fits in L2 is read from there by every task, one register tile over the whole of K
// each. A larger W would stream from L3 or memory once per kGemmRows rows (2048x2048x2048 ran
// at 52% of peak on AVX2 and 63% on AVX-512, Zen 4), so it goes in blocks as in GotoBLAS: a
// task owns a group of rows and a range of columns and walks K a block at a time. Within a
// block, each column tile's slice of W (a depth block of 32 columns) serves every row tile of
// the group while it is in L1, and the group's rows of x (its depth block of them) serve every
// column tile from L2.
#include <algorithm>

#include "../common/packed_bias.h"
#include "../common/packing.h"
#include "../common/thread_pool.h"
#include "gemm_tile.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int64_t kL2Floats = 1 << 18;  // 1 MB, Zen 4's L2 (Zen 3 has 512 KB: W between the two streams there)
constexpr int64_t kDepthBlock = 256;    // a column tile's slice of W: 32 KB
constexpr int64_t kGroupRowTiles = 8;   // the group's x for a depth block: 96 KB on AVX-512
constexpr int64_t kTasksPerThread = 4;  // a late thread's share can still be taken over

}  // namespace

void dense_sgemm_f32(const DenseProblem &p) {
    const nrt_dense_desc &d = p.d;
    const int64_t k_size = d.in_features, n_size = d.out_features;
    const int64_t column_tiles = ceil_div(n_size, gemm::kTileColumns), row_tiles = ceil_div(p.batch, kGemmRows);
    const int64_t panel_floats = dense_panel_floats(d);
    const bool blocked = k_size * n_size > kL2Floats;
    const int64_t depth_block = blocked ? kDepthBlock : k_size, group_tiles = blocked ? kGroupRowTiles : 1;
    const int64_t row_groups = ceil_div(row_tiles, group_tiles);
    const int64_t column_groups =
        blocked ? std::min(column_tiles, ceil_div(kTasksPerThread * resolve_threads(p.threads), row_groups)) : column_tiles;

    parallel_for(row_groups * column_groups, p.threads, [&](int64_t begin, int64_t end) {
        alignas(64) float block[kOcBlock];
        for (int64_t task = begin; task < end; ++task) {
            const int64_t group = task / column_groups, split = task % column_groups;
            const int64_t first_row_tile = group * group_tiles, last_row_tile = std::min(row_tiles, first_row_tile + group_tiles);
            const int64_t first_column_tile = column_tiles * split / column_groups;
            const int64_t last_column_tile = column_tiles * (split + 1) / column_groups;
            for (int64_t first_k = 0; first_k < k_size; first_k += depth_block) {
                const int64_t depth = std::min(depth_block, k_size - first_k);
                const int activation = first_k + depth == k_size ? d.activation : NRT_ACT_NONE;
                for (int64_t column_tile = first_column_tile; column_tile < last_column_tile; ++column_tile) {
                    const int first_column = static_cast<int>(column_tile * gemm::kTileColumns);
                    const int columns = static_cast<int>(std::min<int64_t>(gemm::kTileColumns, n_size - first_column));
                    const int vectors = columns > kLanes ? 2 : 1;
                    // Blocks after the first add to what the ones before wrote, bias included.
                    const float *bias =
                        first_k == 0 ? bias_for_tile(p.bias, first_column, columns, vectors * kLanes, block) : nullptr;
                    const float *w = p.packed + first_column / kDenseOcBlock * panel_floats + first_k * kDenseOcBlock +
                                     first_column % kDenseOcBlock;
                    for (int64_t row_tile = first_row_tile; row_tile < last_row_tile; ++row_tile) {
                        const int64_t first_row = row_tile * kGemmRows;
                        const int rows = static_cast<int>(std::min<int64_t>(kGemmRows, p.batch - first_row));
                        gemm::kTiles[vectors - 1][rows - 1](p.src + first_row * k_size + first_k, k_size, depth, w, bias,
                                                           p.dst + first_row * n_size + first_column, n_size, columns,
                                                           activation, d.alpha);
                    }
                }
            }
        }
    });
}

}  // namespace NRT_SIMD
}  // namespace neurite

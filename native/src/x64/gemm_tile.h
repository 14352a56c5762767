// The register-tile step of every GEMM-shaped kernel (multiply_add: the direct convolution, the
// weight gradient and BPTT use it too), and the SGEMM tile of the dense kernel and Winograd:
// y[rows, columns] = act(x[rows, K] W[K, columns] + bias) for up to kGemmRows rows of x and
// two vectors of columns of W pre-packed in panels of kDenseOcBlock columns ([K][32] per
// panel, packing.h). Per k: two weight loads and one broadcast per row feed 2 * rows FMAs.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "../common/packing.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace gemm {

constexpr int kTileColumns = 2 * kLanes;
static_assert(kDenseOcBlock % kTileColumns == 0, "a tile covers whole vectors of one panel");

// One step of every register tile here and in the convolution and recurrent kernels:
// acc[r][v] += *row(r) * w[v], each of the kVecs vectors of w loaded (or given) once for all
// kRows rows, each row's scalar broadcast once for all vectors.
template <int kRows, int kVecs, class Row>
inline void multiply_add(Vec (&acc)[kRows][kVecs], const Row &row, const Vec (&w)[kVecs]) {
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
        const Vec x = broadcast(row(r));
#pragma GCC unroll 4
        for (int v = 0; v < kVecs; ++v) acc[r][v] = fmadd(x, w[v], acc[r][v]);
    }
}

template <int kVecs>
inline void load_vectors(const float *from, Vec (&w)[kVecs]) {
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) w[v] = load(from + v * kLanes);
}

// kVecs (1 or 2) vectors: a tile whose columns fit in one vector skips the empty one. x rows
// are x_stride floats apart and the tile sums k_size of their floats; a null bias adds the sums
// to what y holds (a GEMM cut along K: every block of K after the first).
template <int kRows, int kVecs>
void gemm_tile(const float *x, int64_t x_stride, int64_t k_size, const float *w, const float *bias, float *y,
               int64_t y_stride, int valid, int activation, float alpha) {
    Vec acc[kRows][kVecs];
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < kVecs; ++v)
            acc[r][v] = bias != nullptr ? load(bias + v * kLanes)
                                        : load_first(y + r * y_stride + v * kLanes, std::clamp(valid - v * kLanes, 0, kLanes));

    for (int64_t k = 0; k < k_size; ++k, w += kDenseOcBlock) {
        Vec wv[kVecs];
        load_vectors(w, wv);
        multiply_add(acc, [&](int r) { return x + r * x_stride + k; }, wv);
    }

#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) store_activated<kVecs>(y + r * y_stride, acc[r], valid, activation, alpha);
}

using TileFunction = void (*)(const float *, int64_t, int64_t, const float *, const float *, float *, int64_t, int, int,
                             float);

template <int kVecs, int... kRowsMinusOne>
constexpr std::array<TileFunction, sizeof...(kRowsMinusOne)> tiles(std::integer_sequence<int, kRowsMinusOne...>) {
    return {gemm_tile<kRowsMinusOne + 1, kVecs>...};
}
// kTiles[vectors - 1][rows - 1]: `w` is the tile's first column (and first k) in a packed
// panel, `bias` the tile's kVecs vectors of biases (zeros for none; bias_for_tile).
constexpr std::array<TileFunction, kGemmRows> kTiles[2] = {tiles<1>(std::make_integer_sequence<int, kGemmRows>{}),
                                                   tiles<2>(std::make_integer_sequence<int, kGemmRows>{})};

}  // namespace gemm
}  // namespace NRT_SIMD
}  // namespace neurite

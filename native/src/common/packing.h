// The packed weight layouts. The reference, AVX2 and AVX-512 kernels all read the same
// layout, so weights packed once stay valid when the ISA cap changes. Blocks are as wide as
// the widest tile (two AVX-512 vectors); AVX2 tiles take a block in two halves.
//
// Convolution, general case: [group][oc block][kh][kw][ic per group][32], 32 output
//   channels of one group per block, zero-filled past the group's last channel. A direct
//   kernel then reads 32 consecutive weights per input channel: two AVX-512 vectors.
// Convolution, Winograd case (3x3, stride 1, no dilation, one group, wide enough): the general
//   layout, then the same weights transformed for Winograd's F(4x4, 3x3), U = G g G^T, as
//   [36 positions][oc block][ic][32]: per position, the packed panels of an ic x oc dense layer.
// Convolution, depthwise case (groups > 1, one input channel each, any multiplier): plain HWIO
//   [kh][kw][out_c], which already keeps neighbouring output channels together.
// Dense: [out block][in][32], zero-filled past the last output.
// RNN input kernel: the dense layout of [input_size, G * units], for the projection GEMM.
// RNN recurrent kernel: [unit block][units (k)][gate][16], 16 units of every gate of a block
//   side by side (one AVX-512 vector, two AVX2 ones), zero-filled past the last unit: one pass over h feeds all the gates of a
//   unit block, so the gate nonlinearities and the state update follow while it is in registers.
#pragma once
#include <algorithm>
#include <cstdint>

#include "neurite.h"

namespace neurite {

constexpr int kOcBlock = 32;
constexpr int kConvOcBlock = kOcBlock;
constexpr int kDenseOcBlock = kOcBlock;

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Grouped with one input channel per group; a plain convolution of a single-channel image
// keeps the blocked layout, since all its output channels share that one input.
inline bool conv2d_depthwise_layout(const nrt_conv2d_desc &d) { return d.groups > 1 && d.in_c / d.groups == 1; }

inline int64_t conv2d_oc_blocks_per_group(const nrt_conv2d_desc &d) {
    return ceil_div(d.out_c / d.groups, kConvOcBlock);
}

// Floats in one oc block: kh * kw * ic_per_group * kConvOcBlock.
inline int64_t conv2d_block_floats(const nrt_conv2d_desc &d) {
    return int64_t{d.kernel_h} * d.kernel_w * (d.in_c / d.groups) * kConvOcBlock;
}

// Floats of the general layout, where the Winograd weights start (sizes already validated).
inline int64_t conv2d_general_floats(const nrt_conv2d_desc &d) {
    return d.groups * conv2d_oc_blocks_per_group(d) * conv2d_block_floats(d);
}

// Winograd pays for its transforms only with enough channels to share them.
constexpr int kWinogradMinChannels = 16;
constexpr int kWinogradPositions = 36;  // the 6x6 input tile of F(4x4, 3x3)

inline bool conv2d_winograd_layout(const nrt_conv2d_desc &d) {
    return d.kernel_h == 3 && d.kernel_w == 3 && d.stride_h == 1 && d.stride_w == 1 && d.dilation_h == 1 &&
           d.dilation_w == 1 && d.groups == 1 && d.in_c >= kWinogradMinChannels && d.out_c >= kWinogradMinChannels;
}

// Floats in one Winograd position: the packed panels of an in_c x out_c dense layer.
inline int64_t conv2d_winograd_position_floats(const nrt_conv2d_desc &d) {
    return ceil_div(d.out_c, kConvOcBlock) * kConvOcBlock * int64_t{d.in_c};
}

inline int64_t dense_panel_floats(const nrt_dense_desc &d) { return int64_t{d.in_features} * kDenseOcBlock; }

// The first `columns` columns of a row-major matrix with rows `stride` apart, as panels of
// kOcBlock columns: column c of row r at [c / kOcBlock][r][c % kOcBlock], zero past the last
// column. The layout of a dense layer's weights and of each group of a convolution's.
inline void pack_column_panels(const float *from, int64_t rows, int64_t columns, int64_t stride, float *to) {
    const int64_t panels = ceil_div(columns, kOcBlock);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t panel = 0; panel < panels; ++panel) {
            const float *row = from + r * stride + panel * kOcBlock;
            float *out = to + (panel * rows + r) * kOcBlock;
            const int64_t lanes = std::min<int64_t>(kOcBlock, columns - panel * kOcBlock);
            std::copy(row, row + lanes, out);
            std::fill(out + lanes, out + kOcBlock, 0.f);
        }
}

constexpr int kRnnUnitBlock = 16;

inline int rnn_gates(int cell) { return cell == NRT_CELL_LSTM ? 4 : cell == NRT_CELL_GRU ? 3 : 1; }

// Floats of a layer's bias: G * units, twice that for GRU with reset_after (its recurrent bias).
inline int64_t rnn_bias_floats(const nrt_rnn_desc &d) {
    const int64_t gates_units = int64_t{rnn_gates(d.cell)} * d.units;
    return d.cell == NRT_CELL_GRU && d.reset_after ? 2 * gates_units : gates_units;
}

inline int64_t rnn_unit_blocks(const nrt_rnn_desc &d) { return ceil_div(d.units, kRnnUnitBlock); }

// Floats in one unit block of the packed recurrent kernel.
inline int64_t rnn_block_floats(const nrt_rnn_desc &d) {
    return int64_t{d.units} * rnn_gates(d.cell) * kRnnUnitBlock;
}

}  // namespace neurite

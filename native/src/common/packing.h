// The packed weight layouts. The reference, AVX2 and AVX-512 kernels all read the same
// layout, so weights packed once stay valid when the ISA cap changes. Blocks are as wide as
// the widest tile (two AVX-512 vectors); AVX2 tiles take a block in two halves.
//
// Convolution, general case: [group][oc block][kh][kw][ic per group][32], 32 output
//   channels of one group per block, zero-filled past the group's last channel. A direct
//   kernel then reads 32 consecutive weights per input channel: two AVX-512 vectors.
// Convolution, depthwise case (groups > 1, one input channel each, any multiplier): plain HWIO
//   [kh][kw][out_c], which already keeps neighbouring output channels together.
// Dense: [out block][in][32], zero-filled past the last output.
// RNN input kernel: the dense layout of [input_size, G * units], for the projection GEMM.
// RNN recurrent kernel: [unit block][units (k)][gate][16], 16 units of every gate of a block
//   side by side (one AVX-512 vector, two AVX2 ones), zero-filled past the last unit: one pass over h feeds all the gates of a
//   unit block, so the gate nonlinearities and the state update follow while it is in registers.
#pragma once
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

inline int64_t dense_panel_floats(const nrt_dense_desc &d) { return int64_t{d.in_features} * kDenseOcBlock; }

constexpr int kRnnUnitBlock = 16;

inline int rnn_gates(int cell) { return cell == NRT_CELL_LSTM ? 4 : cell == NRT_CELL_GRU ? 3 : 1; }

inline int64_t rnn_unit_blocks(const nrt_rnn_desc &d) { return ceil_div(d.units, kRnnUnitBlock); }

// Floats in one unit block of the packed recurrent kernel.
inline int64_t rnn_block_floats(const nrt_rnn_desc &d) {
    return int64_t{d.units} * rnn_gates(d.cell) * kRnnUnitBlock;
}

}  // namespace neurite

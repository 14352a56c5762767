#pragma once
#include <cstring>

#include "packing.h"

namespace neurite {

// The biases of a tile of `count` (<= kOcBlock) channels from `first`, which its vector
// epilogue reads as `read` (>= count) floats: the caller's array itself when it holds all of
// them, else `block` (kOcBlock floats) filled with them and zeros past them, so that no read
// goes beyond the caller's array. Tiles call this per tile of pixels: the copy is the rare case.
inline const float *bias_for_tile(const float *bias, int first, int count, int read, float *block) {
    static constexpr float kNoBias[kOcBlock] = {};
    if (bias == nullptr) return kNoBias;
    if (count == read) return bias + first;
    std::memset(block, 0, sizeof(float) * kOcBlock);
    std::memcpy(block, bias + first, sizeof(float) * count);
    return block;
}

}  // namespace neurite

#pragma once
#include <cstring>

namespace neurite {

// Copies `count` biases starting at `first` into a 16-wide block, zero past them: vector
// epilogues then load whole blocks without reading beyond the caller's bias array.
inline void fill_bias_block(const float *bias, int first, int count, float *block16) {
    std::memset(block16, 0, sizeof(float) * 16);
    if (bias != nullptr) std::memcpy(block16, bias + first, sizeof(float) * count);
}

}  // namespace neurite

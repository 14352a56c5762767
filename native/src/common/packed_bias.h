#pragma once
#include <cstring>

#include "packing.h"

namespace neurite {

// Copies `count` (<= kOcBlock) biases starting at `first` into a block of kOcBlock floats,
// zero past them: vector epilogues then load whole vectors without reading beyond the
// caller's bias array.
inline void fill_bias_block(const float *bias, int first, int count, float *block) {
    std::memset(block, 0, sizeof(float) * kOcBlock);
    if (bias != nullptr) std::memcpy(block, bias + first, sizeof(float) * count);
}

}  // namespace neurite

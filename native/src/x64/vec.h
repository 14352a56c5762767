// The vector layer of the x64 kernels. Each kernel source here (conv2d_nhwc_direct_f32.cpp,
// lstm_fwd_f32.cpp, ...) is written once and compiled once per ISA (CMakeLists.txt wraps it
// for AVX2 and for AVX-512, with that ISA's flags); this header picks the vector type, its
// operations and the tile sizes from those flags. A kernel's code lives in namespace
// neurite::NRT_SIMD, which is avx2 or avx512, so the two builds of it never share a symbol.
//
// What a kernel sees: Vec (kLanes floats), Mask (a partial vector), load/store (whole or
// masked), broadcast, fmadd/fnmadd, min/max, horizontal_sum/max, and exp, sigmoid, tanh, erf,
// activate (vec_math.h). Arithmetic on Vec uses the operators + - * /.
#pragma once

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#include "vec_avx512.h"
#define NRT_SIMD avx512
#elif defined(__AVX2__) && defined(__FMA__)
#include "vec_avx2.h"
#define NRT_SIMD avx2
#else
#error "x64 kernels are compiled with the AVX2+FMA or the AVX-512 flags of CMakeLists.txt"
#endif

#include "vec_math.h"

namespace neurite {
namespace NRT_SIMD {
constexpr int64_t kFloatsPerLine = 64 / sizeof(float);  // a cache line's, for prefetching
}  // namespace NRT_SIMD
}  // namespace neurite

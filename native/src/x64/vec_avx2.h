// The AVX2+FMA vector: 8 floats per ymm register, 16 registers. Included only through
// vec.h by sources compiled with -mavx2 -mfma; everything is in namespace neurite::avx2, so
// no function compiled here can be mistaken for its baseline or AVX-512 namesake.
#pragma once
#include <immintrin.h>

namespace neurite {
namespace avx2 {

using Vec = __m256;
using Int = __m256i;   // 8 int32 lanes
using Mask = __m256i;  // lanes taking part in a partial load or store: all bits set
constexpr int kLanes = 8;

// Register tiles, chosen by timing on Zen 3 (native/bench/kernel_bench times them now).
constexpr int kGemmRows = 6;    // dense: 6 rows x 2 vectors = 12 of the 16 registers accumulate
constexpr int kConvPixels = 6;  // direct conv: 6 pixels x 2 vectors, as the GEMM tile
constexpr int kLstmRows = 3;    // 3 rows x 4 gates = 12 accumulators, 4 weights and a broadcast
constexpr int kGruRows = 3;
constexpr int kSimpleRnnRows = 4;
constexpr int kBpttRows = 4;     // BPTT: 4 rows x 2 vectors = 8 accumulators, 2 of U^T and a broadcast
constexpr int kBpttVectors = 2;

inline Vec zero() { return _mm256_setzero_ps(); }
inline Vec set1(float x) { return _mm256_set1_ps(x); }
// Unaligned: the C API promises nothing about where callers put their buffers.
inline Vec load(const float *p) { return _mm256_loadu_ps(p); }
inline void store(float *p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec broadcast(const float *p) { return _mm256_broadcast_ss(p); }

// The first n lanes (0 <= n <= kLanes). Masked loads read lanes outside as 0 and never touch
// their memory, so a tail can end exactly at the end of a buffer.
inline Mask first_lanes(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline Vec load(const float *p, Mask m) { return _mm256_maskload_ps(p, m); }
inline void store(float *p, Vec v, Mask m) { _mm256_maskstore_ps(p, m, v); }
// Lanes in m from p, the others from fallback.
inline Vec load_or(const float *p, Mask m, Vec fallback) {
    return _mm256_blendv_ps(fallback, _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
// v in the lanes of m, 0 elsewhere.
inline Vec keep(Vec v, Mask m) { return _mm256_and_ps(v, _mm256_castsi256_ps(m)); }

inline Vec fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }   // a b + c
inline Vec fnmadd(Vec a, Vec b, Vec c) { return _mm256_fnmadd_ps(a, b, c); }  // c - a b
// x86's min and max return b when either operand is NaN: put the value that may be NaN second.
inline Vec max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
inline Vec min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
inline Vec sqrt(Vec v) { return _mm256_sqrt_ps(v); }
// Lanes where v is NaN, and lanes of either mask.
inline Mask nan_lanes(Vec v) { return _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)); }
inline Mask either(Mask a, Mask b) { return _mm256_or_si256(a, b); }
inline Mask both(Mask a, Mask b) { return _mm256_and_si256(a, b); }
// Lanes of a not in b.
inline Mask except(Mask a, Mask b) { return _mm256_andnot_si256(b, a); }
// a > b and a == b, false where either is NaN.
inline Mask greater(Vec a, Vec b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_GT_OQ)); }
inline Mask equal(Vec a, Vec b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_EQ_OQ)); }
// Where a running maximum b gives way to a: a > b, or a is NaN and b is not (the first NaN stays).
inline Mask overtakes(Vec a, Vec b) {
    return _mm256_castps_si256(_mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_NLE_UQ), _mm256_cmp_ps(b, b, _CMP_ORD_Q)));
}
// m's lanes from if_set, the others from v.
inline Vec blend(Mask m, Vec if_set, Vec v) { return _mm256_blendv_ps(v, if_set, _mm256_castsi256_ps(m)); }
inline Vec abs(Vec v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.f), v); }
// |magnitude| with the sign of sign.
inline Vec copy_sign(Vec magnitude, Vec sign) {
    const Vec sign_bit = _mm256_set1_ps(-0.f);
    return _mm256_or_ps(_mm256_andnot_ps(sign_bit, magnitude), _mm256_and_ps(sign, sign_bit));
}
// a < b ? then : otherwise, lane by lane.
inline Vec select_less(Vec a, Vec b, Vec then, Vec otherwise) {
    return _mm256_blendv_ps(otherwise, then, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
}
inline Vec round_nearest(Vec v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
// v 2^n for integral n in [-126, 127], 2^n built in the exponent bits.
inline Vec times_exp2(Vec v, Vec n) {
    return v * _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
}

inline float horizontal_sum(Vec v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
inline float horizontal_max(Vec v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

// Lane i holds base + i.
inline Int lane_indices(int base) { return _mm256_add_epi32(_mm256_set1_epi32(base), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
// Lane-wise division by a small positive divisor; lane values (channel indices) are exact in float.
inline Int divide_lanes(Int v, int divisor) {
    return _mm256_cvttps_epi32(_mm256_div_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(static_cast<float>(divisor))));
}
// base[index] in the lanes of m, 0 elsewhere.
inline Vec gather(const float *base, Int index, Mask m) {
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, index, _mm256_castsi256_ps(m), 4);
}

}  // namespace avx2
}  // namespace neurite

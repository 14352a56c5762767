// The AVX-512 vector (F, BW, VL, DQ): 16 floats per zmm register, 32 registers, mask
// registers for tails. Included only through vec.h by sources compiled with the AVX-512
// flags; everything is in namespace neurite::avx512.
#pragma once
// GCC 12 reports the intrinsics' own _mm512_undefined_* placeholders as uninitialized wherever
// it emits exp or activate out of line: a false positive inside its headers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

namespace neurite {
namespace avx512 {

using Vec = __m512;
using Int = __m512i;    // 16 int32 lanes
using Mask = __mmask16;  // one bit per lane
constexpr int kLanes = 16;

// Register tiles, timed with native/bench/kernel_bench on Zen 5: twice the registers of AVX2
// buy taller tiles, so each weight vector loaded feeds more FMAs. 12 GEMM rows beat 8 and 14
// by 5% on SGEMM 2048 (and tie elsewhere); 8 to 14 conv pixels tie within 3%; 4 LSTM/GRU rows
// run batch 32 1.6x faster than 3 (2 or 3 rows leave too few independent sums per weight).
constexpr int kGemmRows = 12;    // dense: 12 rows x 2 vectors = 24 of the 32 registers accumulate
constexpr int kConvPixels = 12;  // direct conv: 12 pixels x 2 vectors
constexpr int kLstmRows = 4;     // 4 rows x 4 gates = 16 accumulators (at most 4: rnn_recurrence.h)
constexpr int kGruRows = 4;
constexpr int kSimpleRnnRows = 4;
constexpr int kBpttRows = 4;     // BPTT: 4 rows x 4 vectors = 16 accumulators, 4 of U^T and a broadcast
constexpr int kBpttVectors = 4;

inline Vec zero() { return _mm512_setzero_ps(); }
inline Vec set1(float x) { return _mm512_set1_ps(x); }
// Unaligned: the C API promises nothing about where callers put their buffers.
inline Vec load(const float *p) { return _mm512_loadu_ps(p); }
inline void store(float *p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec broadcast(const float *p) { return _mm512_set1_ps(*p); }

// The first n lanes (0 <= n <= kLanes). Masked-off lanes read as 0 and their memory is never
// touched, so a tail can end exactly at the end of a buffer.
inline Mask first_lanes(int n) { return static_cast<Mask>((1u << n) - 1u); }
inline Vec load(const float *p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
inline void store(float *p, Vec v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }
// Lanes in m from p, the others from fallback.
inline Vec load_or(const float *p, Mask m, Vec fallback) { return _mm512_mask_loadu_ps(fallback, m, p); }
// v in the lanes of m, 0 elsewhere.
inline Vec keep(Vec v, Mask m) { return _mm512_maskz_mov_ps(m, v); }

inline Vec fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }   // a b + c
inline Vec fnmadd(Vec a, Vec b, Vec c) { return _mm512_fnmadd_ps(a, b, c); }  // c - a b
// x86's min and max return b when either operand is NaN: put the value that may be NaN second.
inline Vec max(Vec a, Vec b) { return _mm512_max_ps(a, b); }
inline Vec min(Vec a, Vec b) { return _mm512_min_ps(a, b); }
inline Vec sqrt(Vec v) { return _mm512_sqrt_ps(v); }
// Lanes where v is NaN, and lanes of either mask.
inline Mask nan_lanes(Vec v) { return _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q); }
inline Mask either(Mask a, Mask b) { return static_cast<Mask>(a | b); }
inline Mask both(Mask a, Mask b) { return static_cast<Mask>(a & b); }
// Lanes of a not in b.
inline Mask except(Mask a, Mask b) { return static_cast<Mask>(a & ~b); }
// a > b and a == b, false where either is NaN.
inline Mask greater(Vec a, Vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
inline Mask equal(Vec a, Vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
// Where a running maximum b gives way to a: a > b, or a is NaN and b is not (the first NaN stays).
inline Mask overtakes(Vec a, Vec b) {
    return _mm512_mask_cmp_ps_mask(_mm512_cmp_ps_mask(b, b, _CMP_ORD_Q), a, b, _CMP_NLE_UQ);
}
// m's lanes from if_set, the others from v.
inline Vec blend(Mask m, Vec if_set, Vec v) { return _mm512_mask_blend_ps(m, v, if_set); }
inline Vec abs(Vec v) { return _mm512_abs_ps(v); }
// |magnitude| with the sign of sign.
inline Vec copy_sign(Vec magnitude, Vec sign) {
    const Vec sign_bit = _mm512_set1_ps(-0.f);
    return _mm512_or_ps(_mm512_andnot_ps(sign_bit, magnitude), _mm512_and_ps(sign, sign_bit));
}
// a < b ? then : otherwise, lane by lane.
inline Vec select_less(Vec a, Vec b, Vec then, Vec otherwise) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), otherwise, then);
}
inline Vec round_nearest(Vec v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
// v 2^n for integral n (vscalefps: one instruction where building 2^n takes three).
inline Vec times_exp2(Vec v, Vec n) { return _mm512_scalef_ps(v, n); }

inline float horizontal_sum(Vec v) { return _mm512_reduce_add_ps(v); }
inline float horizontal_max(Vec v) { return _mm512_reduce_max_ps(v); }

// Lane i holds base + i.
inline Int lane_indices(int base) {
    return _mm512_add_epi32(_mm512_set1_epi32(base), _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
}
// Lane-wise division by a small positive divisor; lane values (channel indices) are exact in float.
inline Int divide_lanes(Int v, int divisor) {
    return _mm512_cvttps_epi32(_mm512_div_ps(_mm512_cvtepi32_ps(v), _mm512_set1_ps(static_cast<float>(divisor))));
}
// base[index] in the lanes of m, 0 elsewhere.
inline Vec gather(const float *base, Int index, Mask m) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, index, base, 4);
}

}  // namespace avx512
}  // namespace neurite

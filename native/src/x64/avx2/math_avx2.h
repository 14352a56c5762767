// Vectorised exp, sigmoid, tanh and erf for the fused activations.
//
// Error bounds (tested against double precision over [-30, 30] in ActivationAccuracyTest):
//   exp:     relative error <= 3 ulp on [-87.3, 88.3]; inputs are clamped to that range.
//   sigmoid: absolute error <= 5e-7.
//   tanh:    absolute error <= 5e-7 (computed from exp(-2|x|); near 0 the relative error
//            grows, the absolute one does not).
//   gelu:    absolute error <= 1e-6 for |x| <= 30 (erf by Abramowitz-Stegun 7.1.26, whose own
//            bound is 1.5e-7).
#pragma once
#include <immintrin.h>

#include "neurite.h"

namespace neurite {

inline __m256 exp_avx2(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3365f)), _mm256_set1_ps(88.3762f));
    // x = n ln2 + r with |r| <= ln2 / 2; ln2 split in two so that n ln2 is exact enough.
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    // exp(r) by the Cephes minimax polynomial.
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
    // Scale by 2^n through the exponent bits; the clamp keeps n in [-126, 127].
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

inline __m256 sigmoid_avx2(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

inline __m256 tanh_avx2(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.f);
    const __m256 ax = _mm256_andnot_ps(sign, x);
    const __m256 one = _mm256_set1_ps(1.f);
    const __m256 t = exp_avx2(_mm256_mul_ps(ax, _mm256_set1_ps(-2.f)));
    const __m256 y = _mm256_div_ps(_mm256_sub_ps(one, t), _mm256_add_ps(one, t));
    return _mm256_or_ps(y, _mm256_and_ps(x, sign));
}

inline __m256 erf_avx2(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.f);
    const __m256 ax = _mm256_andnot_ps(sign, x);
    const __m256 one = _mm256_set1_ps(1.f);
    const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), ax, one));
    __m256 p = _mm256_set1_ps(1.061405429f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
    p = _mm256_mul_ps(p, t);
    const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(ax, ax)));
    const __m256 y = _mm256_fnmadd_ps(p, e, one);
    return _mm256_or_ps(y, _mm256_and_ps(x, sign));
}

inline __m256 activate_avx2(__m256 v, int activation, float alpha) {
    switch (activation) {
        case NRT_ACT_RELU: return _mm256_max_ps(v, _mm256_setzero_ps());
        case NRT_ACT_RELU6:
            return _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(6.f));
        case NRT_ACT_SIGMOID: return sigmoid_avx2(v);
        case NRT_ACT_TANH: return tanh_avx2(v);
        case NRT_ACT_LEAKY_RELU: {
            const __m256 negative = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
            return _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(alpha)), negative);
        }
        case NRT_ACT_GELU: {
            const __m256 half_x = _mm256_mul_ps(v, _mm256_set1_ps(0.5f));
            const __m256 erf = erf_avx2(_mm256_mul_ps(v, _mm256_set1_ps(0.70710678118654752f)));
            return _mm256_fmadd_ps(half_x, erf, half_x);
        }
        default: return v;
    }
}

// Activates a 16-wide accumulator pair and stores its first `valid` (<= 16) floats, never
// writing past them: the epilogue of every 16-column register tile.
inline void store_activated_16(float *out, __m256 lo, __m256 hi, int valid, int activation, float alpha) {
    lo = activate_avx2(lo, activation, alpha);
    hi = activate_avx2(hi, activation, alpha);
    if (valid == 16) {
        _mm256_storeu_ps(out, lo);
        _mm256_storeu_ps(out + 8, hi);
        return;
    }
    alignas(32) float tile[16];
    _mm256_store_ps(tile, lo);
    _mm256_store_ps(tile + 8, hi);
    for (int i = 0; i < valid; ++i) out[i] = tile[i];
}

// Loads/stores the first `count` (< 8) lanes without touching memory past them.
inline __m256i tail_mask(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

}  // namespace neurite

// Vectorised exp, sigmoid, tanh and erf, the fused activations and partial-vector helpers,
// written once over the ISA that vec.h selected.
//
// NaN in, NaN out (IEEE, as the reference and Java kernels): every min/max below takes the
// argument that may be NaN second, which x86 then returns.
//
// Error bounds (tested against double precision over [-30, 30] in ActivationAccuracyTest):
//   exp:     relative error <= 3 ulp on [-87.3, 88.3]; inputs are clamped to that range.
//   exponential (the activation): exp's bound up to ln(FLT_MAX), +inf beyond; results below
//            FLT_MIN flush to 0.
//   sigmoid: absolute error <= 5e-7.
//   tanh:    absolute error <= 5e-7 (computed from exp(-2|x|); near 0 the relative error
//            grows, the absolute one does not).
//   gelu:    absolute error <= 1e-6 for |x| <= 30 (erf by Abramowitz-Stegun 7.1.26, whose own
//            bound is 1.5e-7).
#pragma once
#include "neurite.h"

namespace neurite {
namespace NRT_SIMD {

// exp, sigmoid, tanh and activate also come in a form over n independent vectors that runs
// each step across all n before the next: a recurrent cell squashes a dozen vectors at a time,
// and where each vector's chain of dependent steps leaves the FP pipes waiting on latency, n
// of them in flight keep the pipes busy. (LSTM and GRU training forward passes, batch 32,
// Zen 4: 0.91-0.93x the time on AVX2, 0.96-1.0x on AVX-512.) The one-vector forms are n = 1
// of the same code.

template <int n>
inline void exp(Vec (&x)[n]) {
    Vec k[n], r[n], p[n];
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i) {
        x[i] = min(set1(88.3762f), max(set1(-87.3365f), x[i]));
        // x = k ln2 + r with |r| <= ln2 / 2; ln2 split in two so that k ln2 is exact enough.
        k[i] = round_nearest(x[i] * set1(1.44269504088896341f));
        r[i] = fnmadd(k[i], set1(-2.12194440e-4f), fnmadd(k[i], set1(0.693359375f), x[i]));
        p[i] = set1(1.9875691500e-4f);
    }
    // exp(r) by the Cephes minimax polynomial.
    for (const float coefficient : {1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f})
#pragma GCC unroll 16
        for (int i = 0; i < n; ++i) p[i] = fmadd(p[i], r[i], set1(coefficient));
    // The clamp keeps k in [-126, 127].
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i) x[i] = times_exp2(fmadd(p[i], r[i] * r[i], r[i] + set1(1.f)), k[i]);
}

template <int n>
inline void sigmoid(Vec (&x)[n]) {
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i) x[i] = zero() - x[i];
    exp(x);
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i) x[i] = set1(1.f) / (set1(1.f) + x[i]);
}

template <int n>
inline void tanh(Vec (&x)[n]) {
    Vec t[n];
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i) t[i] = abs(x[i]) * set1(-2.f);
    exp(t);
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i) x[i] = copy_sign((set1(1.f) - t[i]) / (set1(1.f) + t[i]), x[i]);
}

inline Vec exp(Vec x) {
    Vec v[] = {x};
    exp(v);
    return v[0];
}

inline Vec erf(Vec x) {
    const Vec ax = abs(x), one = set1(1.f);
    const Vec t = one / fmadd(set1(0.3275911f), ax, one);
    Vec p = set1(1.061405429f);
    p = fmadd(p, t, set1(-1.453152027f));
    p = fmadd(p, t, set1(1.421413741f));
    p = fmadd(p, t, set1(-0.284496736f));
    p = fmadd(p, t, set1(0.254829592f));
    p = p * t;
    return copy_sign(fnmadd(p, exp(zero() - ax * ax), one), x);
}

// e^x over the whole float range: exp above its clamp by e^(x - 1) e, +inf past ln(FLT_MAX) by
// overflow, and 0 where the result would be below FLT_MIN. NaN stays NaN (no comparison holds).
inline Vec exponential(Vec x) {
    const Mask high = greater(x, set1(88.3762626647949f));
    const Vec y = exp(blend(high, x - set1(1.f), x)) * blend(high, set1(2.71828182845904524f), set1(1.f));
    return blend(greater(set1(-87.3365447505531f), x), zero(), y);
}

inline Vec activate(Vec v, int activation, float alpha) {
    switch (activation) {
        case NRT_ACT_RELU: return max(zero(), v);
        case NRT_ACT_RELU6: return min(set1(6.f), max(zero(), v));
        case NRT_ACT_LEAKY_RELU: return select_less(v, zero(), v * set1(alpha), v);
        case NRT_ACT_GELU: {
            const Vec half_x = v * set1(0.5f);
            return fmadd(half_x, erf(v * set1(0.70710678118654752f)), half_x);
        }
        case NRT_ACT_EXPONENTIAL: return exponential(v);
        case NRT_ACT_SIGMOID: {
            Vec one[] = {v};
            sigmoid(one);
            return one[0];
        }
        case NRT_ACT_TANH: {
            Vec one[] = {v};
            tanh(one);
            return one[0];
        }
        default: return v;
    }
}

// activate over n vectors: sigmoid and tanh interleaved, the others one vector at a time.
template <int n>
inline void activate(Vec (&v)[n], int activation, float alpha) {
    switch (activation) {
        case NRT_ACT_SIGMOID: sigmoid(v); break;
        case NRT_ACT_TANH: tanh(v); break;
        default:
            for (int i = 0; i < n; ++i) v[i] = activate(v[i], activation, alpha);
    }
}

// dy times the activation's derivative, from its output v where derivative_from_output
// (activation.h) allows, else from its input v.
inline Vec times_derivative(Vec dy, Vec v, int activation, float alpha) {
    const Vec one = set1(1.f);
    switch (activation) {
        case NRT_ACT_RELU: return keep(dy, greater(v, zero()));
        case NRT_ACT_RELU6: return keep(dy, both(greater(v, zero()), greater(set1(6.f), v)));
        case NRT_ACT_SIGMOID: return dy * v * (one - v);
        case NRT_ACT_TANH: return dy * fnmadd(v, v, one);
        case NRT_ACT_LEAKY_RELU: return blend(greater(v, zero()), dy, dy * set1(alpha));
        case NRT_ACT_GELU: {
            const Vec cdf = fmadd(erf(v * set1(0.70710678118654752f)), set1(0.5f), set1(0.5f));
            const Vec pdf = exp(v * v * set1(-0.5f)) * set1(0.39894228040143268f);
            return dy * fmadd(v, pdf, cdf);
        }
        case NRT_ACT_EXPONENTIAL: return dy * v;
        default: return dy;
    }
}

// The first `lanes` (<= kLanes) floats at p; the rest read as 0 and are never touched.
inline Vec load_first(const float *p, int lanes) { return lanes == kLanes ? load(p) : load(p, first_lanes(lanes)); }
inline void store_first(float *p, Vec v, int lanes) {
    if (lanes == kLanes) store(p, v);
    else store(p, v, first_lanes(lanes));
}

// The epilogue of every register tile: activates kVecs vectors and stores their first
// `valid` floats (<= kVecs * kLanes), never writing past them.
template <int kVecs>
inline void store_activated(float *out, Vec (&acc)[kVecs], int valid, int activation, float alpha) {
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) {
        const int lanes = valid - v * kLanes;
        if (lanes <= 0) break;
        store_first(out + v * kLanes, activate(acc[v], activation, alpha), lanes < kLanes ? lanes : kLanes);
    }
}

}  // namespace NRT_SIMD
}  // namespace neurite

// Element-wise activation, softmax and binary ops, 8 floats per register with masked tails.
#include <immintrin.h>

#include <cfloat>

#include "../../common/thread_pool.h"
#include "kernels_avx2.h"
#include "math_avx2.h"

namespace neurite {
namespace {

constexpr int64_t kEltwiseGrain = 1 << 14;

inline float horizontal_max(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

inline float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Applies f to [begin, end) of `count` floats, whole registers then one masked tail.
template <class F>
inline void for_each_vector(int64_t count, F f) {
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) f(i, 8);
    if (i < count) f(i, static_cast<int>(count - i));
}

}  // namespace

void activation_f32_avx2(const ActivationProblem &p) {
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        const float *src = p.src + begin;
        float *dst = p.dst + begin;
        for_each_vector(end - begin, [&](int64_t i, int lanes) {
            if (lanes == 8) {
                _mm256_storeu_ps(dst + i, activate_avx2(_mm256_loadu_ps(src + i), p.activation, p.alpha));
            } else {
                const __m256i mask = tail_mask(lanes);
                _mm256_maskstore_ps(dst + i, mask, activate_avx2(_mm256_maskload_ps(src + i, mask), p.activation, p.alpha));
            }
        });
    });
}

void softmax_f32_avx2(const SoftmaxProblem &p) {
    parallel_for(p.rows, p.threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const float *x = p.src + r * p.cols;
            float *y = p.dst + r * p.cols;
            __m256 max = _mm256_set1_ps(-FLT_MAX);
            for_each_vector(p.cols, [&](int64_t i, int lanes) {
                const __m256 v = lanes == 8 ? _mm256_loadu_ps(x + i)
                                            : _mm256_blendv_ps(max, _mm256_maskload_ps(x + i, tail_mask(lanes)),
                                                               _mm256_castsi256_ps(tail_mask(lanes)));
                max = _mm256_max_ps(max, v);
            });
            const __m256 row_max = _mm256_set1_ps(horizontal_max(max));
            __m256 sum = _mm256_setzero_ps();
            for_each_vector(p.cols, [&](int64_t i, int lanes) {
                if (lanes == 8) {
                    const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), row_max));
                    _mm256_storeu_ps(y + i, e);
                    sum = _mm256_add_ps(sum, e);
                } else {
                    const __m256i mask = tail_mask(lanes);
                    const __m256 e = _mm256_and_ps(exp_avx2(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), row_max)),
                                                   _mm256_castsi256_ps(mask));
                    _mm256_maskstore_ps(y + i, mask, e);
                    sum = _mm256_add_ps(sum, e);
                }
            });
            const __m256 scale = _mm256_set1_ps(1.f / horizontal_sum(sum));
            for_each_vector(p.cols, [&](int64_t i, int lanes) {
                if (lanes == 8) {
                    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), scale));
                } else {
                    const __m256i mask = tail_mask(lanes);
                    _mm256_maskstore_ps(y + i, mask, _mm256_mul_ps(_mm256_maskload_ps(y + i, mask), scale));
                }
            });
        }
    });
}

void binary_f32_avx2(const BinaryProblem &p) {
    const auto apply = [op = p.op](__m256 a, __m256 b) {
        return op == NRT_BINARY_ADD ? _mm256_add_ps(a, b)
               : op == NRT_BINARY_MUL ? _mm256_mul_ps(a, b)
                                      : _mm256_mul_ps(_mm256_add_ps(a, b), _mm256_set1_ps(0.5f));
    };
    parallel_for_elements(p.size, kEltwiseGrain, p.threads, [&](int64_t begin, int64_t end) {
        for_each_vector(end - begin, [&](int64_t i, int lanes) {
            const int64_t at = begin + i;
            if (lanes == 8) {
                _mm256_storeu_ps(p.dst + at, apply(_mm256_loadu_ps(p.a + at), _mm256_loadu_ps(p.b + at)));
            } else {
                const __m256i mask = tail_mask(lanes);
                _mm256_maskstore_ps(p.dst + at, mask, apply(_mm256_maskload_ps(p.a + at, mask), _mm256_maskload_ps(p.b + at, mask)));
            }
        });
    });
}

}  // namespace neurite

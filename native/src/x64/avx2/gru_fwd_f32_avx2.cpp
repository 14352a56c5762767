// GRU recurrence, Keras gate order z, r, h (equations in neurite.h), three batch rows per tile.
//   reset_after (Keras' default, PyTorch's form): all three recurrent products in one pass,
//     z = ra(xz + h Uz + bz')   r = ra(xr + h Ur + br')   n = a(xh + r (h Uh + bh'))
//   otherwise: r must be known before (r h) Uh, so prepare() computes z and r h for every
//     unit block first, and step() then the candidate:  n = a(xh + (r h) Uh)
//   h' = z h + (1 - z) n = n + z (h - n)
#include "kernels_avx2.h"
#include "rnn_recurrence_avx2.h"

namespace neurite {
namespace {

struct GruCell {
    static constexpr int kMaxRows = 3;

    static const float *block_of(const RnnProblem &p, int first) {
        return p.packed_recurrent + first / kRnnUnitBlock * rnn_block_floats(p.d);
    }

    template <int kRows>
    static void prepare(const RnnProblem &p, rnn_avx2::TileState &s, const float *const *x) {
        if (p.d.reset_after) return;
        const int units = p.d.units, ra = p.d.recurrent_activation;
        for (int first = 0; first < units; first += kRnnUnitBlock) {
            const int lanes = units - first < kRnnUnitBlock ? units - first : kRnnUnitBlock;
            __m256 acc[kRows][2] = {};
            rnn_avx2::recurrent_product<kRows, 2>(s.h, units, block_of(p, first), 3, 0, acc);
            for (int r = 0; r < kRows; ++r) {
                const __m256 z = activate_avx2(_mm256_add_ps(acc[r][0], rnn_avx2::load_units(x[r] + first, lanes)), ra, 0.f);
                const __m256 reset =
                    activate_avx2(_mm256_add_ps(acc[r][1], rnn_avx2::load_units(x[r] + units + first, lanes)), ra, 0.f);
                rnn_avx2::store_units(s.z[r] + first, z, lanes);
                rnn_avx2::store_units(s.rh[r] + first, _mm256_mul_ps(reset, rnn_avx2::load_units(s.h[r] + first, lanes)), lanes);
            }
        }
    }

    template <int kRows>
    static void step(const RnnProblem &p, rnn_avx2::TileState &s, const float *const *x, int first, int lanes) {
        const int units = p.d.units, a = p.d.activation, ra = p.d.recurrent_activation;
        if (p.d.reset_after) {
            __m256 acc[kRows][3] = {};
            rnn_avx2::recurrent_product<kRows, 3>(s.h, units, block_of(p, first), 3, 0, acc);
            const float *rb = p.recurrent_bias + first;
            const __m256 bz = rnn_avx2::load_units(rb, lanes), br = rnn_avx2::load_units(rb + units, lanes);
            const __m256 bh = rnn_avx2::load_units(rb + 2 * units, lanes);
            for (int r = 0; r < kRows; ++r) {
                const float *xr = x[r] + first;
                const __m256 z = activate_avx2(
                    _mm256_add_ps(_mm256_add_ps(acc[r][0], bz), rnn_avx2::load_units(xr, lanes)), ra, 0.f);
                const __m256 reset = activate_avx2(
                    _mm256_add_ps(_mm256_add_ps(acc[r][1], br), rnn_avx2::load_units(xr + units, lanes)), ra, 0.f);
                const __m256 n = activate_avx2(
                    _mm256_fmadd_ps(reset, _mm256_add_ps(acc[r][2], bh), rnn_avx2::load_units(xr + 2 * units, lanes)), a, 0.f);
                const __m256 h = rnn_avx2::load_units(s.h[r] + first, lanes);
                rnn_avx2::store_units(s.next[r] + first, _mm256_fmadd_ps(z, _mm256_sub_ps(h, n), n), lanes);
            }
            return;
        }
        __m256 acc[kRows][1] = {};
        rnn_avx2::recurrent_product<kRows, 1>(s.rh, units, block_of(p, first), 3, 2, acc);
        for (int r = 0; r < kRows; ++r) {
            const __m256 n = activate_avx2(_mm256_add_ps(acc[r][0], rnn_avx2::load_units(x[r] + 2 * units + first, lanes)), a, 0.f);
            const __m256 z = rnn_avx2::load_units(s.z[r] + first, lanes), h = rnn_avx2::load_units(s.h[r] + first, lanes);
            rnn_avx2::store_units(s.next[r] + first, _mm256_fmadd_ps(z, _mm256_sub_ps(h, n), n), lanes);
        }
    }
};

}  // namespace

void gru_fwd_f32_avx2(const RnnProblem &p) { rnn_avx2::run_recurrence<GruCell>(p); }

}  // namespace neurite

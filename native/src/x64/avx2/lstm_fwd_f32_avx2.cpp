// LSTM recurrence, Keras gate order i, f, c, o (equations in neurite.h):
//   i = ra(xi + h Ui)   f = ra(xf + h Uf)   g = a(xc + h Uc)   o = ra(xo + h Uo)
//   c' = f c + i g      h' = o a(c')
// (x* already hold x W + b.) Two batch rows per tile: 2 rows x 4 gates = 8 accumulators,
// plus 4 weight vectors and a broadcast, within the 16 AVX2 registers.
#include "kernels_avx2.h"
#include "rnn_recurrence_avx2.h"

namespace neurite {
namespace {

struct LstmCell {
    static constexpr int kMaxRows = 3;

    template <int kRows>
    static void prepare(const RnnProblem &, rnn_avx2::TileState &, const float *const *) {}

    template <int kRows>
    static void step(const RnnProblem &p, rnn_avx2::TileState &s, const float *const *x, int first, int lanes) {
        const int units = p.d.units, a = p.d.activation, ra = p.d.recurrent_activation;
        const float *block = p.packed_recurrent + first / kRnnUnitBlock * rnn_block_floats(p.d);
        __m256 acc[kRows][4] = {};
        rnn_avx2::recurrent_product<kRows, 4>(s.h, units, block, 4, 0, acc);
        for (int r = 0; r < kRows; ++r) {
            const float *xr = x[r] + first;
            const __m256 i = activate_avx2(_mm256_add_ps(acc[r][0], rnn_avx2::load_units(xr, lanes)), ra, 0.f);
            const __m256 f = activate_avx2(_mm256_add_ps(acc[r][1], rnn_avx2::load_units(xr + units, lanes)), ra, 0.f);
            const __m256 g = activate_avx2(_mm256_add_ps(acc[r][2], rnn_avx2::load_units(xr + 2 * units, lanes)), a, 0.f);
            const __m256 o = activate_avx2(_mm256_add_ps(acc[r][3], rnn_avx2::load_units(xr + 3 * units, lanes)), ra, 0.f);
            const __m256 c = _mm256_fmadd_ps(f, rnn_avx2::load_units(s.c[r] + first, lanes), _mm256_mul_ps(i, g));
            rnn_avx2::store_units(s.c_next[r] + first, c, lanes);
            rnn_avx2::store_units(s.next[r] + first, _mm256_mul_ps(o, activate_avx2(c, a, 0.f)), lanes);
        }
    }
};

}  // namespace

void lstm_fwd_f32_avx2(const RnnProblem &p) { rnn_avx2::run_recurrence<LstmCell>(p); }

}  // namespace neurite

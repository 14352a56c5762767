// SimpleRNN recurrence: h' = a(x W + b + h U), four batch rows per tile.
#include "kernels_avx2.h"
#include "rnn_recurrence_avx2.h"

namespace neurite {
namespace {

struct SimpleCell {
    static constexpr int kMaxRows = 4;

    template <int kRows>
    static void prepare(const RnnProblem &, rnn_avx2::TileState &, const float *const *) {}

    template <int kRows>
    static void step(const RnnProblem &p, rnn_avx2::TileState &s, const float *const *x, int first, int lanes) {
        const float *block = p.packed_recurrent + first / kRnnUnitBlock * rnn_block_floats(p.d);
        __m256 acc[kRows][1] = {};
        rnn_avx2::recurrent_product<kRows, 1>(s.h, p.d.units, block, 1, 0, acc);
        for (int r = 0; r < kRows; ++r) {
            const __m256 v = _mm256_add_ps(acc[r][0], rnn_avx2::load_units(x[r] + first, lanes));
            rnn_avx2::store_units(s.next[r] + first, activate_avx2(v, p.d.activation, 0.f), lanes);
        }
    }
};

}  // namespace

void simple_rnn_fwd_f32_avx2(const RnnProblem &p) { rnn_avx2::run_recurrence<SimpleCell>(p); }

}  // namespace neurite

// SimpleRNN recurrence: h' = a(x W + b + h U), kSimpleRnnRows batch rows per tile.
#include "kernels_x64.h"
#include "rnn_recurrence.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

struct SimpleCell {
    static constexpr int kMaxRows = kSimpleRnnRows;

    template <int kRows>
    static void prepare(const RnnProblem &, rnn::TileState &, const float *const *) {}

    template <int kRows>
    static void step(const RnnProblem &p, rnn::TileState &s, const float *const *x, int first, int lanes) {
        Vec acc[kRows][1];
        rnn::recurrent_product<kRows, 1>(s.h, p.d.units, rnn::unit_weights(p, first), 1, 0, acc);
        for (int r = 0; r < kRows; ++r) {
            const Vec v = acc[r][0] + load_first(x[r] + first, lanes);
            store_first(s.next[r] + first, activate(v, p.d.activation, 0.f), lanes);
        }
    }
};

}  // namespace

void simple_rnn_fwd_f32(const RnnProblem &p) { rnn::run_recurrence<SimpleCell>(p); }

}  // namespace NRT_SIMD
}  // namespace neurite

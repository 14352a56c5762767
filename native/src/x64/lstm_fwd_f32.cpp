// LSTM recurrence, Keras gate order i, f, c, o (equations in neurite.h):
//   i = ra(xi + h Ui)   f = ra(xf + h Uf)   g = a(xc + h Uc)   o = ra(xo + h Uo)
//   c' = f c + i g      h' = o a(c')
// (x* already hold x W + b.) kLstmRows batch rows per tile: rows x 4 gates accumulators,
// plus 4 weight vectors and a broadcast.
#include "kernels_x64.h"
#include "rnn_recurrence.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

struct LstmCell {
    static constexpr int kMaxRows = kLstmRows;

    static bool prepares(const RnnProblem &) { return false; }
    template <int kRows>
    static void prepare(const RnnProblem &, rnn::TileState &, const float *const *, int, int) {}

    template <int kRows, int kVecs>
    static void step(const RnnProblem &p, rnn::TileState &s, const float *const *x, int first, int lanes) {
        const int units = p.d.units, a = p.d.activation, ra = p.d.recurrent_activation;
        Vec acc[kRows][kVecs][4];
        rnn::recurrent_product<kRows, kVecs, 4>(p, s.h, first, 4, 0, acc);
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes;
                const float *xr = x[r] + at;
                const Vec i = activate(acc[r][v][0] + load_first(xr, n), ra, p.d.alpha);
                const Vec f = activate(acc[r][v][1] + load_first(xr + units, n), ra, p.d.alpha);
                const Vec g = activate(acc[r][v][2] + load_first(xr + 2 * units, n), a, p.d.alpha);
                const Vec o = activate(acc[r][v][3] + load_first(xr + 3 * units, n), ra, p.d.alpha);
                const Vec c = fmadd(f, load_first(s.c[r] + at, n), i * g);
                const Vec squashed = activate(c, a, p.d.alpha);
                store_first(s.c_next[r] + at, c, n);
                store_first(s.next[r] + at, o * squashed, n);
                if (s.gates[r] != nullptr) {
                    const Vec values[] = {i, f, g, o};
                    for (int gate = 0; gate < 4; ++gate) rnn::save(s.gates[r], int64_t{gate} * units + at, values[gate], n);
                    rnn::save(s.saved[r], at, squashed, n);
                }
            }
    }
};

}  // namespace

void lstm_fwd_f32(const RnnProblem &p) { rnn::run_recurrence<LstmCell>(p); }

}  // namespace NRT_SIMD
}  // namespace neurite

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
        // The gates of the whole tile squashed together (vec_math.h): i, f, o by ra, g by a.
        constexpr int kCells = kRows * kVecs;  // cell = r * kVecs + v
        constexpr int kRecurrentlyActivated[] = {0, 1, 3};  // i, f, o
        Vec ifo[3 * kCells], g[kCells], c[kCells];
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes, cell = r * kVecs + v;
                const float *xr = x[r] + at;
                for (int k = 0; k < 3; ++k) {
                    const int gate = kRecurrentlyActivated[k];
                    ifo[3 * cell + k] = acc[r][v][gate] + load_first(xr + gate * units, n);
                }
                g[cell] = acc[r][v][2] + load_first(xr + 2 * units, n);
            }
        // Training keeps g and a(c'), or what a took where its derivative needs that (its input).
        const bool keeps_input = !derivative_from_output(a, p.d.alpha);
        activate(ifo, ra, p.d.alpha);
        if (keeps_input) rnn::save_tile<kRows, kVecs>(s.gates, 2 * units, first, lanes, g);
        activate(g, a, p.d.alpha);
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes, cell = r * kVecs + v;
                c[cell] = fmadd(ifo[3 * cell + 1], load_first(s.c[r] + at, n), ifo[3 * cell] * g[cell]);
                store_first(s.c_next[r] + at, c[cell], n);
            }
        if (keeps_input) rnn::save_tile<kRows, kVecs>(s.saved, 0, first, lanes, c);
        activate(c, a, p.d.alpha);  // now a(c')
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes, cell = r * kVecs + v;
                store_first(s.next[r] + at, ifo[3 * cell + 2] * c[cell], n);
                if (s.gates[r] != nullptr) {
                    const Vec values[] = {ifo[3 * cell], ifo[3 * cell + 1], g[cell], ifo[3 * cell + 2]};
                    for (int gate = 0; gate < 4; ++gate)
                        if (gate != 2 || !keeps_input) rnn::save(s.gates[r], int64_t{gate} * units + at, values[gate], n);
                    if (!keeps_input) rnn::save(s.saved[r], at, c[cell], n);
                }
            }
    }
};

}  // namespace

void lstm_fwd_f32(const RnnProblem &p) { rnn::run_recurrence<LstmCell>(p); }

}  // namespace NRT_SIMD
}  // namespace neurite

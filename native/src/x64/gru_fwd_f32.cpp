// GRU recurrence, Keras gate order z, r, h (equations in neurite.h), kGruRows batch rows per tile.
//   reset_after (Keras' default, PyTorch's form): all three recurrent products in one pass,
//     z = ra(xz + h Uz + bz')   r = ra(xr + h Ur + br')   n = a(xh + r (h Uh + bh'))
//   otherwise: r must be known before (r h) Uh, so prepare() computes z and r h for every
//     vector of units first (for all of them, before any step), and step() then the
//     candidate:  n = a(xh + (r h) Uh)
//   h' = z h + (1 - z) n = n + z (h - n)
#include "kernels_x64.h"
#include "rnn_recurrence.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

struct GruCell {
    static constexpr int kMaxRows = kGruRows;

    static bool prepares(const RnnProblem &p) { return !p.d.reset_after; }

    template <int kRows>
    static void prepare(const RnnProblem &p, rnn::TileState &s, const float *const *x, int first_unit, int last_unit) {
        if (p.d.reset_after) return;
        const int units = p.d.units, ra = p.d.recurrent_activation;
        for (int first = first_unit; first < last_unit; first += kLanes) {
            const int lanes = last_unit - first < kLanes ? last_unit - first : kLanes;
            Vec acc[kRows][1][2];
            rnn::recurrent_product<kRows, 1, 2>(p, s.h, first, 3, 0, acc);
            Vec zr[2 * kRows];  // z and r of every row, squashed together (vec_math.h)
            for (int r = 0; r < kRows; ++r) {
                zr[2 * r] = acc[r][0][0] + load_first(x[r] + first, lanes);
                zr[2 * r + 1] = acc[r][0][1] + load_first(x[r] + units + first, lanes);
            }
            activate(zr, ra, p.d.alpha);
            for (int r = 0; r < kRows; ++r) {
                store_first(s.z[r] + first, zr[2 * r], lanes);
                store_first(s.rh[r] + first, zr[2 * r + 1] * load_first(s.h[r] + first, lanes), lanes);
                // r goes beside the gates: backward overwrites its gate with dr before the
                // gradient of the candidate's recurrent kernel needs r h.
                rnn::save(s.gates[r], first, zr[2 * r], lanes);
                rnn::save(s.saved[r], first, zr[2 * r + 1], lanes);
            }
        }
    }

    template <int kRows, int kVecs>
    static void step(const RnnProblem &p, rnn::TileState &s, const float *const *x, int first, int lanes) {
        const int units = p.d.units, a = p.d.activation, ra = p.d.recurrent_activation;
        constexpr int kCells = kRows * kVecs;  // cell = r * kVecs + v
        Vec cand[kCells];
        // Training keeps the candidate, or what a took where its derivative needs that (its input).
        const bool keeps_input = !derivative_from_output(a, p.d.alpha);
        if (p.d.reset_after) {
            Vec acc[kRows][kVecs][3];
            rnn::recurrent_product<kRows, kVecs, 3>(p, s.h, first, 3, 0, acc);
            Vec zr[2 * kCells], h_rec[kCells];  // the gates of the whole tile squashed together (vec_math.h)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes;
                const float *rb = p.recurrent_bias + at;
                const Vec bz = load_first(rb, n), br = load_first(rb + units, n), bh = load_first(rb + 2 * units, n);
                for (int r = 0; r < kRows; ++r) {
                    const int cell = r * kVecs + v;
                    zr[2 * cell] = acc[r][v][0] + bz + load_first(x[r] + at, n);
                    zr[2 * cell + 1] = acc[r][v][1] + br + load_first(x[r] + units + at, n);
                    h_rec[cell] = acc[r][v][2] + bh;
                }
            }
            activate(zr, ra, p.d.alpha);
            for (int r = 0; r < kRows; ++r)
                for (int v = 0; v < kVecs; ++v) {
                    const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes, cell = r * kVecs + v;
                    cand[cell] = fmadd(zr[2 * cell + 1], h_rec[cell], load_first(x[r] + 2 * units + at, n));
                }
            if (keeps_input) rnn::save_tile<kRows, kVecs>(s.gates, 2 * units, first, lanes, cand);
            activate(cand, a, p.d.alpha);
            for (int r = 0; r < kRows; ++r)
                for (int v = 0; v < kVecs; ++v) {
                    const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes, cell = r * kVecs + v;
                    const Vec z = zr[2 * cell], h = load_first(s.h[r] + at, n);
                    store_first(s.next[r] + at, fmadd(z, h - cand[cell], cand[cell]), n);
                    if (s.gates[r] != nullptr) {
                        const Vec values[] = {z, zr[2 * cell + 1], cand[cell]};
                        for (int gate = 0; gate < (keeps_input ? 2 : 3); ++gate)
                            rnn::save(s.gates[r], int64_t{gate} * units + at, values[gate], n);
                        rnn::save(s.saved[r], at, h_rec[cell], n);
                    }
                }
            return;
        }
        Vec acc[kRows][kVecs][1];
        rnn::recurrent_product<kRows, kVecs, 1>(p, s.rh, first, 3, 2, acc);
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes;
                cand[r * kVecs + v] = acc[r][v][0] + load_first(x[r] + 2 * units + at, n);
            }
        if (keeps_input) rnn::save_tile<kRows, kVecs>(s.gates, 2 * units, first, lanes, cand);
        activate(cand, a, p.d.alpha);
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes, cell = r * kVecs + v;
                const Vec z = load_first(s.z[r] + at, n), h = load_first(s.h[r] + at, n);
                store_first(s.next[r] + at, fmadd(z, h - cand[cell], cand[cell]), n);
                if (!keeps_input) rnn::save(s.gates[r], 2 * units + at, cand[cell], n);
            }
    }
};

}  // namespace

void gru_fwd_f32(const RnnProblem &p) { rnn::run_recurrence<GruCell>(p); }

}  // namespace NRT_SIMD
}  // namespace neurite

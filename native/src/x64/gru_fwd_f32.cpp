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
            for (int r = 0; r < kRows; ++r) {
                const Vec z = activate(acc[r][0][0] + load_first(x[r] + first, lanes), ra, p.d.alpha);
                const Vec reset = activate(acc[r][0][1] + load_first(x[r] + units + first, lanes), ra, p.d.alpha);
                store_first(s.z[r] + first, z, lanes);
                store_first(s.rh[r] + first, reset * load_first(s.h[r] + first, lanes), lanes);
                // r goes beside the gates: backward overwrites its gate with dr before the
                // gradient of the candidate's recurrent kernel needs r h.
                rnn::save(s.gates[r], first, z, lanes);
                rnn::save(s.saved[r], first, reset, lanes);
            }
        }
    }

    template <int kRows, int kVecs>
    static void step(const RnnProblem &p, rnn::TileState &s, const float *const *x, int first, int lanes) {
        const int units = p.d.units, a = p.d.activation, ra = p.d.recurrent_activation;
        if (p.d.reset_after) {
            Vec acc[kRows][kVecs][3];
            rnn::recurrent_product<kRows, kVecs, 3>(p, s.h, first, 3, 0, acc);
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes;
                const float *rb = p.recurrent_bias + at;
                const Vec bz = load_first(rb, n), br = load_first(rb + units, n), bh = load_first(rb + 2 * units, n);
                for (int r = 0; r < kRows; ++r) {
                    const float *xr = x[r] + at;
                    const Vec z = activate(acc[r][v][0] + bz + load_first(xr, n), ra, p.d.alpha);
                    const Vec reset = activate(acc[r][v][1] + br + load_first(xr + units, n), ra, p.d.alpha);
                    const Vec h_rec = acc[r][v][2] + bh;
                    const Vec cand = activate(fmadd(reset, h_rec, load_first(xr + 2 * units, n)), a, p.d.alpha);
                    const Vec h = load_first(s.h[r] + at, n);
                    store_first(s.next[r] + at, fmadd(z, h - cand, cand), n);
                    if (s.gates[r] != nullptr) {
                        const Vec values[] = {z, reset, cand};
                        for (int gate = 0; gate < 3; ++gate) rnn::save(s.gates[r], int64_t{gate} * units + at, values[gate], n);
                        rnn::save(s.saved[r], at, h_rec, n);
                    }
                }
            }
            return;
        }
        Vec acc[kRows][kVecs][1];
        rnn::recurrent_product<kRows, kVecs, 1>(p, s.rh, first, 3, 2, acc);
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes;
                const Vec cand = activate(acc[r][v][0] + load_first(x[r] + 2 * units + at, n), a, p.d.alpha);
                const Vec z = load_first(s.z[r] + at, n), h = load_first(s.h[r] + at, n);
                store_first(s.next[r] + at, fmadd(z, h - cand, cand), n);
                rnn::save(s.gates[r], 2 * units + at, cand, n);
            }
    }
};

}  // namespace

void gru_fwd_f32(const RnnProblem &p) { rnn::run_recurrence<GruCell>(p); }

}  // namespace NRT_SIMD
}  // namespace neurite

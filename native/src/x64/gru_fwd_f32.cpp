// GRU recurrence, Keras gate order z, r, h (equations in neurite.h), kGruRows batch rows per tile.
//   reset_after (Keras' default, PyTorch's form): all three recurrent products in one pass,
//     z = ra(xz + h Uz + bz')   r = ra(xr + h Ur + br')   n = a(xh + r (h Uh + bh'))
//   otherwise: r must be known before (r h) Uh, so prepare() computes z and r h for every
//     vector of units first, and step() then the candidate:  n = a(xh + (r h) Uh)
//   h' = z h + (1 - z) n = n + z (h - n)
#include "kernels_x64.h"
#include "rnn_recurrence.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

struct GruCell {
    static constexpr int kMaxRows = kGruRows;

    template <int kRows>
    static void prepare(const RnnProblem &p, rnn::TileState &s, const float *const *x) {
        if (p.d.reset_after) return;
        const int units = p.d.units, ra = p.d.recurrent_activation;
        for (int first = 0; first < units; first += kLanes) {
            const int lanes = units - first < kLanes ? units - first : kLanes;
            Vec acc[kRows][2];
            rnn::recurrent_product<kRows, 2>(s.h, units, rnn::unit_weights(p, first), 3, 0, acc);
            for (int r = 0; r < kRows; ++r) {
                const Vec z = activate(acc[r][0] + load_first(x[r] + first, lanes), ra, 0.f);
                const Vec reset = activate(acc[r][1] + load_first(x[r] + units + first, lanes), ra, 0.f);
                store_first(s.z[r] + first, z, lanes);
                store_first(s.rh[r] + first, reset * load_first(s.h[r] + first, lanes), lanes);
            }
        }
    }

    template <int kRows>
    static void step(const RnnProblem &p, rnn::TileState &s, const float *const *x, int first, int lanes) {
        const int units = p.d.units, a = p.d.activation, ra = p.d.recurrent_activation;
        if (p.d.reset_after) {
            Vec acc[kRows][3];
            rnn::recurrent_product<kRows, 3>(s.h, units, rnn::unit_weights(p, first), 3, 0, acc);
            const float *rb = p.recurrent_bias + first;
            const Vec bz = load_first(rb, lanes), br = load_first(rb + units, lanes), bh = load_first(rb + 2 * units, lanes);
            for (int r = 0; r < kRows; ++r) {
                const float *xr = x[r] + first;
                const Vec z = activate(acc[r][0] + bz + load_first(xr, lanes), ra, 0.f);
                const Vec reset = activate(acc[r][1] + br + load_first(xr + units, lanes), ra, 0.f);
                const Vec n = activate(fmadd(reset, acc[r][2] + bh, load_first(xr + 2 * units, lanes)), a, 0.f);
                const Vec h = load_first(s.h[r] + first, lanes);
                store_first(s.next[r] + first, fmadd(z, h - n, n), lanes);
            }
            return;
        }
        Vec acc[kRows][1];
        rnn::recurrent_product<kRows, 1>(s.rh, units, rnn::unit_weights(p, first), 3, 2, acc);
        for (int r = 0; r < kRows; ++r) {
            const Vec n = activate(acc[r][0] + load_first(x[r] + 2 * units + first, lanes), a, 0.f);
            const Vec z = load_first(s.z[r] + first, lanes), h = load_first(s.h[r] + first, lanes);
            store_first(s.next[r] + first, fmadd(z, h - n, n), lanes);
        }
    }
};

}  // namespace

void gru_fwd_f32(const RnnProblem &p) { rnn::run_recurrence<GruCell>(p); }

}  // namespace NRT_SIMD
}  // namespace neurite

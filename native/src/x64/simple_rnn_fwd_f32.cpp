// SimpleRNN recurrence: h' = a(x W + b + h U), kSimpleRnnRows batch rows per tile.
#include "kernels_x64.h"
#include "rnn_recurrence.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

struct SimpleCell {
    static constexpr int kMaxRows = kSimpleRnnRows;

    static bool prepares(const RnnProblem &) { return false; }
    template <int kRows>
    static void prepare(const RnnProblem &, rnn::TileState &, const float *const *, int, int) {}

    template <int kRows, int kVecs>
    static void step(const RnnProblem &p, rnn::TileState &s, const float *const *x, int first, int lanes) {
        Vec acc[kRows][kVecs][1];
        rnn::recurrent_product<kRows, kVecs, 1>(p, s.h, first, 1, 0, acc);
        Vec h[kRows * kVecs];  // squashed together (vec_math.h)
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes;
                h[r * kVecs + v] = acc[r][v][0] + load_first(x[r] + at, n);
            }
        // Training keeps the state, or what the activation took where its derivative needs that.
        const bool keeps_input = !derivative_from_output(p.d.activation, p.d.alpha);
        if (keeps_input) rnn::save_tile<kRows, kVecs>(s.gates, 0, first, lanes, h);
        activate(h, p.d.activation, p.d.alpha);
        for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kVecs; ++v) {
                const int at = first + v * kLanes, n = v == kVecs - 1 ? lanes : kLanes;
                store_first(s.next[r] + at, h[r * kVecs + v], n);
                if (!keeps_input) rnn::save(s.gates[r], at, h[r * kVecs + v], n);
            }
    }
};

}  // namespace

void simple_rnn_fwd_f32(const RnnProblem &p) { rnn::run_recurrence<SimpleCell>(p); }

}  // namespace NRT_SIMD
}  // namespace neurite

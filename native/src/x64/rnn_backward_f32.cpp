// Backpropagation through time for SimpleRNN, LSTM and GRU (both forms), over what the
// training forward pass saved (rnn_workspace.h). Tiles of kRows sequences go back through the
// steps together: per step, the gradients at the gates a vector of units at a time, then
// dh of the step before = the gates' recurrent gradients times U^T, where every vector of
// U^T loaded feeds all the tile's rows, and where asked the tile's sums for the bias's
// gradient. (The input's gradient is one GEMM after, in the dispatcher.) Each sequence's sums run in one fixed order,
// and the tiles' bias sums are added in tile order, whatever the threads.
#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "../common/activation.h"
#include "../common/rnn_workspace.h"
#include "../common/scratch.h"
#include "../common/thread_pool.h"
#include "gemm_tile.h"
#include "kernels_x64.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace {

constexpr int kRows = kBpttRows;

// The gradients at step (row r = sequence * steps + t)'s gates from dh plus the output's
// gradient dy at the step (null: none), and dc (LSTM, updated in place); d_prev gets the part
// of the previous dh that bypasses the recurrent kernel.
void gate_gradients(const RnnBackwardProblem &p, const RnnWorkspace &at, int64_t r, const float *u_t, int64_t stride,
                    const float *dh, const float *dy, float *dc, float *d_prev) {
    const nrt_rnn_desc &d = p.d;
    const int units = d.units, a = d.activation, ra = d.recurrent_activation;
    const float alpha = d.alpha;
    // What a gave, from what the workspace kept of it: its output, or its input where the
    // derivative needs that (rnn_workspace.h). times_derivative takes either, as a requires.
    const bool keeps_input = !derivative_from_output(a, alpha);
    auto output_of_a = [&](Vec kept) { return keeps_input ? activate(kept, a, alpha) : kept; };
    // dx overwrites the gates, each vector once it is read.
    float *ws = p.workspace, *dx = ws + at.gates(r), *d_rec = at.gru ? ws + at.d_rec(r) : dx;
    const float *gates = dx, *saved = ws + at.saved(r), *h = ws + at.h(r);
    for (int j = 0; j < units; j += kLanes) {
        const int n = std::min(kLanes, units - j);
        const Vec dhv = dy != nullptr ? load_first(dh + j, n) + load_first(dy + j, n) : load_first(dh + j, n);
        if (d.cell == NRT_CELL_SIMPLE) {
            store_first(dx + j, times_derivative(dhv, load_first(gates + j, n), a, alpha), n);
            store_first(d_prev + j, zero(), n);
        } else if (d.cell == NRT_CELL_LSTM) {
            const Vec i = load_first(gates + j, n), f = load_first(gates + units + j, n);
            const Vec g = load_first(gates + 2 * units + j, n), o = load_first(gates + 3 * units + j, n);
            const Vec squashed = load_first(saved + j, n), c = load_first(ws + at.c(r) + j, n);
            const Vec dcv = load_first(dc + j, n) + times_derivative(dhv * o, squashed, a, alpha);
            store_first(dx + j, times_derivative(dcv * output_of_a(g), i, ra, alpha), n);
            store_first(dx + units + j, times_derivative(dcv * c, f, ra, alpha), n);
            store_first(dx + 2 * units + j, times_derivative(dcv * i, g, a, alpha), n);
            store_first(dx + 3 * units + j, times_derivative(dhv * output_of_a(squashed), o, ra, alpha), n);
            store_first(dc + j, dcv * f, n);
            store_first(d_prev + j, zero(), n);
        } else if (!d.reset_after) {  // GRU, reset before: r needs the candidate's gradient at r h, below
            const Vec z = load_first(gates + j, n), cand = load_first(gates + 2 * units + j, n);
            store_first(dx + j, times_derivative(dhv * (load_first(h + j, n) - output_of_a(cand)), z, ra, alpha), n);
            store_first(dx + 2 * units + j, times_derivative(dhv * (set1(1.f) - z), cand, a, alpha), n);
            store_first(d_rec + j, load_first(dx + j, n), n);
            store_first(d_rec + 2 * units + j, zero(), n);  // Un's gradient comes from r h (dispatch)
            store_first(d_prev + j, dhv * z, n);
        } else {  // GRU, reset_after
            const Vec z = load_first(gates + j, n), reset = load_first(gates + units + j, n);
            const Vec cand = load_first(gates + 2 * units + j, n), h_rec = load_first(saved + j, n);
            const Vec dn = times_derivative(dhv * (set1(1.f) - z), cand, a, alpha);
            const Vec dz = times_derivative(dhv * (load_first(h + j, n) - output_of_a(cand)), z, ra, alpha);
            const Vec dr = times_derivative(dn * h_rec, reset, ra, alpha);
            store_first(dx + j, dz, n);
            store_first(dx + units + j, dr, n);
            store_first(dx + 2 * units + j, dn, n);
            store_first(d_rec + j, dz, n);
            store_first(d_rec + units + j, dr, n);
            store_first(d_rec + 2 * units + j, dn * reset, n);
            store_first(d_prev + j, dhv * z, n);
        }
    }
    if (d.cell != NRT_CELL_GRU || d.reset_after) return;
    // n = a(x Wn + (r h) Un + b): the gradient at r h is dn Un^T, then r's and the direct part of h's.
    const float *dn = dx + 2 * units;
    for (int k = 0; k < units; k += kLanes) {
        const int n = std::min(kLanes, units - k);
        Vec d_rh = zero();
        for (int j = 0; j < units; ++j) d_rh = fmadd(broadcast(dn + j), load_first(u_t + (2 * units + j) * stride + k, n), d_rh);
        const Vec reset = load_first(saved + k, n);
        const Vec dr = times_derivative(d_rh * load_first(h + k, n), reset, ra, alpha);
        store_first(dx + units + k, dr, n);
        store_first(d_rec + units + k, dr, n);
        store_first(d_prev + k, fmadd(d_rh, reset, load_first(d_prev + k, n)), n);
    }
}

// The cache lines the step before will read or write, fetched one per 16 FMAs of this step's
// products (read prefetches: without -mprfchw GCC has no write form, and the lines are private). The tile's sequences lie a whole sequence of rows apart, out of the hardware
// prefetchers' reach; fetched all at once at the top of the step, the lines filled the core's
// miss buffers and stalled it (perf put a quarter of the gate gradients' time on the prefetch
// loop and on the loads after it).
class PrefetchQueue {
public:
    void add(const float *from, int64_t floats) {
        if (from != nullptr && floats > 0) runs_[count_++] = {from, from + floats};
    }
    // Iteration i of a product loop doing kFmas vector FMAs per iteration.
    template <int kFmas>
    void on_iteration(int i) {
        constexpr int kIterationsPerLine = std::max(1, 16 / kFmas);
        if (i % kIterationsPerLine == 0) issue_one();
    }
    // Issues what the products left (a small layer's are shorter than its list, a masked step
    // runs none) and empties the queue for the next step's lines.
    void flush() {
        while (next_ < count_) issue_one();
        count_ = next_ = 0;
    }

private:
    struct Run {
        const float *at, *end;
    };
    void issue_one() {
        if (next_ == count_) return;
        Run &run = runs_[next_];
        __builtin_prefetch(run.at);
        if (run.end - run.at > kFloatsPerLine) run.at += kFloatsPerLine;  // never a pointer past the end
        else ++next_;
    }
    static constexpr int kRunsPerRow = 5;  // output gradient, gates, saved, cell or state, d_rec
    std::array<Run, kRunsPerRow * kRows> runs_{};
    int count_ = 0, next_ = 0;
};

// out[r] = add[r] + d_gates[r] M^T over kVectors vectors of out's `width` floats from
// `first`, for the tile's kTileRows active rows: dh of the step before from U^T. M^T is
// [gated][stride], its rows zero-padded to whole vectors, so the loop over the gated units has
// no partial load and keeps every accumulator in a register.
template <int kTileRows, int kVectors>
void transposed_block(const float *m_t, int64_t stride, int gated, int width, int first, const float *const *d_gates,
                      const float *const *add, float *const *out, PrefetchQueue &ahead) {
    Vec acc[kTileRows][kVectors];
#pragma GCC unroll 4
    for (int r = 0; r < kTileRows; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kVectors; ++v) acc[r][v] = zero();
    // Local copies: GCC reloaded d_gates[r] from memory on every iteration, which crowded AVX2's short loop.
    const float *rows[kTileRows];
#pragma GCC unroll 4
    for (int r = 0; r < kTileRows; ++r) rows[r] = d_gates[r];
    const float *w = m_t + first;
    for (int j = 0; j < gated; ++j, w += stride) {
        Vec wv[kVectors];
        gemm::load_vectors(w, wv);
        gemm::multiply_add(acc, [&](int r) { return rows[r] + j; }, wv);
        ahead.on_iteration<kTileRows * kVectors>(j);
    }
#pragma GCC unroll 4
    for (int r = 0; r < kTileRows; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kVectors; ++v) {
            const int at = first + v * kLanes, n = std::min(kLanes, width - at);
            store_first(out[r] + at, load_first(add[r] + at, n) + acc[r][v], n);
        }
}

using TransposedBlock = void (*)(const float *, int64_t, int, int, int, const float *const *, const float *const *,
                                 float *const *, PrefetchQueue &);

template <int kTileRows, int... kVectorsMinusOne>
constexpr std::array<TransposedBlock, kBpttVectors> blocks_of(std::integer_sequence<int, kVectorsMinusOne...>) {
    return {transposed_block<kTileRows, kVectorsMinusOne + 1>...};
}
template <int... kRowsMinusOne>
constexpr std::array<std::array<TransposedBlock, kBpttVectors>, kBpttRows> blocks(std::integer_sequence<int, kRowsMinusOne...>) {
    return {blocks_of<kRowsMinusOne + 1>(std::make_integer_sequence<int, kBpttVectors>{})...};
}
// kTransposedBlocks[rows - 1][vectors - 1]
constexpr auto kTransposedBlocks = blocks(std::make_integer_sequence<int, kBpttRows>{});

// out[r] = add[r] + d_gates[r] M^T for `rows` rows of `width` floats (see transposed_block).
void times_transposed(const float *m_t, int64_t stride, int gated, int width, int rows, const float *const *d_gates,
                      const float *const *add, float *const *out, PrefetchQueue &ahead) {
    for (int first = 0; first < width; first += kBpttVectors * kLanes) {
        const int vectors = static_cast<int>(std::min<int64_t>(kBpttVectors, ceil_div(width - first, kLanes)));
        kTransposedBlocks[rows - 1][vectors - 1](m_t, stride, gated, width, first, d_gates, add, out, ahead);
    }
}

// sum[0, n) += add[0, n)
void add_to(float *sum, const float *add, int64_t n) {
    for (int64_t j = 0; j < n; j += kLanes) {
        const int lanes = static_cast<int>(std::min<int64_t>(kLanes, n - j));
        store_first(sum + j, load_first(sum + j, lanes) + load_first(add + j, lanes), lanes);
    }
}

// M^T of a Keras-layout M [rows, gated] into [gated][stride] with zeros past `rows` in each row.
void transpose_padded(const float *m, int rows, int gated, int64_t stride, float *m_t) {
    for (int j = 0; j < gated; ++j) {
        for (int k = 0; k < rows; ++k) m_t[j * stride + k] = m[int64_t{k} * gated + j];
        std::fill(m_t + j * stride + rows, m_t + (j + 1) * stride, 0.f);
    }
}

}  // namespace

void rnn_backward_f32(const RnnBackwardProblem &p) {
    const nrt_rnn_desc &d = p.d;
    const int units = d.units;
    const RnnWorkspace at(d, p.batch, p.steps);
    const int gated = at.gated;
    // U^T, so that dh's units are contiguous: one vector of it serves every row of a tile.
    const int64_t stride = ceil_div(units, kLanes) * kLanes;
    const int64_t tiles = ceil_div(p.batch, kRows), bias_floats = p.d_bias != nullptr ? rnn_bias_floats(p.d) : 0;
    float *u_t = thread_scratch(int64_t{gated} * stride + tiles * bias_floats, ScratchSlot::kGradientLeft);
    // Each tile's sums of its gates' gradients, added up in tile order after: the bias's
    // gradient then needs no pass of its own over every step's gradients, and its sums do not
    // depend on how tiles were shared out.
    float *tile_bias_sums = u_t + int64_t{gated} * stride;
    transpose_padded(p.recurrent_kernel, units, gated, stride, u_t);
    parallel_for(tiles, p.threads, [&](int64_t begin, int64_t end) {
        std::vector<float> memory(static_cast<size_t>(kRows) * 3 * units);
        PrefetchQueue ahead;
        for (int64_t tile = begin; tile < end; ++tile) {
            const int64_t first_row = tile * kRows;
            const int rows = static_cast<int>(std::min<int64_t>(kRows, p.batch - first_row));
            float *dh[kRows], *dc[kRows], *d_prev[kRows];
            for (int r = 0; r < kRows; ++r) {
                dh[r] = memory.data() + r * 3 * units;
                dc[r] = dh[r] + units;
                d_prev[r] = dc[r] + units;
            }
            std::fill(memory.begin(), memory.end(), 0.f);
            float *bias_sums = p.d_bias != nullptr ? tile_bias_sums + tile * bias_floats : nullptr;
            if (bias_sums != nullptr) std::fill(bias_sums, bias_sums + bias_floats, 0.f);
            for (int r = 0; r < rows; ++r) p.seed(first_row + r, dh[r], dc[r]);
            for (int s = p.steps - 1; s >= 0; --s) {
                const int t = p.input_step(s);
                // What the step before reads and writes, fetched during this step's products.
                // Without this, the loads of the output's gradient and the gates stalled
                // most of the gate gradients' time.
                ahead.flush();
                if (s > 0)
                    for (int r = 0; r < rows; ++r) {
                        const int64_t wr = (first_row + r) * p.steps + p.input_step(s - 1);
                        ahead.add(d.return_sequences ? p.step_gradient(first_row + r, s - 1) : nullptr, units);
                        ahead.add(p.workspace + at.gates(wr), gated);
                        ahead.add(p.workspace + at.saved(wr), at.saved_width);
                        ahead.add(at.lstm ? p.workspace + at.c(wr) : at.gru ? p.workspace + at.h(wr) : nullptr, units);
                        ahead.add(at.gru ? p.workspace + at.d_rec(wr) : nullptr, gated);
                    }
                // The tile's rows valid at this step, packed first: masked ones pass dh through untouched.
                const float *d_rec[kRows], *active_prev[kRows];
                float *active_dh[kRows];
                int active = 0;
                for (int r = 0; r < rows; ++r) {
                    const int64_t row = first_row + r, wr = row * p.steps + t;
                    if (!p.valid(row, t)) {
                        std::fill(p.workspace + at.gates(wr), p.workspace + at.gates(wr) + gated, 0.f);
                        if (at.gru) std::fill(p.workspace + at.d_rec(wr), p.workspace + at.d_rec(wr) + gated, 0.f);
                        continue;
                    }
                    const float *dy = d.return_sequences ? p.step_gradient(row, s) : nullptr;
                    gate_gradients(p, at, wr, u_t, stride, dh[r], dy, dc[r], d_prev[r]);
                    if (bias_sums != nullptr) {
                        add_to(bias_sums, p.workspace + at.gates(wr), gated);
                        if (bias_floats > gated) add_to(bias_sums + gated, p.workspace + at.d_rec(wr), gated);
                    }
                    d_rec[active] = p.workspace + (at.gru ? at.d_rec(wr) : at.gates(wr));
                    active_prev[active] = d_prev[r];
                    active_dh[active++] = dh[r];
                }
                if (active == 0) continue;
                times_transposed(u_t, stride, gated, units, active, d_rec, active_prev, active_dh, ahead);
            }
            // What is left flows into the initial states.
            for (int r = 0; r < rows; ++r) {
                if (p.d_initial_h != nullptr) std::copy(dh[r], dh[r] + units, p.d_initial_h + (first_row + r) * units);
                if (p.d_initial_c != nullptr) std::copy(dc[r], dc[r] + units, p.d_initial_c + (first_row + r) * units);
            }
        }
    });
    if (p.d_bias == nullptr) return;
    std::copy(tile_bias_sums, tile_bias_sums + bias_floats, p.d_bias);
    for (int64_t tile = 1; tile < tiles; ++tile) add_to(p.d_bias, tile_bias_sums + tile * bias_floats, bias_floats);
}

}  // namespace NRT_SIMD
}  // namespace neurite

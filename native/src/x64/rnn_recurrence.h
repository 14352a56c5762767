// The fused recurrent step shared by the SimpleRNN, LSTM and GRU kernels: for a tile of
// kRows batch rows and one vector of units (kLanes units: a whole packed unit block on
// AVX-512, half of one on AVX2), the product of h with every gate's recurrent weights
// accumulates in registers (rows x gates vectors), and the cell's epilogue applies the gate
// nonlinearities and the state update to them before anything goes to memory.
//
// Rows of a tile are independent sequences: a tile runs all its steps on one thread, so
// there is no barrier per step, and results do not depend on how rows are split over threads.
#pragma once
#include <algorithm>
#include <array>
#include <vector>

#include "../common/packing.h"
#include "../common/scratch.h"
#include "../common/thread_pool.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace rnn {

static_assert(kRnnUnitBlock % kLanes == 0, "a vector of units lies in one packed unit block");

// The packed recurrent weights of units [first, first + kLanes) of gate 0 at k = 0; gate g
// is kRnnUnitBlock floats further, and k + 1 gates * kRnnUnitBlock further.
inline const float *unit_weights(const RnnProblem &p, int first) {
    return p.packed_recurrent + first / kRnnUnitBlock * rnn_block_floats(p.d) + first % kRnnUnitBlock;
}

// acc[r][v][g] = h_r . U[:, first_gate + g, units first + v kLanes ...] for r < kRows,
// v < kVecs, g < kGates. The sums live in local registers for the whole loop and reach `acc`
// once at the end: accumulating into the caller's array directly made GCC store every
// accumulator on each iteration.
template <int kRows, int kVecs, int kGates>
inline void recurrent_product(const RnnProblem &p, const float *const *h, int first, int all_gates, int first_gate,
                              Vec (&acc)[kRows][kVecs][kGates]) {
    Vec sum[kRows][kVecs][kGates];
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kVecs; ++v)
#pragma GCC unroll 4
            for (int g = 0; g < kGates; ++g) sum[r][v][g] = zero();
    const float *w[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) w[v] = unit_weights(p, first + v * kLanes) + first_gate * kRnnUnitBlock;
    const int64_t k_stride = int64_t{all_gates} * kRnnUnitBlock;
    for (int k = 0; k < p.d.units; ++k) {
        Vec hk[kRows];
#pragma GCC unroll 4
        for (int r = 0; r < kRows; ++r) hk[r] = broadcast(h[r] + k);
#pragma GCC unroll 4
        for (int v = 0; v < kVecs; ++v)
#pragma GCC unroll 4
            for (int g = 0; g < kGates; ++g) {
                const Vec weight = load(w[v] + k * k_stride + g * kRnnUnitBlock);
#pragma GCC unroll 4
                for (int r = 0; r < kRows; ++r) sum[r][v][g] = fmadd(hk[r], weight, sum[r][v][g]);
            }
    }
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kVecs; ++v)
#pragma GCC unroll 4
            for (int g = 0; g < kGates; ++g) acc[r][v][g] = sum[r][v][g];
}

// Per-row state of a tile: h (read this step) and next (written), c and c_next (LSTM), and
// for GRU without reset_after the update gate z and r * h of the step.
struct TileState {
    float *h[4], *next[4], *c[4], *c_next[4], *z[4], *rh[4];
};

// Runs the whole recurrence of p with kRows batch rows per tile (<= 4), kVecs vectors of
// units per step call, and Cell, a class providing
//   template <int kRows> static void prepare(const RnnProblem &, TileState &, const float *const *x);
//   template <int kRows, int kVecs> static void step(const RnnProblem &, TileState &,
//                                                    const float *const *x, int first_unit, int lanes);
// where x[r] is the projection of tile row r at this step, and step fills next (and c_next)
// for units [first_unit, first_unit + (kVecs - 1) kLanes + lanes). Calls with kVecs > 1 get
// whole vectors only; the units left over go one vector at a time, the last maybe partial.
// Small batches take wide tiles (few rows, several vectors): the same accumulators then hold
// independent sums, and one row's step is not a chain of dependent FMAs.
//
// Each thread takes one contiguous group of tiles through all the steps in lockstep, and
// within a step runs every tile of its group on one unit block before the next block: the
// block's recurrent weights (units x gates x kLanes floats) are then read from L2 once per group
// rather than streamed from L3 once per tile, which bounds large layers (512 units: 4 MB of
// weights per step).
template <class Cell, int kRows, int kVecs>
void run_recurrence_tiles(const RnnProblem &p) {
    const nrt_rnn_desc &d = p.d;
    const int units = d.units, gates = p.gates();
    const int64_t tiles = ceil_div(p.batch, kRows);
    const int64_t groups = std::min<int64_t>(tiles, resolve_threads(p.threads));
    const int64_t padded = ceil_div(units, kLanes) * kLanes;
    constexpr int kBuffers = 6;
    parallel_for(groups, p.threads, [&](int64_t group_begin, int64_t group_end) {
        for (int64_t group = group_begin; group < group_end; ++group) {
            const int64_t tile_begin = group * tiles / groups, tile_end = (group + 1) * tiles / groups;
            const int64_t count = tile_end - tile_begin;
            float *memory = thread_scratch(count * kBuffers * kRows * padded, ScratchSlot::kTask);
            std::fill(memory, memory + count * kBuffers * kRows * padded, 0.f);
            std::vector<TileState> states(count);
            std::vector<std::array<int64_t, 4>> row_index(count);
            std::vector<int> rows(count);
            for (int64_t i = 0; i < count; ++i) {
                const int64_t first = (tile_begin + i) * kRows;
                rows[i] = static_cast<int>(std::min<int64_t>(kRows, p.batch - first));
                TileState &state = states[i];
                for (int r = 0; r < kRows; ++r) {
                    // Rows past the batch compute on the first row's input into their own buffers, never stored.
                    row_index[i][r] = first + (r < rows[i] ? r : 0);
                    float *base = memory + ((i * kRows + r) * kBuffers) * padded;
                    float **buffers[kBuffers] = {state.h, state.next, state.c, state.c_next, state.z, state.rh};
                    for (int b = 0; b < kBuffers; ++b) buffers[b][r] = base + b * padded;
                    for (int j = 0; j < units; ++j) {
                        const int64_t at = row_index[i][r] * units + j;
                        state.h[r][j] = p.initial_h != nullptr ? p.initial_h[at] : 0.f;
                        state.c[r][j] = p.initial_c != nullptr ? p.initial_c[at] : 0.f;
                    }
                }
            }
            std::vector<std::array<const float *, 4>> x(count);
            std::vector<char> active(count);
            for (int s = 0; s < p.steps; ++s) {
                const int t = p.input_step(s);
                for (int64_t i = 0; i < count; ++i) {
                    bool any_valid = false;
                    for (int r = 0; r < kRows; ++r) {
                        x[i][r] = p.projection + (row_index[i][r] * p.steps + t) * int64_t{gates} * units;
                        any_valid |= r < rows[i] && p.valid(row_index[i][r], t);
                    }
                    active[i] = any_valid;
                    if (any_valid) Cell::template prepare<kRows>(p, states[i], x[i].data());
                }
                int b = 0;
                if constexpr (kVecs > 1) {
                    for (; b + kVecs * kLanes <= units; b += kVecs * kLanes)
                        for (int64_t i = 0; i < count; ++i)
                            if (active[i]) Cell::template step<kRows, kVecs>(p, states[i], x[i].data(), b, kLanes);
                }
                for (; b < units; b += kLanes) {
                    const int lanes = std::min(kLanes, units - b);
                    for (int64_t i = 0; i < count; ++i)
                        if (active[i]) Cell::template step<kRows, 1>(p, states[i], x[i].data(), b, lanes);
                }
                for (int64_t i = 0; i < count; ++i) {
                    TileState &state = states[i];
                    for (int r = 0; r < rows[i]; ++r) {
                        const int64_t row = row_index[i][r];
                        float *out = d.return_sequences ? p.step_output(row, s) : nullptr;
                        if (p.valid(row, t)) {
                            std::swap(state.h[r], state.next[r]);
                            std::swap(state.c[r], state.c_next[r]);
                            if (out != nullptr) std::copy(state.h[r], state.h[r] + units, out);
                        } else if (out != nullptr) {
                            std::fill(out, out + units, 0.f); // masked: the state carries through, the output is 0
                        }
                    }
                }
            }
            for (int64_t i = 0; i < count; ++i) {
                const TileState &state = states[i];
                for (int r = 0; r < rows[i]; ++r) {
                    const int64_t row = row_index[i][r];
                    if (!d.return_sequences) std::copy(state.h[r], state.h[r] + units, p.last_output(row));
                    if (p.final_h != nullptr) std::copy(state.h[r], state.h[r] + units, p.final_h + row * units);
                    if (p.final_c != nullptr) std::copy(state.c[r], state.c[r] + units, p.final_c + row * units);
                }
            }
        }
    });
}

// Tiles of Cell::kMaxRows rows (a per-ISA tile size), or of the whole batch when it is
// smaller: a tile computes all its rows whether or not they exist, so a lone sequence must not
// pay for a partner. Fewer rows take more vectors of units, for as many accumulators.
template <class Cell>
void run_recurrence(const RnnProblem &p) {
    constexpr int kMax = Cell::kMaxRows;
    static_assert(kMax >= 1 && kMax <= 4, "tiles hold 1 to 4 rows");
    const int rows = p.batch < kMax ? p.batch : kMax;
    switch (rows) {
        case 1: run_recurrence_tiles<Cell, 1, kMax>(p); break;
        case 2: if constexpr (kMax >= 2) run_recurrence_tiles<Cell, 2, kMax / 2>(p); break;
        case 3: if constexpr (kMax >= 3) run_recurrence_tiles<Cell, 3, 1>(p); break;
        default: if constexpr (kMax >= 4) run_recurrence_tiles<Cell, 4, 1>(p); break;
    }
}

}  // namespace rnn
}  // namespace NRT_SIMD
}  // namespace neurite

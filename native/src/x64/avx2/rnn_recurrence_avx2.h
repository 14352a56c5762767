// The fused recurrent step shared by the AVX2 SimpleRNN, LSTM and GRU kernels: for a tile of
// kRows batch rows and one block of 8 units, the product of h with every gate's recurrent
// weights accumulates in registers (rows x gates vectors), and the cell's epilogue applies
// the gate nonlinearities and the state update to them before anything goes to memory.
//
// Rows of a tile are independent sequences: a tile runs all its steps on one thread, so
// there is no barrier per step, and results do not depend on how rows are split over threads.
#pragma once
#include <immintrin.h>

#include <algorithm>

#include "../../common/packing.h"
#include "../../common/scratch.h"
#include "../../common/thread_pool.h"
#include "math_avx2.h"

namespace neurite {
namespace rnn_avx2 {

// acc[r][g] += h_r . U[:, first_gate + g, block units] for r < kRows, g < kGates.
template <int kRows, int kGates>
inline void recurrent_product(const float *const *h, int units, const float *block, int all_gates, int first_gate,
                              __m256 (&acc)[kRows][kGates]) {
    const float *w = block + first_gate * kRnnUnitBlock;
    for (int k = 0; k < units; ++k, w += all_gates * kRnnUnitBlock) {
        __m256 wg[kGates];
#pragma GCC unroll 4
        for (int g = 0; g < kGates; ++g) wg[g] = _mm256_loadu_ps(w + g * kRnnUnitBlock);
#pragma GCC unroll 4
        for (int r = 0; r < kRows; ++r) {
            const __m256 hk = _mm256_broadcast_ss(h[r] + k);
#pragma GCC unroll 4
            for (int g = 0; g < kGates; ++g) acc[r][g] = _mm256_fmadd_ps(hk, wg[g], acc[r][g]);
        }
    }
}

// 8 floats at p, or the first `lanes` of them (the rest read as 0, never touched).
inline __m256 load_units(const float *p, int lanes) {
    return lanes == kRnnUnitBlock ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, tail_mask(lanes));
}

inline void store_units(float *p, __m256 v, int lanes) {
    if (lanes == kRnnUnitBlock) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, tail_mask(lanes), v);
}

// Per-row state of a tile: h (read this step) and next (written), c and c_next (LSTM), and
// for GRU without reset_after the update gate z and r * h of the step.
struct TileState {
    float *h[4], *next[4], *c[4], *c_next[4], *z[4], *rh[4];
};

// Runs the whole recurrence of p with Cell, a class providing
//   static constexpr int kRows;                                 rows per tile (<= 4)
//   static void prepare(const RnnProblem &, TileState &, const float *const *x);
//   static void step(const RnnProblem &, TileState &, const float *const *x, int first_unit, int lanes);
// where x[r] is the projection of tile row r at this step, and step fills next (and c_next)
// for units [first_unit, first_unit + lanes).
template <class Cell>
void run_recurrence(const RnnProblem &p) {
    const nrt_rnn_desc &d = p.d;
    const int units = d.units, gates = p.gates();
    const int64_t tiles = ceil_div(p.batch, Cell::kRows);
    const int64_t padded = ceil_div(units, kRnnUnitBlock) * kRnnUnitBlock;
    constexpr int kBuffers = 6;
    parallel_for(tiles, p.threads, [&](int64_t begin, int64_t end) {
        float *memory = thread_scratch(kBuffers * Cell::kRows * padded, ScratchSlot::kTask);
        std::fill(memory, memory + kBuffers * Cell::kRows * padded, 0.f);
        for (int64_t tile = begin; tile < end; ++tile) {
            const int64_t first = tile * Cell::kRows;
            const int rows = static_cast<int>(std::min<int64_t>(Cell::kRows, p.batch - first));
            TileState state{};
            int64_t row_index[4];
            for (int r = 0; r < Cell::kRows; ++r) {
                // Rows past the batch compute on the first row's input into their own buffers, never stored.
                row_index[r] = first + (r < rows ? r : 0);
                float *base = memory + kBuffers * r * padded;
                float **buffers[kBuffers] = {state.h, state.next, state.c, state.c_next, state.z, state.rh};
                for (int i = 0; i < kBuffers; ++i) buffers[i][r] = base + i * padded;
                for (int j = 0; j < units; ++j) {
                    const int64_t at = row_index[r] * units + j;
                    state.h[r][j] = p.initial_h != nullptr ? p.initial_h[at] : 0.f;
                    state.c[r][j] = p.initial_c != nullptr ? p.initial_c[at] : 0.f;
                }
            }
            for (int s = 0; s < p.steps; ++s) {
                const int t = p.input_step(s);
                const float *x[4];
                bool any_valid = false;
                for (int r = 0; r < Cell::kRows; ++r) {
                    x[r] = p.projection + (row_index[r] * p.steps + t) * int64_t{gates} * units;
                    any_valid |= r < rows && p.valid(row_index[r], t);
                }
                if (any_valid) {
                    Cell::prepare(p, state, x);
                    for (int b = 0; b < units; b += kRnnUnitBlock)
                        Cell::step(p, state, x, b, std::min(kRnnUnitBlock, units - b));
                }
                for (int r = 0; r < rows; ++r) {
                    const int64_t row = first + r;
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
            for (int r = 0; r < rows; ++r) {
                const int64_t row = first + r;
                if (!d.return_sequences) std::copy(state.h[r], state.h[r] + units, p.last_output(row));
                if (p.final_h != nullptr) std::copy(state.h[r], state.h[r] + units, p.final_h + row * units);
                if (p.final_c != nullptr) std::copy(state.c[r], state.c[r] + units, p.final_c + row * units);
            }
        }
    });
}

}  // namespace rnn_avx2
}  // namespace neurite

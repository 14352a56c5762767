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

#include "../common/activation.h"
#include "../common/packing.h"
#include "../common/rnn_workspace.h"
#include "../common/scratch.h"
#include "../common/thread_pool.h"
#include "vec.h"

namespace neurite {
namespace NRT_SIMD {
namespace rnn {

static_assert(kRnnUnitBlock % kLanes == 0, "a vector of units lies in one packed unit block");

// The fewest vectors of units worth a team member of their own: below this a step's share is
// too small to pay for the barrier. With 2 (LSTM 64 units at batch 1: 2 AVX-512 vectors per
// member) the team runs 1.5x faster than one thread, whose 64 KB of recurrent weights spill
// from L1 on every step.
constexpr int64_t kMinTeamVectors = 2;

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
// for GRU without reset_after the update gate z and r * h of the step. In training, gates[r]
// is where row r's gates of this step go in the workspace (rnn_workspace.h): over its input
// projection, x[r] of the step, each vector once the step has read it. saved[r] is where the
// value per unit the gates do not hold goes, and saved_h[r] and saved_c[r] (LSTM) where its
// state before the step goes (end_step); all null when not training, at a masked step, or for
// a tile row that does not exist.
struct TileState {
    float *h[4], *next[4], *c[4], *c_next[4], *z[4], *rh[4], *gates[4], *saved[4], *saved_h[4], *saved_c[4];
};

// Stores a vector of values where training keeps them (gates or saved, above; null: nowhere),
// `offset` floats in (gate * units + unit).
inline void save(float *saved, int64_t offset, Vec value, int lanes) {
    if (saved != nullptr) store_first(saved + offset, value, lanes);
}

// save() for a whole tile's values (cell = row * kVecs + v) at offset + the tile's units.
template <int kRows, int kVecs>
inline void save_tile(float *const *saved, int64_t offset, int first, int lanes, const Vec *values) {
    for (int r = 0; r < kRows; ++r)
        for (int v = 0; v < kVecs; ++v)
            save(saved[r], offset + first + v * kLanes, values[r * kVecs + v], v == kVecs - 1 ? lanes : kLanes);
}

// to[first, last) = from[first, last), inline: a library call per row and step costs more than
// the copy of a few vectors.
inline void copy_units(const float *from, float *to, int first, int last) {
    for (int j = first; j < last; j += kLanes) {
        const int lanes = std::min(kLanes, last - j);
        store_first(to + j, load_first(from + j, lanes), lanes);
    }
}

constexpr int kTileBuffers = 6;

// One tile of up to 4 batch rows: its state, where its rows are, and this step's inputs.
struct Tile {
    TileState state;
    std::array<int64_t, 4> row;  // the batch row of each tile row
    int rows;                    // tile rows that exist; the others repeat row 0 and are never stored
                                 // (their x may already hold row 0's gates: what they compute is dropped)
    std::array<const float *, 4> x;
    bool active;                 // some row's step is valid (unmasked)
};

// Lays the tile's buffers out in memory (kTileBuffers * kRows * padded floats) and loads the
// initial states.
template <int kRows>
void init_tile(const RnnProblem &p, Tile &tile, int64_t first_row, float *memory, int64_t padded) {
    const int units = p.d.units;
    tile.rows = static_cast<int>(std::min<int64_t>(kRows, p.batch - first_row));
    std::fill(memory, memory + kTileBuffers * kRows * padded, 0.f);
    for (int r = 0; r < kRows; ++r) {
        tile.row[r] = first_row + (r < tile.rows ? r : 0);
        float *base = memory + r * kTileBuffers * padded;
        float **buffers[kTileBuffers] = {tile.state.h, tile.state.next, tile.state.c, tile.state.c_next, tile.state.z,
                                         tile.state.rh};
        for (int b = 0; b < kTileBuffers; ++b) buffers[b][r] = base + b * padded;
        for (int j = 0; j < units; ++j) {
            const int64_t at = tile.row[r] * units + j;
            tile.state.h[r][j] = p.initial_h != nullptr ? p.initial_h[at] : 0.f;
            tile.state.c[r][j] = p.initial_c != nullptr ? p.initial_c[at] : 0.f;
        }
    }
}

// Sets the tile up for step s. With `prefetch`, also fetches the next step's input projections:
// a thread running several tiles has more sequences than the hardware prefetchers follow, and a
// sequence's rows of consecutive steps are adjacent but the next sequence's are a sequence's
// length away. (A lone tile's few sequences are streams they do follow. Fetching the rows the
// next step writes as well made no difference.)
template <int kRows>
void begin_step(const RnnProblem &p, Tile &tile, int s, bool prefetch) {
    const int t = p.input_step(s);
    const int64_t projection_row = int64_t{p.gates()} * p.d.units;
    const RnnWorkspace at(p.d, p.batch, p.steps);
    if (prefetch && s + 1 < p.steps)
        for (int r = 0; r < tile.rows; ++r) {
            const float *next = p.projection + (tile.row[r] * p.steps + p.input_step(s + 1)) * projection_row;
            for (int64_t f = 0; f < projection_row; f += kFloatsPerLine) __builtin_prefetch(next + f);
        }
    tile.active = false;
    for (int r = 0; r < kRows; ++r) {
        tile.x[r] = p.projection + (tile.row[r] * p.steps + t) * projection_row;
        const bool valid = r < tile.rows && p.valid(tile.row[r], t);
        tile.active |= valid;
        const bool saving = valid && p.workspace != nullptr;
        const int64_t row = tile.row[r] * p.steps + t;
        tile.state.gates[r] = saving ? p.workspace + at.gates(row) : nullptr;
        tile.state.saved[r] = saving && at.saved_width > 0 ? p.workspace + at.saved(row) : nullptr;
        tile.state.saved_h[r] = saving ? p.workspace + at.h(row) : nullptr;
        tile.state.saved_c[r] = saving && at.lstm ? p.workspace + at.c(row) : nullptr;
    }
}

// Cell::step over units [first, last) of each tile, widest tiles first: kVecs vectors per
// call while they fill it, then halves, then single vectors, the last one maybe partial.
template <class Cell, int kRows, int kVecs>
void step_units(const RnnProblem &p, Tile *tiles, int64_t count, int first, int last) {
    int b = first;
    if constexpr (kVecs > 1) {
        for (; b + kVecs * kLanes <= last; b += kVecs * kLanes)
            for (int64_t i = 0; i < count; ++i)
                if (tiles[i].active) Cell::template step<kRows, kVecs>(p, tiles[i].state, tiles[i].x.data(), b, kLanes);
        step_units<Cell, kRows, kVecs / 2>(p, tiles, count, b, last);
    } else {
        for (; b < last; b += kLanes)
            for (int64_t i = 0; i < count; ++i)
                if (tiles[i].active)
                    Cell::template step<kRows, 1>(p, tiles[i].state, tiles[i].x.data(), b, std::min(kLanes, last - b));
    }
}

// Ends step s (input step t) for units [first, last): valid rows take their new state and
// emit it, masked rows keep their state and emit zeros (Keras).
template <int kRows>
void end_step(const RnnProblem &p, Tile &tile, int s, int t, int first, int last) {
    for (int r = 0; r < tile.rows; ++r) {
        float *out = p.d.return_sequences ? p.step_output(tile.row[r], s) : nullptr;
        if (p.valid(tile.row[r], t)) {
            if (tile.state.saved_h[r] != nullptr) copy_units(tile.state.h[r], tile.state.saved_h[r], first, last);
            if (tile.state.saved_c[r] != nullptr) copy_units(tile.state.c[r], tile.state.saved_c[r], first, last);
            std::swap(tile.state.h[r], tile.state.next[r]);
            std::swap(tile.state.c[r], tile.state.c_next[r]);
            if (out != nullptr) copy_units(tile.state.h[r], out, first, last);
        } else if (out != nullptr) {
            std::fill(out + first, out + last, 0.f);
        }
    }
}

template <int kRows>
void finish_tile(const RnnProblem &p, const Tile &tile, int first, int last) {
    const int units = p.d.units;
    for (int r = 0; r < tile.rows; ++r) {
        const int64_t row = tile.row[r];
        const float *h = tile.state.h[r], *c = tile.state.c[r];
        if (!p.d.return_sequences) std::copy(h + first, h + last, p.last_output(row) + first);
        if (p.final_h != nullptr) std::copy(h + first, h + last, p.final_h + row * units + first);
        if (p.final_c != nullptr) std::copy(c + first, c + last, p.final_c + row * units + first);
    }
}

// Runs the whole recurrence of p with kRows batch rows per tile (<= 4), up to kVecs vectors
// of units per step call, and Cell, a class providing
//   static bool prepares(const RnnProblem &);  // whether prepare() does anything
//   template <int kRows> static void prepare(const RnnProblem &, TileState &, const float *const *x,
//                                            int first_unit, int last_unit);
//   template <int kRows, int kVecs> static void step(const RnnProblem &, TileState &,
//                                                    const float *const *x, int first_unit, int lanes);
// where x[r] is the projection of tile row r at this step, prepare computes what every unit's
// step needs for units [first_unit, last_unit), and step fills next (and c_next) for units
// [first_unit, first_unit + (kVecs - 1) kLanes + lanes). Small batches take wide tiles (few
// rows, several vectors): the same accumulators then hold independent sums, and one row's
// step is not a chain of dependent FMAs.
//
// A task takes one contiguous group of tiles through all the steps in lockstep, and within a
// step runs every tile of its group on one vector of units before the next: that vector's
// recurrent weights (units x gates x kLanes floats) are then read from L2 once per group
// rather than streamed from L3 once per tile, which bounds large layers (512 units: 4 MB of
// weights per step). There are kGroupsPerThread groups per thread, so that the pool can even
// out a thread that starts late or runs slow (a shared machine's neighbour): with one group
// each, the other thread waited out the whole difference. Seed LSTM training forward pass,
// batch 32, 2 threads, eight groups against two: 0.91-0.95x the time on AVX-512 (p10),
// 0.93-1.0x on AVX2, and 0.89-0.93x at the median beside a process that spun on one core
// half the time; 512 units unchanged.
constexpr int64_t kGroupsPerThread = 4;

template <class Cell, int kRows, int kVecs>
void run_tile_groups(const RnnProblem &p) {
    const int units = p.d.units;
    const int64_t tiles = ceil_div(p.batch, kRows);
    const int64_t groups = std::min<int64_t>(tiles, resolve_threads(p.threads) * kGroupsPerThread);
    const int64_t padded = ceil_div(units, kLanes) * kLanes, tile_floats = kTileBuffers * kRows * padded;
    parallel_for(groups, p.threads, [&](int64_t group_begin, int64_t group_end) {
        for (int64_t group = group_begin; group < group_end; ++group) {
            const int64_t tile_begin = group * tiles / groups, count = (group + 1) * tiles / groups - tile_begin;
            float *memory = thread_scratch(count * tile_floats, ScratchSlot::kTask);
            std::vector<Tile> group_tiles(count);
            for (int64_t i = 0; i < count; ++i)
                init_tile<kRows>(p, group_tiles[i], (tile_begin + i) * kRows, memory + i * tile_floats, padded);
            for (int s = 0; s < p.steps; ++s) {
                const int t = p.input_step(s);
                for (Tile &tile : group_tiles) {
                    begin_step<kRows>(p, tile, s, count > 1);
                    if (tile.active) Cell::template prepare<kRows>(p, tile.state, tile.x.data(), 0, units);
                }
                step_units<Cell, kRows, kVecs>(p, group_tiles.data(), count, 0, units);
                for (Tile &tile : group_tiles) end_step<kRows>(p, tile, s, t, 0, units);
            }
            for (const Tile &tile : group_tiles) finish_tile<kRows>(p, tile, 0, units);
        }
    });
}

// A single tile (a batch of at most kRows) with its units split over a team of threads that
// meet at a barrier after every step: each member's share of the recurrent weights then stays
// in its own L1, and the other cores help where batch rows alone would leave them idle.
template <class Cell, int kRows, int kVecs>
void run_unit_team(const RnnProblem &p) {
    const int units = p.d.units;
    const int64_t padded = ceil_div(units, kLanes) * kLanes, vectors = padded / kLanes;
    Tile shared;
    init_tile<kRows>(p, shared, 0, thread_scratch(kTileBuffers * kRows * padded, ScratchSlot::kTask), padded);
    const int team = static_cast<int>(std::min<int64_t>(resolve_threads(p.threads), vectors / kMinTeamVectors));
    TeamBarrier barrier(team);
    parallel_team(team, [&](int member, int members) {
        // A team of one (the pool was busy) does every unit, and its barrier is never needed.
        const int first = static_cast<int>(vectors * member / members * kLanes);
        const int last = static_cast<int>(std::min<int64_t>(units, vectors * (member + 1) / members * kLanes));
        Tile tile = shared;  // shared buffers; each member swaps its own copy of the pointers in step
        for (int s = 0; s < p.steps; ++s) {
            const int t = p.input_step(s);
            begin_step<kRows>(p, tile, s, false);
            if (tile.active) {
                if (Cell::prepares(p)) {
                    Cell::template prepare<kRows>(p, tile.state, tile.x.data(), first, last);
                    if (members > 1) barrier.wait(member);
                }
                step_units<Cell, kRows, kVecs>(p, &tile, 1, first, last);
                if (members > 1) barrier.wait(member);
            }
            end_step<kRows>(p, tile, s, t, first, last);
        }
        finish_tile<kRows>(p, tile, first, last);
    });
}

template <class Cell, int kRows, int kVecs>
void run_tiles(const RnnProblem &p) {
    const int64_t vectors = ceil_div(p.d.units, kLanes);
    if (p.batch <= kRows && resolve_threads(p.threads) > 1 && vectors >= 2 * kMinTeamVectors)
        run_unit_team<Cell, kRows, kVecs>(p);
    else
        run_tile_groups<Cell, kRows, kVecs>(p);
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
        case 1: run_tiles<Cell, 1, kMax>(p); break;
        case 2: if constexpr (kMax >= 2) run_tiles<Cell, 2, kMax / 2>(p); break;
        case 3: if constexpr (kMax >= 3) run_tiles<Cell, 3, 1>(p); break;
        default: if constexpr (kMax >= 4) run_tiles<Cell, 4, 1>(p); break;
    }
}

}  // namespace rnn
}  // namespace NRT_SIMD
}  // namespace neurite

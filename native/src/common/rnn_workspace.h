// Where a recurrent layer's training step keeps what backward needs, in the caller's
// workspace, per row r = sequence * steps + input step (each section rows long, in this
// order): the state before the step; for LSTM the cell before it; the gates after
// their activations (SimpleRNN: the new state; LSTM: i, f, g, o and the activated cell; GRU:
// z, r, n and, with reset_after, h Uh + bh); the gradient at the gates' input projection
// (which holds the projection itself during the forward pass); and for GRU the gradient at
// their recurrent part. JavaRnn lays its workspace out the same way.
#pragma once
#include <cstdint>

#include "neurite.h"
#include "packing.h"

namespace neurite {

struct RnnWorkspace {
    int64_t rows;
    int units, gated, saved_width;
    bool lstm, gru;

    RnnWorkspace(const nrt_rnn_desc &d, int32_t batch, int32_t steps)
        : rows(int64_t{batch} * steps),
          units(d.units),
          gated(rnn_gates(d.cell) * d.units),
          saved_width(d.cell == NRT_CELL_LSTM || (d.cell == NRT_CELL_GRU && d.reset_after) ? gated + d.units : gated),
          lstm(d.cell == NRT_CELL_LSTM),
          gru(d.cell == NRT_CELL_GRU) {}

    int64_t row_floats() const { return int64_t{units} * (lstm ? 2 : 1) + saved_width + int64_t{gated} * (gru ? 2 : 1); }
    int64_t size() const { return rows * row_floats(); }

    int64_t h(int64_t r) const { return r * units; }
    int64_t c(int64_t r) const { return rows * units + r * units; }
    int64_t saved(int64_t r) const { return rows * units * (lstm ? 2 : 1) + r * saved_width; }
    int64_t dx(int64_t r) const { return rows * (int64_t{units} * (lstm ? 2 : 1) + saved_width) + r * gated; }
    int64_t d_rec(int64_t r) const { return dx(rows) + r * gated; }
};

}  // namespace neurite

// Where a recurrent layer's training step keeps what backward needs, in the caller's
// workspace, per row r = sequence * steps + input step (each section rows long, in this
// order): the state before the step; for LSTM the cell before it; the one value per unit the
// gates do not hold (LSTM: the activated cell; GRU: h Uh + bh with reset_after, the reset gate
// r without it; SimpleRNN: none); the gates (SimpleRNN: the new state), which hold their
// input projection until the forward pass overwrites it with their activated values, which
// backward overwrites in turn with their gradients at the projection; and for GRU the gradient
// at their recurrent part. Where the activation's derivative does not follow from its output
// (derivative_from_output: GELU, a leaky ReLU with a negative slope), what it took is kept
// instead of what it gave (SimpleRNN's state, LSTM's g and cell, GRU's candidate), and
// backward activates it again. In place, the LSTM recurrence writes half as many lines it has not
// just read (its stores bound its speed): the step took 0.96x the time, the workspace 0.64x
// the memory. JavaRnn lays its workspace out the same way.
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
          saved_width(d.cell == NRT_CELL_SIMPLE ? 0 : d.units),
          lstm(d.cell == NRT_CELL_LSTM),
          gru(d.cell == NRT_CELL_GRU) {}

    int64_t row_floats() const { return int64_t{units} * (lstm ? 2 : 1) + saved_width + int64_t{gated} * (gru ? 2 : 1); }
    int64_t size() const { return rows * row_floats(); }

    int64_t h(int64_t r) const { return r * units; }
    int64_t c(int64_t r) const { return rows * units + r * units; }
    int64_t saved(int64_t r) const { return rows * units * (lstm ? 2 : 1) + r * saved_width; }
    int64_t gates(int64_t r) const { return rows * (int64_t{units} * (lstm ? 2 : 1) + saved_width) + r * gated; }
    int64_t d_rec(int64_t r) const { return gates(rows) + r * gated; }
};

}  // namespace neurite

// The recurrence of SimpleRNN, LSTM and GRU, one batch row and one unit at a time, reading
// the same packed recurrent kernel as the vector kernels. Equations: neurite.h.
#include <algorithm>
#include <vector>

#include "../common/activation.h"
#include "../common/packing.h"
#include "../common/rnn_workspace.h"
#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

void rnn_f32_ref(const RnnProblem &p) {
    const nrt_rnn_desc &d = p.d;
    const int units = d.units, gates = p.gates();
    const int64_t block = rnn_block_floats(d);
    const int a = d.activation, ra = d.recurrent_activation;
    const float alpha = d.alpha;

    // sum_k h[k] U[k, gate, unit]
    auto recurrent = [&](const float *h, int gate, int unit) {
        const float *u = p.packed_recurrent + (unit / kRnnUnitBlock) * block + gate * kRnnUnitBlock + unit % kRnnUnitBlock;
        float acc = 0.f;
        for (int k = 0; k < units; ++k) acc += h[k] * u[int64_t{k} * gates * kRnnUnitBlock];
        return acc;
    };

    const RnnWorkspace at(d, p.batch, p.steps);
    float *const ws = p.workspace;  // null unless training
    // Training keeps what a gave, or what it took where its derivative needs that (rnn_workspace.h).
    const bool keeps_input = !derivative_from_output(a, alpha);
    auto kept = [&](float input, float output) { return keeps_input ? input : output; };

    parallel_for(p.batch, p.threads, [&](int64_t begin, int64_t end) {
        std::vector<float> h(units), next(units), c(units), rh(units);
        for (int64_t row = begin; row < end; ++row) {
            for (int j = 0; j < units; ++j) {
                h[j] = p.initial_h != nullptr ? p.initial_h[row * units + j] : 0.f;
                c[j] = p.initial_c != nullptr ? p.initial_c[row * units + j] : 0.f;
            }
            for (int s = 0; s < p.steps; ++s) {
                const int t = p.input_step(s);
                float *out = d.return_sequences ? p.step_output(row, s) : nullptr;
                if (!p.valid(row, t)) {
                    if (out != nullptr) std::fill(out, out + units, 0.f);
                    continue;
                }
                const int64_t r = row * p.steps + t;
                const float *x = p.projection + r * gates * units;
                // In training x is the row's gates in the workspace: each value goes over its
                // projection once read.
                float *gate_out = ws != nullptr ? ws + at.gates(r) : nullptr;
                float *saved = ws != nullptr ? ws + at.saved(r) : nullptr;
                if (ws != nullptr) {
                    std::copy(h.begin(), h.end(), ws + at.h(r));
                    if (at.lstm) std::copy(c.begin(), c.end(), ws + at.c(r));
                }
                if (d.cell == NRT_CELL_GRU && !d.reset_after) {
                    for (int j = 0; j < units; ++j) {
                        const float reset = activate(x[units + j] + recurrent(h.data(), 1, j), ra, alpha);
                        rh[j] = reset * h[j];
                        if (saved != nullptr) saved[j] = reset;
                    }
                }
                for (int j = 0; j < units; ++j) {
                    if (d.cell == NRT_CELL_SIMPLE) {
                        const float input = x[j] + recurrent(h.data(), 0, j);
                        next[j] = activate(input, a, alpha);
                        if (gate_out != nullptr) gate_out[j] = kept(input, next[j]);
                    } else if (d.cell == NRT_CELL_LSTM) {
                        const float i = activate(x[j] + recurrent(h.data(), 0, j), ra, alpha);
                        const float f = activate(x[units + j] + recurrent(h.data(), 1, j), ra, alpha);
                        const float g_input = x[2 * units + j] + recurrent(h.data(), 2, j);
                        const float g = activate(g_input, a, alpha);
                        const float o = activate(x[3 * units + j] + recurrent(h.data(), 3, j), ra, alpha);
                        c[j] = f * c[j] + i * g;
                        const float squashed = activate(c[j], a, alpha);
                        next[j] = o * squashed;
                        if (gate_out != nullptr) {
                            const float values[] = {i, f, kept(g_input, g), o};
                            for (int v = 0; v < 4; ++v) gate_out[v * units + j] = values[v];
                            saved[j] = kept(c[j], squashed);
                        }
                    } else {
                        const float z_bias = d.reset_after ? p.recurrent_bias[j] : 0.f;
                        const float z = activate(x[j] + recurrent(h.data(), 0, j) + z_bias, ra, alpha);
                        float n_input;
                        if (d.reset_after) {
                            const float reset = activate(x[units + j] + recurrent(h.data(), 1, j) + p.recurrent_bias[units + j], ra, alpha);
                            const float h_rec = recurrent(h.data(), 2, j) + p.recurrent_bias[2 * units + j];
                            n_input = x[2 * units + j] + reset * h_rec;
                            if (gate_out != nullptr) {
                                gate_out[units + j] = reset;
                                saved[j] = h_rec;
                            }
                        } else {
                            n_input = x[2 * units + j] + recurrent(rh.data(), 2, j);
                        }
                        const float n = activate(n_input, a, alpha);
                        next[j] = z * h[j] + (1.f - z) * n;
                        if (gate_out != nullptr) {
                            gate_out[j] = z;
                            gate_out[2 * units + j] = kept(n_input, n);
                        }
                    }
                }
                std::swap(h, next);
                if (out != nullptr) std::copy(h.begin(), h.end(), out);
            }
            if (!d.return_sequences) std::copy(h.begin(), h.end(), p.last_output(row));
            if (p.final_h != nullptr) std::copy(h.begin(), h.end(), p.final_h + row * units);
            if (p.final_c != nullptr) std::copy(c.begin(), c.end(), p.final_c + row * units);
        }
    });
}

// One sequence per task, from its last step back: the gradients at each step's gates, from
// the output's and from the step after it. Masked steps pass the state's gradient through.
// Derivatives come from the saved activation outputs, or for a its inputs where its derivative
// needs them (the caller refuses a recurrent activation that does).
void rnn_backward_f32_ref(const RnnBackwardProblem &p) {
    const nrt_rnn_desc &d = p.d;
    const int units = d.units, a = d.activation, ra = d.recurrent_activation;
    const float alpha = d.alpha;
    const bool keeps_input = !derivative_from_output(a, alpha);
    auto output_of_a = [&](float kept) { return keeps_input ? activate(kept, a, alpha) : kept; };
    const RnnWorkspace at(d, p.batch, p.steps);
    const int gated = at.gated;
    float *const ws = p.workspace;
    const float *const u = p.recurrent_kernel;

    // Each sequence's sums of its gates' gradients, added up in sequence order after.
    const int64_t bias_floats = p.d_bias != nullptr ? rnn_bias_floats(p.d) : 0;
    std::vector<float> sequence_bias_sums(static_cast<size_t>(p.batch * bias_floats));
    parallel_for(p.batch, p.threads, [&](int64_t begin, int64_t end) {
        std::vector<float> dh(units), dc(units), d_prev(units), d_rh(units);
        for (int64_t row = begin; row < end; ++row) {
            std::fill(dh.begin(), dh.end(), 0.f);
            std::fill(dc.begin(), dc.end(), 0.f);
            float *bias_sums = sequence_bias_sums.data() + row * bias_floats;
            p.seed(row, dh.data(), dc.data());
            for (int s = p.steps - 1; s >= 0; --s) {
                const int t = p.input_step(s);
                const int64_t r = row * p.steps + t;
                // dx overwrites the gates, each value once read.
                float *dx = ws + at.gates(r), *d_rec = at.gru ? ws + at.d_rec(r) : dx;
                const float *gate = dx, *saved = ws + at.saved(r), *h = ws + at.h(r);
                if (!p.valid(row, t)) {
                    std::fill(dx, dx + gated, 0.f);
                    std::fill(d_rec, d_rec + gated, 0.f);
                    continue;
                }
                if (d.return_sequences) {
                    const float *dy = p.step_gradient(row, s);
                    for (int j = 0; j < units; ++j) dh[j] += dy[j];
                }
                std::fill(d_prev.begin(), d_prev.end(), 0.f);
                if (d.cell == NRT_CELL_SIMPLE) {
                    for (int j = 0; j < units; ++j) dx[j] = dh[j] * derivative(gate[j], a, alpha);
                } else if (d.cell == NRT_CELL_LSTM) {
                    const float *c_prev = ws + at.c(r);
                    for (int j = 0; j < units; ++j) {
                        const float i = gate[j], f = gate[units + j], g = gate[2 * units + j];
                        const float o = gate[3 * units + j], squashed = saved[j];
                        const float dcj = dc[j] + dh[j] * o * derivative(squashed, a, alpha);
                        dx[j] = dcj * output_of_a(g) * derivative(i, ra, alpha);
                        dx[units + j] = dcj * c_prev[j] * derivative(f, ra, alpha);
                        dx[2 * units + j] = dcj * i * derivative(g, a, alpha);
                        dx[3 * units + j] = dh[j] * output_of_a(squashed) * derivative(o, ra, alpha);
                        dc[j] = dcj * f;
                    }
                } else {
                    for (int j = 0; j < units; ++j) {
                        const float z = gate[j], n = gate[2 * units + j];
                        const float dn = dh[j] * (1.f - z) * derivative(n, a, alpha);
                        dx[j] = d_rec[j] = dh[j] * (h[j] - output_of_a(n)) * derivative(z, ra, alpha);
                        dx[2 * units + j] = dn;
                        d_prev[j] = dh[j] * z;
                        if (d.reset_after) {
                            const float reset = gate[units + j];
                            dx[units + j] = d_rec[units + j] = dn * saved[j] * derivative(reset, ra, alpha);
                            d_rec[2 * units + j] = dn * reset;
                        } else {
                            d_rec[2 * units + j] = 0.f;  // Un's gradient comes from r h (dispatch)
                        }
                    }
                    if (!d.reset_after) {
                        // n = a(x Wn + (r h) Un + b): the gradient at r h, then at r and at h
                        for (int k = 0; k < units; ++k) {
                            const float *un = u + int64_t{k} * gated + 2 * units;
                            float sum = 0.f;
                            for (int j = 0; j < units; ++j) sum += dx[2 * units + j] * un[j];
                            d_rh[k] = sum;
                        }
                        for (int j = 0; j < units; ++j) {
                            dx[units + j] = d_rec[units + j] = d_rh[j] * h[j] * derivative(saved[j], ra, alpha);
                            d_prev[j] += d_rh[j] * saved[j];
                        }
                    }
                }
                // dh of the step before: through the recurrent kernel, plus any direct path
                for (int k = 0; k < units; ++k) {
                    const float *uk = u + int64_t{k} * gated;
                    float sum = 0.f;
                    for (int j = 0; j < gated; ++j) sum += d_rec[j] * uk[j];
                    dh[k] = d_prev[k] + sum;
                }
                for (int64_t j = 0; j < bias_floats; ++j) bias_sums[j] += j < gated ? dx[j] : d_rec[j - gated];
            }
            // What is left flows into the initial states.
            if (p.d_initial_h != nullptr) std::copy(dh.begin(), dh.end(), p.d_initial_h + row * units);
            if (p.d_initial_c != nullptr) std::copy(dc.begin(), dc.end(), p.d_initial_c + row * units);
        }
    });
    for (int64_t j = 0; j < bias_floats; ++j) {
        float sum = 0.f;
        for (int64_t row = 0; row < p.batch; ++row) sum += sequence_bias_sums[row * bias_floats + j];
        p.d_bias[j] = sum;
    }
}

}  // namespace neurite

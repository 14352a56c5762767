// The recurrence of SimpleRNN, LSTM and GRU, one batch row and one unit at a time, reading
// the same packed recurrent kernel as the vector kernels. Equations: neurite.h.
#include <algorithm>
#include <vector>

#include "../common/activation.h"
#include "../common/packing.h"
#include "../common/thread_pool.h"
#include "kernels_ref.h"

namespace neurite {

void rnn_f32_ref(const RnnProblem &p) {
    const nrt_rnn_desc &d = p.d;
    const int units = d.units, gates = p.gates();
    const int64_t block = rnn_block_floats(d);
    const int a = d.activation, ra = d.recurrent_activation;

    // sum_k h[k] U[k, gate, unit]
    auto recurrent = [&](const float *h, int gate, int unit) {
        const float *u = p.packed_recurrent + (unit / kRnnUnitBlock) * block + gate * kRnnUnitBlock + unit % kRnnUnitBlock;
        float acc = 0.f;
        for (int k = 0; k < units; ++k) acc += h[k] * u[int64_t{k} * gates * kRnnUnitBlock];
        return acc;
    };

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
                const float *x = p.projection + (row * p.steps + t) * int64_t{gates} * units;
                if (d.cell == NRT_CELL_GRU && !d.reset_after) {
                    for (int j = 0; j < units; ++j) rh[j] = activate(x[units + j] + recurrent(h.data(), 1, j), ra, 0.f) * h[j];
                }
                for (int j = 0; j < units; ++j) {
                    if (d.cell == NRT_CELL_SIMPLE) {
                        next[j] = activate(x[j] + recurrent(h.data(), 0, j), a, 0.f);
                    } else if (d.cell == NRT_CELL_LSTM) {
                        const float i = activate(x[j] + recurrent(h.data(), 0, j), ra, 0.f);
                        const float f = activate(x[units + j] + recurrent(h.data(), 1, j), ra, 0.f);
                        const float g = activate(x[2 * units + j] + recurrent(h.data(), 2, j), a, 0.f);
                        const float o = activate(x[3 * units + j] + recurrent(h.data(), 3, j), ra, 0.f);
                        c[j] = f * c[j] + i * g;
                        next[j] = o * activate(c[j], a, 0.f);
                    } else {
                        const float z_bias = d.reset_after ? p.recurrent_bias[j] : 0.f;
                        const float z = activate(x[j] + recurrent(h.data(), 0, j) + z_bias, ra, 0.f);
                        float n;
                        if (d.reset_after) {
                            const float r = activate(x[units + j] + recurrent(h.data(), 1, j) + p.recurrent_bias[units + j], ra, 0.f);
                            n = activate(x[2 * units + j] + r * (recurrent(h.data(), 2, j) + p.recurrent_bias[2 * units + j]), a, 0.f);
                        } else {
                            n = activate(x[2 * units + j] + recurrent(rh.data(), 2, j), a, 0.f);
                        }
                        next[j] = z * h[j] + (1.f - z) * n;
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

}  // namespace neurite

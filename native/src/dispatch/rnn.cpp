// SimpleRNN, LSTM and GRU: validation, weight packing, the input projection of the whole
// sequence as one GEMM, then the recurrence from the kernel list.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../common/activation.h"
#include "../common/dispatch.h"
#include "../common/packing.h"
#include "../common/rnn_workspace.h"
#include "../common/scratch.h"
#include "../ref/kernels_ref.h"
#include "../x64/kernels_x64.h"
#include "checks.h"
#include "conv2d.h"
#include "dense.h"

namespace neurite {
namespace {

const char *unless_cell(const RnnProblem &p, int cell) {
    return p.d.cell == cell ? nullptr : "another cell";
}

const char *unless_lstm(const RnnProblem &p) { return unless_cell(p, NRT_CELL_LSTM); }
const char *unless_gru(const RnnProblem &p) { return unless_cell(p, NRT_CELL_GRU); }
const char *unless_simple(const RnnProblem &p) { return unless_cell(p, NRT_CELL_SIMPLE); }

const Kernel<RnnProblem> kRnnKernels[] = {
    NRT_X64_CANDIDATES(lstm_fwd_f32, unless_lstm),
    NRT_X64_CANDIDATES(gru_fwd_f32, unless_gru),
    NRT_X64_CANDIDATES(simple_rnn_fwd_f32, unless_simple),
    {"rnn_f32_ref", NRT_ISA_REF, nullptr, rnn_f32_ref},
};
const Kernel<RnnBackwardProblem> kRnnBackwardKernels[] = {
    NRT_X64_CANDIDATES(rnn_backward_f32, nullptr),
    {"rnn_backward_f32_ref", NRT_ISA_REF, nullptr, rnn_backward_f32_ref},
};

int check_desc(const nrt_rnn_desc *d) {
    if (d == nullptr) return fail(NRT_INVALID_ARGUMENT, "rnn: descriptor is null");
    if (d->cell < NRT_CELL_SIMPLE || d->cell > NRT_CELL_GRU) return fail(NRT_INVALID_ARGUMENT, "rnn: unknown cell %d", d->cell);
    if (d->input_size <= 0 || d->units <= 0)
        return fail(NRT_INVALID_ARGUMENT, "rnn: input size %d and units %d must be positive", d->input_size, d->units);
    if (!valid_activation(d->activation) || !valid_activation(d->recurrent_activation))
        return fail(NRT_INVALID_ARGUMENT, "rnn: unknown activation %d or %d", d->activation, d->recurrent_activation);
    if (!std::isfinite(d->alpha)) return fail(NRT_INVALID_ARGUMENT, "rnn: leaky ReLU slope %g is not finite", d->alpha);
    if (d->output_stride != 0 && d->output_stride < d->units)
        return fail(NRT_INVALID_ARGUMENT, "rnn: output stride %d is below the %d units", d->output_stride, d->units);
    if (int64_t{d->units} * rnn_gates(d->cell) > INT_MAX / 2)
        return fail(NRT_INVALID_ARGUMENT, "rnn: %d units is too many", d->units);
    return NRT_OK;
}

// Backward takes the gates' derivatives from their saved outputs (activation.h); training keeps
// the input of the activation alone (rnn_workspace.h), so a recurrent activation whose
// derivative needs its input would get a wrong gradient, and training refuses it.
int check_trainable(const nrt_rnn_desc &d, const char *what) {
    if (!derivative_from_output(d.recurrent_activation, d.alpha))
        return fail(NRT_INVALID_ARGUMENT,
                    "%s: recurrent activation %d with slope %g takes its derivative from its input (as GELU and a leaky "
                    "ReLU with a negative slope do), which training keeps for the activation alone",
                    what, d.recurrent_activation, d.alpha);
    return NRT_OK;
}

// The projection GEMM: [batch * steps, input] x [input, G * units].
nrt_dense_desc projection_desc(const nrt_rnn_desc &d) {
    return nrt_dense_desc{d.input_size, rnn_gates(d.cell) * d.units, NRT_ACT_NONE, 0.f};
}

int64_t recurrent_size(const nrt_rnn_desc &d) { return checked_product({rnn_unit_blocks(d), rnn_block_floats(d)}); }

// Floats the output (or its gradient) spans: the last vector starts (vectors - 1) strides in.
int64_t output_reach(const nrt_rnn_desc &d, int32_t batch, int32_t steps) {
    const int64_t vectors = d.return_sequences ? checked_product({batch, steps}) : batch;
    const int64_t stride = d.output_stride > 0 ? d.output_stride : d.units;
    return vectors < 0 || checked_product({vectors - 1, stride}) < 0 ? -1 : (vectors - 1) * stride + d.units;
}

// A weight-gradient GEMM over every step, as a dense layer's (a 1x1 convolution's): in [rows, in] times d_pre [rows, out].
void gradient_gemm(int64_t rows, int in, int out, const float *input, const float *d_pre, float *d_weights, int threads) {
    run_conv2d_backward_weights(Conv2dBackwardWeightsProblem{dense_as_conv(in, out, NRT_ACT_NONE, 0.f),
                                                             static_cast<int32_t>(rows), input, d_pre, d_weights, nullptr,
                                                             threads});
}

// GRU without reset_after: the candidate's recurrent kernel Un multiplies r h, not h, so its
// gradient is (r h)^T times the candidate's gradient over every step, one more GEMM.
void candidate_recurrent_gradient(const nrt_rnn_desc &d, const RnnWorkspace &at, const float *workspace,
                                  float *d_recurrent, int threads) {
    const int units = d.units;
    std::vector<float> rh(static_cast<size_t>(at.rows) * units), dn(rh.size()), d_un(static_cast<size_t>(units) * units);
    for (int64_t r = 0; r < at.rows; ++r)
        for (int k = 0; k < units; ++k) {
            rh[r * units + k] = workspace[at.saved(r) + k] * workspace[at.h(r) + k];  // r h
            dn[r * units + k] = workspace[at.gates(r) + 2 * units + k];
        }
    gradient_gemm(at.rows, units, units, rh.data(), dn.data(), d_un.data(), threads);
    for (int k = 0; k < units; ++k)
        std::copy(d_un.begin() + int64_t{k} * units, d_un.begin() + int64_t{k + 1} * units,
                  d_recurrent + int64_t{k} * at.gated + 2 * units);
}

// A pair of optional [batch, units] states (the second, c, for LSTM only).
int check_states(const char *op, const nrt_rnn_desc &d, int32_t batch, const void *h, int64_t h_size, const void *c,
                 int64_t c_size) {
    const int64_t state = checked_product({batch, d.units});
    if (h != nullptr) NRT_CHECK(check_buffer(op, "h state", h, h_size, state));
    if (c != nullptr) {
        if (d.cell != NRT_CELL_LSTM) return fail(NRT_INVALID_ARGUMENT, "%s: only LSTM has a cell state", op);
        NRT_CHECK(check_buffer(op, "c state", c, c_size, state));
    }
    return NRT_OK;
}

// Whether Keras' outputs for masked steps differ anywhere from what the kernels write (zeros at a
// sequence's masked steps, the last state otherwise): see apply_masked_output_rule.
bool has_masked_output_rule(const nrt_rnn_desc &d, const float *mask) {
    return mask != nullptr && !(d.return_sequences && d.zero_output_for_mask);
}

// Keras' outputs for masked steps, in place over the kernels': with return_sequences and
// zero_output_for_mask = 0 a masked step repeats the output of the step processed before it;
// without return_sequences the output is Keras' last output, zeros for a sequence with no valid
// step (whatever its initial state) or, with zero_output_for_mask = 1, whose last processed step
// is masked. With `gradient`, dst holds the output's gradient and gets the transposed rule:
// each masked step's gradient joins the step it repeats (from the last step back, so that a
// run of masked steps all reach its valid step), and whatever is zeroed gets none.
void apply_masked_output_rule(const nrt_rnn_desc &d, int32_t batch, int32_t steps, const float *mask, float *dst,
                              bool gradient) {
    if (!has_masked_output_rule(d, mask)) return;
    const int64_t stride = d.output_stride > 0 ? d.output_stride : d.units;
    for (int32_t b = 0; b < batch; ++b) {
        // The mask of the s-th step processed, and where its output vector lies.
        auto valid = [&](int32_t s) { return mask[int64_t{b} * steps + (d.go_backwards ? steps - 1 - s : s)] != 0.f; };
        auto out = [&](int32_t s) { return dst + (int64_t{b} * steps + (d.reverse_output ? steps - 1 - s : s)) * stride; };
        if (!d.return_sequences) {
            bool zeros = !valid(steps - 1);
            if (zeros && !d.zero_output_for_mask)
                for (int32_t s = 0; s < steps - 1 && zeros; ++s) zeros = !valid(s);
            if (zeros) std::fill(dst + int64_t{b} * stride, dst + int64_t{b} * stride + d.units, 0.f);
        } else if (!gradient) {
            for (int32_t s = 1; s < steps; ++s)
                if (!valid(s)) std::copy(out(s - 1), out(s - 1) + d.units, out(s));
        } else {
            for (int32_t s = steps - 1; s >= 0; --s) {
                if (valid(s)) continue;
                float *g = out(s);
                if (s > 0) {
                    float *before = out(s - 1);
                    for (int j = 0; j < d.units; ++j) before[j] += g[j];
                }
                std::fill(g, g + d.units, 0.f);
            }
        }
    }
}

int check_sequence(int32_t batch, int32_t steps) {
    if (batch <= 0 || steps <= 0) return fail(NRT_INVALID_ARGUMENT, "rnn: batch %d and steps %d must be positive", batch, steps);
    if (int64_t{batch} * steps > INT_MAX) return fail(NRT_INVALID_ARGUMENT, "rnn: batch x steps exceeds 2^31");
    return NRT_OK;
}

}  // namespace
}  // namespace neurite

using namespace neurite;

extern "C" {

int64_t nrt_rnn_packed_kernel_size(const nrt_rnn_desc *desc) {
    return check_desc(desc) == NRT_OK ? dense_packed_size(projection_desc(*desc)) : -1;
}

int64_t nrt_rnn_packed_recurrent_size(const nrt_rnn_desc *desc) {
    return check_desc(desc) == NRT_OK ? recurrent_size(*desc) : -1;
}

int64_t nrt_rnn_bias_size(const nrt_rnn_desc *desc) { return check_desc(desc) == NRT_OK ? rnn_bias_floats(*desc) : -1; }

int nrt_rnn_pack_weights(const nrt_rnn_desc *desc, const float *kernel, int64_t kernel_size, const float *recurrent_kernel,
                         int64_t recurrent_kernel_size, float *packed_kernel, int64_t packed_kernel_size,
                         float *packed_recurrent, int64_t packed_recurrent_size) {
    NRT_CHECK(check_desc(desc));
    const nrt_rnn_desc &d = *desc;
    const int gates = rnn_gates(d.cell), units = d.units;
    const nrt_dense_desc projection = projection_desc(d);
    NRT_CHECK(check_buffer("rnn pack", "kernel", kernel, kernel_size, checked_product({d.input_size, gates, units})));
    NRT_CHECK(check_buffer("rnn pack", "recurrent kernel", recurrent_kernel, recurrent_kernel_size,
                           checked_product({units, gates, units})));
    NRT_CHECK(check_buffer("rnn pack", "packed kernel", packed_kernel, packed_kernel_size, dense_packed_size(projection)));
    NRT_CHECK(check_buffer("rnn pack", "packed recurrent kernel", packed_recurrent, packed_recurrent_size, recurrent_size(d)));
    pack_dense_weights(projection, kernel, packed_kernel);
    std::fill(packed_recurrent, packed_recurrent + recurrent_size(d), 0.f);
    const int64_t block = rnn_block_floats(d);
    for (int64_t k = 0; k < units; ++k)
        for (int g = 0; g < gates; ++g)
            for (int j = 0; j < units; ++j)
                packed_recurrent[j / kRnnUnitBlock * block + (k * gates + g) * kRnnUnitBlock + j % kRnnUnitBlock] =
                    recurrent_kernel[k * gates * units + g * units + j];
    return NRT_OK;
}

int nrt_rnn_forward(const nrt_rnn_desc *desc, int32_t batch, int32_t steps, const float *src, int64_t src_size,
                    const float *mask, int64_t mask_size, const float *packed_kernel, int64_t packed_kernel_size,
                    const float *packed_recurrent, int64_t packed_recurrent_size, const float *bias, int64_t bias_floats,
                    const float *initial_h, int64_t initial_h_size, const float *initial_c, int64_t initial_c_size,
                    float *dst, int64_t dst_size, float *final_h, int64_t final_h_size, float *final_c,
                    int64_t final_c_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_rnn_desc &d = *desc;
    NRT_CHECK(check_sequence(batch, steps));
    const int64_t state = checked_product({batch, d.units});
    const int64_t gates_units = int64_t{rnn_gates(d.cell)} * d.units;
    const bool projected_input = packed_kernel == nullptr;
    NRT_CHECK(check_buffer("rnn", projected_input ? "projected input" : "input", src, src_size,
                           checked_product({batch, steps, projected_input ? gates_units : d.input_size})));
    if (mask != nullptr) NRT_CHECK(check_buffer("rnn", "mask", mask, mask_size, checked_product({batch, steps})));
    if (!projected_input)
        NRT_CHECK(check_buffer("rnn", "packed kernel", packed_kernel, packed_kernel_size, dense_packed_size(projection_desc(d))));
    NRT_CHECK(check_buffer("rnn", "packed recurrent kernel", packed_recurrent, packed_recurrent_size, recurrent_size(d)));
    if (bias != nullptr) NRT_CHECK(check_buffer("rnn", "bias", bias, bias_floats, rnn_bias_floats(d)));
    if (initial_h != nullptr) NRT_CHECK(check_buffer("rnn", "initial h", initial_h, initial_h_size, state));
    if (initial_c != nullptr) {
        if (d.cell != NRT_CELL_LSTM) return fail(NRT_INVALID_ARGUMENT, "rnn: only LSTM has a cell state");
        NRT_CHECK(check_buffer("rnn", "initial c", initial_c, initial_c_size, state));
    }
    NRT_CHECK(check_buffer("rnn", "output", dst, dst_size, output_reach(d, batch, steps)));
    if (final_h != nullptr) NRT_CHECK(check_buffer("rnn", "final h", final_h, final_h_size, state));
    if (final_c != nullptr) {
        if (d.cell != NRT_CELL_LSTM) return fail(NRT_INVALID_ARGUMENT, "rnn: only LSTM has a cell state");
        NRT_CHECK(check_buffer("rnn", "final c", final_c, final_c_size, state));
    }
    return guarded("rnn", [&] {
        const nrt_dense_desc projection = projection_desc(d);
        // GRU with reset_after keeps its recurrent bias (row 1) apart: it sits inside r (h U + b).
        const bool split_bias = d.cell == NRT_CELL_GRU && d.reset_after;
        std::vector<float> zeros;
        const float *recurrent_bias = nullptr;
        if (split_bias) {
            if (bias != nullptr) {
                recurrent_bias = bias + gates_units;
            } else {
                zeros.assign(gates_units, 0.f);
                recurrent_bias = zeros.data();
            }
        }
        const float *projected = src;
        if (!projected_input) {
            float *out = thread_scratch(checked_product({batch, steps, gates_units}));
            run_dense(DenseProblem{projection, batch * steps, src, packed_kernel, bias, out, num_threads});
            projected = out;
        }
        run_selected(kRnnKernels, RnnProblem{d, batch, steps, projected, mask, packed_recurrent, recurrent_bias, initial_h,
                                             initial_c, dst, final_h, final_c, num_threads});
        apply_masked_output_rule(d, batch, steps, mask, dst, false);
        return NRT_OK;
    });
}

int64_t nrt_rnn_workspace_size(const nrt_rnn_desc *desc, int32_t batch, int32_t steps) {
    if (check_desc(desc) != NRT_OK || check_sequence(batch, steps) != NRT_OK) return -1;
    const RnnWorkspace at(*desc, batch, steps);
    return checked_product({at.rows, at.row_floats()});
}

int nrt_rnn_forward_training(const nrt_rnn_desc *desc, int32_t batch, int32_t steps, const float *src, int64_t src_size,
                             const float *mask, int64_t mask_size, const float *packed_kernel,
                             int64_t packed_kernel_size, const float *packed_recurrent, int64_t packed_recurrent_size,
                             const float *bias, int64_t bias_floats, const float *initial_h, int64_t initial_h_size,
                             const float *initial_c, int64_t initial_c_size, float *dst, int64_t dst_size,
                             float *workspace, int64_t workspace_size, float *final_h, int64_t final_h_size,
                             float *final_c, int64_t final_c_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_rnn_desc &d = *desc;
    NRT_CHECK(check_trainable(d, "rnn training"));
    NRT_CHECK(check_sequence(batch, steps));
    NRT_CHECK(check_buffer("rnn training", "input", src, src_size, checked_product({batch, steps, d.input_size})));
    if (mask != nullptr) NRT_CHECK(check_buffer("rnn training", "mask", mask, mask_size, checked_product({batch, steps})));
    NRT_CHECK(check_buffer("rnn training", "packed kernel", packed_kernel, packed_kernel_size,
                           dense_packed_size(projection_desc(d))));
    NRT_CHECK(check_buffer("rnn training", "packed recurrent kernel", packed_recurrent, packed_recurrent_size,
                           recurrent_size(d)));
    if (bias != nullptr) NRT_CHECK(check_buffer("rnn training", "bias", bias, bias_floats, rnn_bias_floats(d)));
    NRT_CHECK(check_states("rnn training", d, batch, initial_h, initial_h_size, initial_c, initial_c_size));
    NRT_CHECK(check_buffer("rnn training", "output", dst, dst_size, output_reach(d, batch, steps)));
    NRT_CHECK(check_states("rnn training final", d, batch, final_h, final_h_size, final_c, final_c_size));
    const RnnWorkspace at(d, batch, steps);
    NRT_CHECK(check_buffer("rnn training", "workspace", workspace, workspace_size, checked_product({at.rows, at.row_floats()})));
    return guarded("rnn training", [&] {
        const int64_t gates_units = at.gated;
        std::vector<float> zeros;
        const float *recurrent_bias = nullptr;
        if (d.cell == NRT_CELL_GRU && d.reset_after) {
            if (bias == nullptr) zeros.assign(gates_units, 0.f);
            recurrent_bias = bias != nullptr ? bias + gates_units : zeros.data();
        }
        // The projection goes where the recurrence then keeps the gates, and backward their gradients.
        float *projected = workspace + at.gates(0);
        run_dense(DenseProblem{projection_desc(d), batch * steps, src, packed_kernel, bias, projected, num_threads});
        RnnProblem problem{d, batch, steps, projected, mask, packed_recurrent, recurrent_bias, initial_h, initial_c, dst,
                           final_h, final_c, num_threads};
        problem.workspace = workspace;
        run_selected(kRnnKernels, problem);
        apply_masked_output_rule(d, batch, steps, mask, dst, false);
        return NRT_OK;
    });
}

int nrt_rnn_backward(const nrt_rnn_desc *desc, int32_t batch, int32_t steps, const float *src, int64_t src_size,
                     const float *mask, int64_t mask_size, const float *kernel, int64_t kernel_size,
                     const float *recurrent_kernel, int64_t recurrent_kernel_size, float *workspace,
                     int64_t workspace_size, const float *d_dst, int64_t d_dst_size, float *d_src, int64_t d_src_size,
                     float *d_kernel, int64_t d_kernel_size, float *d_recurrent, int64_t d_recurrent_size,
                     float *d_bias, int64_t d_bias_size, float *d_initial_h, int64_t d_initial_h_size,
                     float *d_initial_c, int64_t d_initial_c_size, const float *d_final_h, int64_t d_final_h_size,
                     const float *d_final_c, int64_t d_final_c_size, int32_t num_threads) {
    NRT_CHECK(check_desc(desc));
    const nrt_rnn_desc &d = *desc;
    NRT_CHECK(check_trainable(d, "rnn backward"));
    NRT_CHECK(check_sequence(batch, steps));
    const RnnWorkspace at(d, batch, steps);
    const int64_t rows = at.rows;
    NRT_CHECK(check_buffer("rnn backward", "input", src, src_size, checked_product({rows, d.input_size})));
    if (mask != nullptr) NRT_CHECK(check_buffer("rnn backward", "mask", mask, mask_size, rows));
    NRT_CHECK(check_buffer("rnn backward", "kernel", kernel, kernel_size, checked_product({d.input_size, at.gated})));
    NRT_CHECK(check_buffer("rnn backward", "recurrent kernel", recurrent_kernel, recurrent_kernel_size,
                           checked_product({d.units, at.gated})));
    NRT_CHECK(check_buffer("rnn backward", "workspace", workspace, workspace_size, checked_product({rows, at.row_floats()})));
    NRT_CHECK(check_buffer("rnn backward", "output gradient", d_dst, d_dst_size, output_reach(d, batch, steps)));
    if (d_src != nullptr)
        NRT_CHECK(check_buffer("rnn backward", "input gradient", d_src, d_src_size, checked_product({rows, d.input_size})));
    NRT_CHECK(check_buffer("rnn backward", "kernel gradient", d_kernel, d_kernel_size,
                           checked_product({d.input_size, at.gated})));
    NRT_CHECK(check_buffer("rnn backward", "recurrent kernel gradient", d_recurrent, d_recurrent_size,
                           checked_product({d.units, at.gated})));
    if (d_bias != nullptr) NRT_CHECK(check_buffer("rnn backward", "bias gradient", d_bias, d_bias_size, rnn_bias_floats(d)));
    NRT_CHECK(check_states("rnn backward", d, batch, d_initial_h, d_initial_h_size, d_initial_c, d_initial_c_size));
    NRT_CHECK(check_states("rnn backward final", d, batch, d_final_h, d_final_h_size, d_final_c, d_final_c_size));
    return guarded("rnn backward", [&] {
        if (has_masked_output_rule(d, mask)) {
            // The kernels take the gradient of their own outputs: move Keras' rule out of it, in a copy.
            const int64_t reach = output_reach(d, batch, steps);
            float *moved = thread_scratch(reach, ScratchSlot::kGradientRight); // the kernels take kGradientLeft
            std::copy(d_dst, d_dst + reach, moved);
            apply_masked_output_rule(d, batch, steps, mask, moved, true);
            d_dst = moved;
        }
        RnnBackwardProblem problem{d, batch, steps, mask, recurrent_kernel, d_dst, workspace, num_threads};
        problem.d_initial_h = d_initial_h;
        problem.d_initial_c = d_initial_c;
        problem.d_final_h = d_final_h;
        problem.d_final_c = d_final_c;
        problem.d_bias = d_bias;
        run_selected(kRnnBackwardKernels, problem);
        // Each weight gradient: one product over every step of every sequence.
        const float *d_gates = workspace + at.gates(0), *d_rec = workspace + (at.gru ? at.d_rec(0) : at.gates(0));
        gradient_gemm(rows, d.input_size, at.gated, src, d_gates, d_kernel, num_threads);
        gradient_gemm(rows, d.units, at.gated, workspace + at.h(0), d_rec, d_recurrent, num_threads);
        if (at.gru && !d.reset_after) candidate_recurrent_gradient(d, at, workspace, d_recurrent, num_threads);
        // The input's gradient last, as one GEMM (after the kernel's gradient has read the input,
        // which it may overwrite). Per step in BPTT, where the kernel's transpose stays in cache,
        // it took 1.02x the seed LSTM's time, and 1.3x at batch 1.
        if (d_src == nullptr) return NRT_OK;
        const nrt_conv2d_desc projection = dense_as_conv(d.input_size, at.gated, NRT_ACT_NONE, 0.f);
        run_conv2d_backward_data(
            Conv2dBackwardDataProblem{projection, static_cast<int32_t>(rows), kernel, d_gates, d_src, num_threads});
        return NRT_OK;
    });
}

}  // extern "C"

// The checked, ready-to-run form of each op that the dispatch lists hand to kernels. By
// the time a kernel sees one, every size has been validated against its buffers.
#pragma once
#include <algorithm>
#include <cstdint>

#include "neurite.h"
#include "packing.h"

namespace neurite {

struct Conv2dProblem {
    const nrt_conv2d_desc &d;
    int32_t batch;
    const float *src;
    const float *packed;
    const float *bias;  // may be null
    float *dst;
    int threads;

    int in_c_per_group() const { return d.in_c / d.groups; }
    int out_c_per_group() const { return d.out_c / d.groups; }
    bool depthwise_layout() const { return conv2d_depthwise_layout(d); }
    // F(4x4, 3x3) weights, where the layout has them (packing.h).
    const float *winograd_weights() const {
        return packed + conv2d_general_floats(d);
    }
};

// A Winograd-layout convolution's F(4x4, 3x3) weights U = G g G^T (packing.h), from its HWIO
// kernel: every optimizer step repacks them.
struct WinogradPackProblem {
    const nrt_conv2d_desc &d;
    const float *hwio;
    float *u;  // where the packed layout's Winograd weights start
};

// Training. d_pre: the gradient at the convolution's output before its fused activation.
struct Conv2dBackwardDataProblem {
    const nrt_conv2d_desc &d;
    int32_t batch;
    const float *hwio, *d_pre;
    float *d_src;
    int threads;
};

struct Conv2dBackwardWeightsProblem {
    const nrt_conv2d_desc &d;
    int32_t batch;
    const float *src, *d_pre;
    float *d_hwio;
    float *d_bias;  // may be null
    int threads;
};

struct Pool2dProblem {
    const nrt_pool2d_desc &d;
    int32_t batch;
    const float *src;
    float *dst;
    int threads;
};

// Training: workspace holds, per output, the cell of its window (kh * pool_w + kw) whose
// gradient it takes under max pooling, or -1 for none.
struct Pool2dTrainingProblem {
    const nrt_pool2d_desc &d;
    int32_t batch;
    const float *src;
    float *dst, *workspace;
    int threads;
};

struct Pool2dBackwardProblem {
    const nrt_pool2d_desc &d;
    int32_t batch;
    const float *d_dst, *workspace;
    const float *relu_dst;  // may be null: see nrt_pool2d_backward
    float *d_src;
    int threads;
};

struct DenseProblem {
    const nrt_dense_desc &d;
    int32_t batch;
    const float *src;
    const float *packed;
    const float *bias;  // may be null
    float *dst;
    int threads;
};

struct ActivationProblem {
    int32_t activation;
    float alpha;
    const float *src;
    float *dst;
    int64_t size;
    int threads;
};

// `from` is the activation's output where its derivative follows from it (activation.h), else its input.
struct ActivationBackwardProblem {
    int32_t activation;
    float alpha;
    const float *from, *d_dst;
    float *d_src;
    int64_t size;
    int threads;
};

struct SoftmaxProblem {
    const float *src;
    float *dst;
    int64_t rows;
    int32_t cols;
    int threads;
};

struct SoftmaxBackwardProblem {
    const float *dst, *d_dst;
    float *d_src;
    int64_t rows;
    int32_t cols;
    int threads;
};

struct DropoutProblem {
    int64_t size;
    float rate;
    uint64_t seed;
    float *mask;
    int threads;
};

struct LossProblem {
    int32_t loss, input;  // enum nrt_loss, enum nrt_loss_input
    const float *output, *target, *row_weights;  // row_weights may be null
    float *d_output, *loss_value;
    int64_t rows;
    int32_t cols;
    int threads;
};

// With rows set, the value is [size / row_width, row_width] and its gradient is zero but on
// rows[0..row_count) (ascending), whose gradients `gradient` holds one after another.
struct OptimizerProblem {
    nrt_optimizer_step step;
    float *value;
    const float *gradient;
    float *slot0, *slot1, *slot2;
    int64_t size;
    int threads;
    const int32_t *rows = nullptr;
    int64_t row_count = 0;
    int32_t row_width = 0;
};

struct SumOfSquaresProblem {
    const float *x;
    int64_t size;
    double *sum;
    int threads;
};

struct BinaryProblem {
    int32_t op;
    const float *a, *b;
    float *dst;
    int64_t size;
    int threads;
};

// The recurrence of an RNN layer, once the input projection of the whole sequence is done:
// projection[(b * steps + t) * G * units + g * units + j] = (x_t W + input bias)[gate g, unit j].
// In training it is the workspace's gates section (rnn_workspace.h), which the kernels
// overwrite with the gates, each value after reading its projection.
struct RnnProblem {
    const nrt_rnn_desc &d;
    int32_t batch, steps;
    const float *projection;
    const float *mask;              // [batch, steps] or null
    const float *packed_recurrent;  // see packing.h
    const float *recurrent_bias;    // [G * units] for GRU with reset_after, else null
    const float *initial_h, *initial_c;
    float *dst, *final_h, *final_c;
    int threads;
    float *workspace = nullptr;  // training: what backward needs is saved here (rnn_workspace.h)

    int gates() const { return rnn_gates(d.cell); }
    int input_step(int s) const { return d.go_backwards ? steps - 1 - s : s; }
    int64_t output_stride() const { return d.output_stride > 0 ? d.output_stride : d.units; }
    // Where the output of processing step s of a row goes (return_sequences).
    float *step_output(int64_t row, int s) const {
        return dst + (row * steps + (d.reverse_output ? steps - 1 - s : s)) * output_stride();
    }
    // Where the last state of a row goes (no return_sequences).
    float *last_output(int64_t row) const { return dst + row * output_stride(); }
    bool valid(int64_t row, int t) const { return mask == nullptr || mask[row * steps + t] != 0.f; }
};

// Backpropagation through time, after a training forward pass saved its workspace: fills
// the workspace's gradients at the gates (rnn_workspace.h) from the output's gradient, and
// where asked the initial states' and the bias's gradients.
struct RnnBackwardProblem {
    const nrt_rnn_desc &d;
    int32_t batch, steps;
    const float *mask;              // [batch, steps] or null
    const float *recurrent_kernel;  // Keras layout [units, G * units]
    const float *d_dst;             // laid out as the output
    float *workspace;
    int threads;
    float *d_initial_h = nullptr, *d_initial_c = nullptr;      // [batch, units] each, or null
    const float *d_final_h = nullptr, *d_final_c = nullptr;  // [batch, units] each, or null
    // The bias's gradient (rnn_bias_floats floats), for the kernel to sum from the gates'
    // gradients as it writes them; null: none wanted.
    float *d_bias = nullptr;

    int input_step(int s) const { return d.go_backwards ? steps - 1 - s : s; }
    int64_t output_stride() const { return d.output_stride > 0 ? d.output_stride : d.units; }
    const float *step_gradient(int64_t row, int s) const {
        return d_dst + (row * steps + (d.reverse_output ? steps - 1 - s : s)) * output_stride();
    }
    const float *last_gradient(int64_t row) const { return d_dst + row * output_stride(); }
    // The gradients BPTT starts from at the last step: the output's (without return_sequences)
    // and the final states' (Keras' return_state), into zeroed dh and dc of `units` floats.
    void seed(int64_t row, float *dh, float *dc) const {
        const int units = d.units;
        if (!d.return_sequences) std::copy(last_gradient(row), last_gradient(row) + units, dh);
        if (d_final_h != nullptr)
            for (int j = 0; j < units; ++j) dh[j] += d_final_h[row * units + j];
        if (d_final_c != nullptr) std::copy(d_final_c + row * units, d_final_c + (row + 1) * units, dc);
    }
    bool valid(int64_t row, int t) const { return mask == nullptr || mask[row * steps + t] != 0.f; }
};

// Token ids as the caller holds them: floats (exact integers below 2^24) or int32.
struct Ids {
    const float *floats = nullptr;
    const int32_t *ints = nullptr;
    int64_t operator[](int64_t i) const { return ints != nullptr ? ints[i] : static_cast<int64_t>(floats[i]); }
};

struct EmbeddingProblem {
    int32_t vocabulary, dim;
    int64_t count;
    Ids ids;
    const float *table;
    float *dst;
    int threads;
};

struct EmbeddingBackwardProblem {
    int32_t vocabulary, dim;
    int64_t count;
    Ids ids;
    const float *mask, *d_dst;  // mask may be null
    int32_t *rows;              // room for count rows
    float *d_rows;
    int64_t *row_count;
    int threads;
};

}  // namespace neurite

/*
 * Neurite: the one flat C API of the native kernels.
 *
 * Conventions (Keras/PyTorch, never surprising):
 *   - images are NHWC, sequences [batch, steps, channels]; Conv1D is Conv2D with height 1;
 *   - dilation 1 means none; padding is given as explicit top/left amounts, bottom/right
 *     follow from the output size the caller asks for;
 *   - weights are packed once with nrt_*_pack_weights into a layout private to the library,
 *     then handed to every forward call unchanged;
 *   - every buffer comes with its size in floats, and every call checks the descriptor and
 *     the sizes before touching memory: no call reads or writes out of bounds, whatever the
 *     caller passes. Calls return NRT_OK or an error code; nrt_last_error() says why.
 *   - num_threads <= 0 means "all cores"; results never depend on the thread count.
 */
#ifndef NEURITE_H
#define NEURITE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NEURITE_BUILDING_LIBRARY)
#define NRT_API __attribute__((visibility("default")))
#else
#define NRT_API
#endif

enum nrt_status {
    NRT_OK = 0,
    NRT_INVALID_ARGUMENT = 1,
    NRT_BUFFER_TOO_SMALL = 2,
    NRT_OUT_OF_MEMORY = 3
};

/* Instruction-set tiers, lowest first. AVX-512 means F, BW, VL and DQ, with the ZMM state
 * enabled by the OS. */
enum nrt_isa { NRT_ISA_REF = 0, NRT_ISA_AVX2 = 1, NRT_ISA_AVX512 = 2 };

enum nrt_activation {
    NRT_ACT_NONE = 0,
    NRT_ACT_RELU = 1,
    NRT_ACT_RELU6 = 2,
    NRT_ACT_SIGMOID = 3,
    NRT_ACT_TANH = 4,
    NRT_ACT_LEAKY_RELU = 5, /* alpha = negative slope */
    NRT_ACT_GELU = 6,       /* exact form, 0.5 x (1 + erf(x / sqrt 2)), the Keras default */
    NRT_ACT_EXPONENTIAL = 7 /* e^x (Keras' "exponential"): +inf past ln(FLT_MAX); results below FLT_MIN may flush to 0 */
};

enum nrt_pool_kind { NRT_POOL_MAX = 0, NRT_POOL_AVG = 1 };

enum nrt_binary_op { NRT_BINARY_ADD = 0, NRT_BINARY_MUL = 1, NRT_BINARY_AVERAGE = 2 };

/* A 2D convolution, NHWC input, weights given as HWIO (Keras layout), output NHWC.
 * in_c and out_c are totals over all groups; depthwise is groups == in_c. */
typedef struct nrt_conv2d_desc {
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t groups;
    int32_t activation; /* enum nrt_activation, applied after the bias */
    float alpha;        /* for NRT_ACT_LEAKY_RELU */
} nrt_conv2d_desc;

/* Pooling over NHWC. Average pooling counts only the cells inside the input (Keras). */
typedef struct nrt_pool2d_desc {
    int32_t in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t pool_h, pool_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t kind; /* enum nrt_pool_kind */
} nrt_pool2d_desc;

/* y[batch, out] = act(x[batch, in] W[in, out] + b[out]). */
typedef struct nrt_dense_desc {
    int32_t in_features, out_features;
    int32_t activation;
    float alpha;
} nrt_dense_desc;

enum nrt_rnn_cell { NRT_CELL_SIMPLE = 0, NRT_CELL_LSTM = 1, NRT_CELL_GRU = 2 };

/* A recurrent layer over [batch, steps, input_size], with Keras' weights and equations:
 *   kernel [input_size, G * units], recurrent kernel [units, G * units], gates side by side:
 *   LSTM (G = 4, gates i, f, c, o), GRU (G = 3, gates z, r, h), SimpleRNN (G = 1).
 *   LSTM:  i = ra(x Wi + h Ui + bi)   f = ra(x Wf + h Uf + bf)   o = ra(x Wo + h Uo + bo)
 *          c' = f c + i a(x Wc + h Uc + bc)                       h' = o a(c')
 *   GRU:   z = ra(x Wz + h Uz + bz)   r = ra(x Wr + h Ur + br)
 *          reset_after: n = a(x Wh + bh + r (h Uh + bh_rec))   (bias [2, 3 units]: input, recurrent)
 *          otherwise:   n = a(x Wh + (r h) Uh + bh)             (bias [3 units])
 *          h' = z h + (1 - z) n
 *   Simple: h' = a(x W + h U + b)
 * with a = activation (tanh by default) and ra = recurrent_activation (sigmoid by default);
 * alpha is the negative slope of either where it is NRT_ACT_LEAKY_RELU (Keras' leaky_relu takes
 * 0.2; a zero-initialised descriptor gives a plain ReLU).
 * Steps whose mask is 0 keep the state; their outputs follow Keras' zero_output_for_mask:
 * 0 (Keras' default for a recurrent layer) repeats, with return_sequences, the output of the
 * step processed before (zeros before the first valid step); 1 (what Keras' Bidirectional
 * forces with return_sequences) emits zeros there, and without return_sequences gives zeros
 * for a sequence whose last processed step is masked. go_backwards reads the
 * input from the last step; outputs stay in processing order, as Keras returns them, unless
 * reverse_output puts the output of step s at steps - 1 - s (Keras' Bidirectional does so
 * for its backward layer, aligning its outputs with the input steps). Each output vector of `units` floats starts output_stride floats after the
 * previous one (0: units), so two layers can write one concatenated output. */
typedef struct nrt_rnn_desc {
    int32_t cell; /* enum nrt_rnn_cell */
    int32_t input_size, units;
    int32_t activation, recurrent_activation; /* enum nrt_activation */
    int32_t reset_after;                      /* GRU only */
    int32_t go_backwards;
    int32_t return_sequences; /* output [batch, steps, units], else [batch, units] (the last state) */
    int32_t reverse_output;
    int32_t output_stride;
    int32_t zero_output_for_mask;
    float alpha; /* NRT_ACT_LEAKY_RELU's negative slope, for both activations */
} nrt_rnn_desc;

/* ---- machine and run-time settings ---- */
NRT_API int nrt_detected_isa(void);
/* Caps the ISA the dispatcher may use (the lower of the cap and the CPU wins). The
 * environment variable NEURITE_MAX_ISA=ref|avx2|avx512 sets the initial cap. */
NRT_API void nrt_set_max_isa(int isa);
NRT_API int nrt_max_isa(void);
/* "ref", "avx2" or "avx512"; NULL for an unknown tier. */
NRT_API const char *nrt_isa_name(int isa);
/* Why the environment's settings are invalid (e.g. an unknown NEURITE_MAX_ISA), or NULL. */
NRT_API const char *nrt_settings_error(void);
/* When on, every call logs to stderr which kernel ran and why the faster ones declined
 * (also NEURITE_VERBOSE=1). */
NRT_API void nrt_set_verbose(int on);
NRT_API int nrt_num_cores(void);
/* The kernel that ran last on the calling thread, e.g. "conv2d_nhwc_direct_f32_avx2". */
NRT_API const char *nrt_last_kernel(void);
/* Why the last failing call on the calling thread failed. */
NRT_API const char *nrt_last_error(void);

/* ---- convolution ---- */
NRT_API int64_t nrt_conv2d_packed_size(const nrt_conv2d_desc *desc);
NRT_API int nrt_conv2d_pack_weights(const nrt_conv2d_desc *desc, const float *hwio, int64_t hwio_size,
                                    float *packed, int64_t packed_size);
NRT_API int nrt_conv2d_forward(const nrt_conv2d_desc *desc, int32_t batch,
                               const float *src, int64_t src_size,
                               const float *packed, int64_t packed_size,
                               const float *bias, int64_t bias_size, /* bias may be null, size 0 */
                               float *dst, int64_t dst_size, int32_t num_threads);
/* Training. d_pre is the gradient at the convolution's output before its fused activation
 * (nrt_activation_backward makes it from the output's gradient). Both calls overwrite what
 * they write, and every sum over the batch runs in one fixed order: the same bits for any
 * number of threads. Weights here are in the HWIO layout, not packed. */
NRT_API int nrt_conv2d_backward_data(const nrt_conv2d_desc *desc, int32_t batch,
                                     const float *hwio, int64_t hwio_size,
                                     const float *d_pre, int64_t d_pre_size,
                                     float *d_src, int64_t d_src_size, int32_t num_threads);
NRT_API int nrt_conv2d_backward_weights(const nrt_conv2d_desc *desc, int32_t batch,
                                        const float *src, int64_t src_size,
                                        const float *d_pre, int64_t d_pre_size,
                                        float *d_hwio, int64_t d_hwio_size,
                                        float *d_bias, int64_t d_bias_size, /* d_bias may be null, size 0 */
                                        int32_t num_threads);

/* ---- pooling ---- */
NRT_API int nrt_pool2d_forward(const nrt_pool2d_desc *desc, int32_t batch,
                               const float *src, int64_t src_size,
                               float *dst, int64_t dst_size, int32_t num_threads);
/* Training: the forward pass saving in `workspace` what the backward pass needs (max
 * pooling: where in its window each output's first maximum lies; average pooling: nothing).
 * The backward pass routes each output's gradient to that cell (max) or spreads it over the
 * window's cells inside the input (average), overwriting d_src.
 * relu_dst, for max pooling over a ReLU's output, folds the ReLU's backward pass in: null, or
 * the forward pass' output (dst), and then an output's gradient passes only where that output
 * is positive, so d_src is the gradient at the ReLU's input. */
NRT_API int64_t nrt_pool2d_workspace_size(const nrt_pool2d_desc *desc, int32_t batch);
NRT_API int nrt_pool2d_forward_training(const nrt_pool2d_desc *desc, int32_t batch,
                                        const float *src, int64_t src_size,
                                        float *dst, int64_t dst_size,
                                        float *workspace, int64_t workspace_size, int32_t num_threads);
NRT_API int nrt_pool2d_backward(const nrt_pool2d_desc *desc, int32_t batch,
                                const float *d_dst, int64_t d_dst_size,
                                const float *workspace, int64_t workspace_size,
                                const float *relu_dst, int64_t relu_dst_size, /* may be null, size 0 */
                                float *d_src, int64_t d_src_size, int32_t num_threads);

/* Keras' GlobalAveragePooling1D given a mask: the mean over the valid steps of [batch, steps,
 * channels], dst[b, c] = (sum over t of src[b, t, c] m[b, t]) / (sum over t of m[b, t]) with
 * m = 1 where mask != 0, else 0, summed in step order. As in Keras, masked steps are multiplied
 * by 0, not skipped: an Inf or NaN there, or a sequence with no valid step, gives NaN.
 * Backward: d_src[b, t, c] = d_dst[b, c] / (the valid steps) * m[b, t]. */
NRT_API int nrt_masked_mean_forward(int32_t batch, int32_t steps, int32_t channels,
                                    const float *src, int64_t src_size,
                                    const float *mask, int64_t mask_size,
                                    float *dst, int64_t dst_size, int32_t num_threads);
NRT_API int nrt_masked_mean_backward(int32_t batch, int32_t steps, int32_t channels,
                                     const float *mask, int64_t mask_size,
                                     const float *d_dst, int64_t d_dst_size,
                                     float *d_src, int64_t d_src_size, int32_t num_threads);

/* ---- dense ---- */
NRT_API int64_t nrt_dense_packed_size(const nrt_dense_desc *desc);
NRT_API int nrt_dense_pack_weights(const nrt_dense_desc *desc, const float *weights, int64_t weights_size,
                                   float *packed, int64_t packed_size);
NRT_API int nrt_dense_forward(const nrt_dense_desc *desc, int32_t batch,
                              const float *src, int64_t src_size,
                              const float *packed, int64_t packed_size,
                              const float *bias, int64_t bias_size,
                              float *dst, int64_t dst_size, int32_t num_threads);
/* Training, as for convolution: weights [in, out], not packed. */
NRT_API int nrt_dense_backward_data(const nrt_dense_desc *desc, int32_t batch,
                                    const float *weights, int64_t weights_size,
                                    const float *d_pre, int64_t d_pre_size,
                                    float *d_src, int64_t d_src_size, int32_t num_threads);
NRT_API int nrt_dense_backward_weights(const nrt_dense_desc *desc, int32_t batch,
                                       const float *src, int64_t src_size,
                                       const float *d_pre, int64_t d_pre_size,
                                       float *d_weights, int64_t d_weights_size,
                                       float *d_bias, int64_t d_bias_size, int32_t num_threads);

/* ---- element-wise ---- */
/* Element-wise calls work on the first `size` floats of each buffer. */
NRT_API int nrt_activation_forward(int32_t activation, float alpha, int64_t size,
                                   const float *src, int64_t src_size, float *dst, int64_t dst_size,
                                   int32_t num_threads);
/* Softmax over the last axis of a [rows, cols] array, max-subtracted for stability. */
NRT_API int nrt_softmax_forward(int64_t rows, int32_t cols, const float *src, int64_t src_size,
                                float *dst, int64_t dst_size, int32_t num_threads);
/* d_src = d_dst times the activation's derivative, taken from its output `dst` where that
 * tells it, else from its input `src` (GELU; leaky ReLU with a negative alpha), which may
 * otherwise be null. d_src may be d_dst. */
NRT_API int nrt_activation_backward(int32_t activation, float alpha, int64_t size,
                                    const float *src, int64_t src_size, const float *dst, int64_t dst_size,
                                    const float *d_dst, int64_t d_dst_size, float *d_src, int64_t d_src_size,
                                    int32_t num_threads);
/* d_src = dst * (d_dst - sum(d_dst * dst)) per row; d_src may be d_dst. */
NRT_API int nrt_softmax_backward(int64_t rows, int32_t cols, const float *dst, int64_t dst_size,
                                 const float *d_dst, int64_t d_dst_size, float *d_src, int64_t d_src_size,
                                 int32_t num_threads);
/* Dropout's mask for one training step: mask[i] = 0 with probability `rate` (0 <= rate < 1),
 * else 1 / (1 - rate), as a function of (seed, i) alone (a splitmix64 hash: the 24 high bits
 * of splitmix64(seed + i * 0x9E3779B97F4A7C15) / 2^24 < rate drops), so any thread count and
 * the Java backend give the same mask. */
NRT_API int nrt_dropout_mask(int64_t size, float rate, uint64_t seed, float *mask, int64_t mask_size, int32_t num_threads);
/* dst = a op b, element-wise (enum nrt_binary_op); dst may be a or b. */
NRT_API int nrt_binary_forward(int32_t op, int64_t size, const float *a, int64_t a_size, const float *b, int64_t b_size,
                               float *dst, int64_t dst_size, int32_t num_threads);

/* ---- losses (Keras' formulas and defaults) ---- */
enum nrt_loss {
    NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY = 0, /* target: one class id per row (floats, exact integers) */
    NRT_LOSS_CATEGORICAL_CROSSENTROPY = 1,        /* target: [rows, cols], e.g. one-hot */
    NRT_LOSS_BINARY_CROSSENTROPY = 2,             /* target: [rows, cols] in [0, 1], each column a problem */
    NRT_LOSS_MEAN_SQUARED_ERROR = 3               /* target: [rows, cols] */
};
/* What `output` holds, and where the gradient is taken. */
enum nrt_loss_input {
    NRT_LOSS_INPUT_OUTPUT = 0,   /* the model's output (probabilities for cross-entropy); d_output at it */
    NRT_LOSS_INPUT_LOGITS = 1,   /* logits (Keras' from_logits); d_output at them */
    NRT_LOSS_INPUT_ACTIVATED = 2 /* the output of a final softmax (categorical) or sigmoid (binary); d_output at
                                    that activation's input, fused: p * sum(target) - target, stable where p is tiny */
};
/* A row's loss is the sum over classes for categorical cross-entropy and the mean over
 * columns otherwise; probabilities are clipped to [1e-7, 1 - 1e-7] as Keras does (categorical
 * from outputs are first divided by their row's sum). loss[0] = sum(row_weight * row loss) /
 * rows (row_weights may be null: all ones), Keras' "sum over batch size", summed in row order
 * in double for any thread count; d_output is its gradient. A sparse label outside [0, cols)
 * fails the call, naming it and its row, before anything is written. */
NRT_API int nrt_loss(int32_t loss, int32_t input, int64_t rows, int32_t cols, const float *output, int64_t output_size,
                     const float *target, int64_t target_size, const float *row_weights, int64_t row_weights_size,
                     float *d_output, int64_t d_output_size, float *loss_value, int32_t num_threads);

/* ---- optimizers: one fused update per parameter, Keras' formulas ---- */
enum nrt_optimizer { NRT_OPTIMIZER_SGD = 0, NRT_OPTIMIZER_ADAM = 1, NRT_OPTIMIZER_RMSPROP = 2 };
typedef struct nrt_optimizer_step {
    int32_t optimizer;     /* enum nrt_optimizer */
    float learning_rate;   /* this step's; Adam's already times sqrt(1 - beta_2^t) / (1 - beta_1^t) */
    float beta1;           /* SGD: momentum; Adam: beta_1; RMSprop: rho */
    float beta2;           /* Adam: beta_2; RMSprop: momentum */
    float epsilon;         /* Adam: added to sqrt(v); RMSprop: added to v under the root */
    float decay;           /* decoupled weight decay first (AdamW): value -= value * decay */
    float gradient_scale;  /* the gradient is multiplied by it (clipping by norm: min(1, clipnorm / norm)) */
    float clip_value;      /* then clipped to [-clip_value, clip_value] where positive */
    int32_t nesterov;      /* SGD with momentum */
    int32_t centered;      /* RMSprop */
} nrt_optimizer_step;
/* Updates value in place from gradient; slots (zero at the first step) hold the optimizer's
 * state: SGD with momentum: slot0 = momentum; Adam: slot0 = m, slot1 = v; RMSprop: slot0 =
 * velocity, slot1 = momentum (when beta2 > 0), slot2 = the mean gradient (centered). Slots
 * the step does not use may be null. */
NRT_API int nrt_optimizer_update(const nrt_optimizer_step *step, int64_t size, float *value, int64_t value_size,
                                 const float *gradient, int64_t gradient_size, float *slot0, int64_t slot0_size,
                                 float *slot1, int64_t slot1_size, float *slot2, int64_t slot2_size, int32_t num_threads);
/* The same update of a [total_rows, dim] value whose gradient is zero but on `row_count` rows:
 * rows (ascending, distinct, in [0, total_rows)) and their gradients d_rows [row_count, dim],
 * as nrt_embedding_backward gives them. The result is the dense update's with the rows scattered:
 * every optimizer that decays its slots or the value updates the other rows with a zero gradient,
 * while plain SGD (no momentum, no decay), which a zero gradient leaves as it is, does not even
 * read them. */
NRT_API int nrt_optimizer_update_rows(const nrt_optimizer_step *step, int64_t total_rows, int32_t dim,
                                      float *value, int64_t value_size, const int32_t *rows, int64_t row_count,
                                      const float *d_rows, int64_t d_rows_size, float *slot0, int64_t slot0_size,
                                      float *slot1, int64_t slot1_size, float *slot2, int64_t slot2_size,
                                      int32_t num_threads);
/* sum[0] = the sum of x[i]^2 over the first `size` floats, in double, in fixed chunks added in
 * order, so it is the same for any thread count (clipping gradients by their norm). */
NRT_API int nrt_sum_of_squares(int64_t size, const float *x, int64_t x_size, double *sum, int32_t num_threads);

/* ---- recurrent layers: one call runs the whole sequence ---- */
NRT_API int64_t nrt_rnn_packed_kernel_size(const nrt_rnn_desc *desc);
NRT_API int64_t nrt_rnn_packed_recurrent_size(const nrt_rnn_desc *desc);
NRT_API int64_t nrt_rnn_bias_size(const nrt_rnn_desc *desc);
NRT_API int nrt_rnn_pack_weights(const nrt_rnn_desc *desc,
                                 const float *kernel, int64_t kernel_size,
                                 const float *recurrent_kernel, int64_t recurrent_size,
                                 float *packed_kernel, int64_t packed_kernel_size,
                                 float *packed_recurrent, int64_t packed_recurrent_size);
/* mask ([batch, steps], nonzero = valid), bias, initial states and final states may be null
 * (sizes 0); a null initial state is zeros. final_c is for LSTM only.
 * A null packed_kernel means src already holds the input projection x W + b, as
 * [batch, steps, G * units] (a caller that folds W into what precedes the layer, e.g. an
 * embedding table); bias then serves only for GRU's recurrent bias (reset_after). */
NRT_API int nrt_rnn_forward(const nrt_rnn_desc *desc, int32_t batch, int32_t steps,
                            const float *src, int64_t src_size,
                            const float *mask, int64_t mask_size,
                            const float *packed_kernel, int64_t packed_kernel_size,
                            const float *packed_recurrent, int64_t packed_recurrent_size,
                            const float *bias, int64_t bias_size,
                            const float *initial_h, int64_t initial_h_size,
                            const float *initial_c, int64_t initial_c_size,
                            float *dst, int64_t dst_size,
                            float *final_h, int64_t final_h_size,
                            float *final_c, int64_t final_c_size, int32_t num_threads);

/* Training. The workspace keeps what backward needs (the states and gates of every step) and
 * its scratch; nrt_rnn_workspace_size gives its floats. Backward overwrites the saved gates
 * with their gradients: one backward per training forward pass. Backward takes the kernels in Keras layout, not packed, and writes the input's
 * gradient and the weights' (bias as Keras lays it out; d_bias may be null). A masked step
 * passes the state's gradient through unchanged. Every gradient is summed over the steps and
 * sequences in one fixed order: the same bits for any number of threads. The activations'
 * derivatives are taken from their saved outputs, so GELU and a leaky ReLU with a negative
 * alpha, whose derivatives need their input, are not supported for training: both calls refuse
 * them (NRT_INVALID_ARGUMENT). d_src may be null (the
 * first layer of a model needs no input gradient). Initial states may be given to the
 * forward pass (null: zeros; initial_c for LSTM only), and backward then writes their
 * gradients where d_initial_h / d_initial_c are not null. The training forward pass also writes
 * the final states where final_h / final_c are not null (Keras' return_state), and backward
 * then takes their gradients as d_final_h / d_final_c (null: none; d_final_c for LSTM only). */
NRT_API int64_t nrt_rnn_workspace_size(const nrt_rnn_desc *desc, int32_t batch, int32_t steps);
NRT_API int nrt_rnn_forward_training(const nrt_rnn_desc *desc, int32_t batch, int32_t steps,
                                     const float *src, int64_t src_size,
                                     const float *mask, int64_t mask_size,
                                     const float *packed_kernel, int64_t packed_kernel_size,
                                     const float *packed_recurrent, int64_t packed_recurrent_size,
                                     const float *bias, int64_t bias_size,
                                     const float *initial_h, int64_t initial_h_size,
                                     const float *initial_c, int64_t initial_c_size,
                                     float *dst, int64_t dst_size,
                                     float *workspace, int64_t workspace_size,
                                     float *final_h, int64_t final_h_size,
                                     float *final_c, int64_t final_c_size, int32_t num_threads);
NRT_API int nrt_rnn_backward(const nrt_rnn_desc *desc, int32_t batch, int32_t steps,
                             const float *src, int64_t src_size,
                             const float *mask, int64_t mask_size,
                             const float *kernel, int64_t kernel_size,
                             const float *recurrent_kernel, int64_t recurrent_kernel_size,
                             float *workspace, int64_t workspace_size,
                             const float *d_dst, int64_t d_dst_size,
                             float *d_src, int64_t d_src_size,
                             float *d_kernel, int64_t d_kernel_size,
                             float *d_recurrent, int64_t d_recurrent_size,
                             float *d_bias, int64_t d_bias_size,
                             float *d_initial_h, int64_t d_initial_h_size,
                             float *d_initial_c, int64_t d_initial_c_size,
                             const float *d_final_h, int64_t d_final_h_size,
                             const float *d_final_c, int64_t d_final_c_size, int32_t num_threads);

/* ---- embedding ---- */
/* dst[i] = table[ids[i]] for `count` ids given as floats (exact integers below 2^24). An id
 * that is not an integer in [0, vocabulary) fails the call, naming the id and its position. */
NRT_API int nrt_embedding_forward(int32_t vocabulary, int32_t dim, int64_t count,
                                  const float *ids, int64_t ids_size,
                                  const float *table, int64_t table_size,
                                  float *dst, int64_t dst_size, int32_t num_threads);
/* The table's gradient as rows, as Keras' IndexedSlices: its cost follows the batch, not the
 * vocabulary. *row_count = the number of distinct ids at positions whose mask (may be null) is
 * nonzero; rows[k] = those ids, ascending; d_rows[k * dim + j] = the sum of d_dst's rows for
 * id rows[k], in position order. rows and d_rows have room for `count` rows (the most there can
 * be); the table's other rows have a zero gradient. The ids are checked as for the forward pass. */
NRT_API int nrt_embedding_backward(int32_t vocabulary, int32_t dim, int64_t count,
                                   const float *ids, int64_t ids_size,
                                   const float *mask, int64_t mask_size,
                                   const float *d_dst, int64_t d_dst_size,
                                   int32_t *rows, int64_t rows_size,
                                   float *d_rows, int64_t d_rows_size, int64_t *row_count, int32_t num_threads);
/* mask[i] = 1 where ids[i] != 0, else 0: the padding mask of Keras' mask_zero. */
NRT_API int nrt_nonzero_mask(int64_t count, const float *ids, int64_t ids_size, float *mask, int64_t mask_size);
/* The same three for int32 ids, as a tokenizer gives them (no conversion, any id below 2^31). */
NRT_API int nrt_embedding_forward_i32(int32_t vocabulary, int32_t dim, int64_t count,
                                      const int32_t *ids, int64_t ids_size,
                                      const float *table, int64_t table_size,
                                      float *dst, int64_t dst_size, int32_t num_threads);
NRT_API int nrt_embedding_backward_i32(int32_t vocabulary, int32_t dim, int64_t count,
                                       const int32_t *ids, int64_t ids_size,
                                       const float *mask, int64_t mask_size,
                                       const float *d_dst, int64_t d_dst_size,
                                       int32_t *rows, int64_t rows_size,
                                       float *d_rows, int64_t d_rows_size, int64_t *row_count, int32_t num_threads);
NRT_API int nrt_nonzero_mask_i32(int64_t count, const int32_t *ids, int64_t ids_size, float *mask, int64_t mask_size);

#ifdef __cplusplus
}
#endif
#endif /* NEURITE_H */

package org.neurite.backend;

import org.neurite.Activation;
import org.neurite.RowGradient;
import org.neurite.Tensor;

/**
 * The operations every backend provides, forward and backward (training). Callers
 * validate shapes before calling; backends may assume tensors of the geometry's sizes and
 * still must never read or write out of bounds. {@code threads <= 0} means all cores, and
 * no result depends on the thread count.
 *
 * <p>Operations with weights or a geometry are prepared once ({@link #conv}, {@link #pool},
 * {@link #dense}, {@link #rnn}): the op object holds the backend's descriptor and packed
 * weights and is closed by its owner.
 *
 * <pre>{@code
 * try (DenseOp dense = Backends.get().dense(geometry)) {
 *     dense.setKernel(kernel);
 *     dense.forward(input, bias, output, 0);
 * }
 * }</pre>
 */
public interface Backend {
    /** "native" or "java". */
    String name();

    /** Whether this backend's operations can take {@code t} as it is (otherwise copy it into {@link #allocate}). */
    boolean accepts(Tensor t);

    /** A zero-filled tensor in the storage this backend's kernels read fastest. */
    Tensor allocate(int... shape);

    /** As {@link #allocate}, for int32 token ids ({@link Tensor#ids}). */
    Tensor allocateIds(int... shape);

    ConvOp conv(ConvGeometry g);

    PoolOp pool(PoolGeometry g);

    DenseOp dense(DenseGeometry g);

    RnnOp rnn(RnnGeometry g);

    /** Element-wise over the whole tensor; input and output may be the same tensor. */
    void activation(Activation activation, float alpha, Tensor input, Tensor output, int threads);

    /**
     * dInput = dOutput times the activation's derivative, taken from {@code output} where
     * {@link Activation#derivativeFromOutput} allows, else from {@code input} (then required).
     * dInput may be dOutput.
     */
    void activationBackward(Activation activation, float alpha, Tensor input, Tensor output, Tensor dOutput,
                            Tensor dInput, int threads);

    /** Over the last axis. */
    void softmax(Tensor input, Tensor output, int threads);

    /**
     * A loss and its gradient, as Keras computes them (see {@code nrt_loss} in neurite.h): from
     * the {@code [rows, cols]} {@code output} and the targets (a class id per row for sparse
     * categorical cross-entropy, else {@code [rows, cols]}), writes {@code dOutput} (at the
     * output, the logits, or a final softmax's or sigmoid's input, as {@code input} says) and
     * returns {@code sum(rowWeight * rowLoss) / rows}; {@code rowWeights} may be null (all 1).
     * A label that is not a class throws {@link IllegalArgumentException} before anything is written.
     */
    float loss(LossKind loss, LossKind.Input input, Tensor output, Tensor target, Tensor rowWeights, Tensor dOutput,
               int threads);

    /**
     * One optimizer step on a parameter, in place: value, and the slots {@code step} uses
     * ({@link OptimizerStep#usesSlot}; the others may be null), from the gradient.
     */
    void optimizerUpdate(OptimizerStep step, Tensor value, Tensor gradient, Tensor slot0, Tensor slot1, Tensor slot2,
                         int threads);

    /**
     * The same step on a {@code [rows, width]} value whose gradient is given as rows: the
     * update of that gradient written out whole, where plain SGD leaves the other rows unread.
     */
    void optimizerUpdate(OptimizerStep step, Tensor value, RowGradient gradient, Tensor slot0, Tensor slot1, Tensor slot2,
                         int threads);

    /** The sum of the squares of x's first {@code size} values, in double, the same for any thread count. */
    double sumOfSquares(Tensor x, long size, int threads);

    /** dInput = output * (dOutput - sum(dOutput * output)) per row of the last axis; dInput may be dOutput. */
    void softmaxBackward(Tensor output, Tensor dOutput, Tensor dInput, int threads);

    /**
     * Dropout's mask for one step: each entry 0 with probability {@code rate}, else
     * {@code 1 / (1 - rate)}, a function of {@code seed} and the entry's index alone (the same
     * on every backend and thread count; see {@code nrt_dropout_mask} in neurite.h).
     */
    void dropoutMask(float rate, long seed, Tensor mask, int threads);

    /** output = a op b, element-wise; output may be a or b. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor output, int threads);

    /**
     * output[i] = table[ids[i]]. An id that is not an integer in [0, vocabulary) throws
     * {@link IllegalArgumentException} before anything is written.
     */
    void embedding(int vocabulary, Tensor ids, Tensor table, Tensor output, int threads);

    /**
     * The table's gradient as rows into {@code dTable} (room for a row per id): the distinct ids,
     * ascending, each with the sum of dOutput's rows at its positions, in position order;
     * positions where {@code mask} (may be null) is 0 contribute nothing. Ids are those a
     * forward accepted.
     */
    void embeddingBackward(int vocabulary, Tensor ids, Tensor mask, Tensor dOutput, RowGradient dTable, int threads);

    /** mask[i] = 1 where ids[i] != 0, else 0 (Keras' mask_zero). */
    void nonZeroMask(Tensor ids, Tensor mask);

    /**
     * Keras' GlobalAveragePooling1D given a mask: {@code output [batch, channels]} = the mean of
     * {@code input [batch, steps, channels]} over the steps whose {@code mask [batch, steps]} is
     * nonzero, summed in step order. As in Keras, masked steps are multiplied by 0: an Inf or
     * NaN there, or a sequence with no valid step, gives NaN.
     */
    void maskedMean(Tensor input, Tensor mask, Tensor output, int threads);

    /** Its backward: dInput = dOutput / the valid steps, times 1 at valid steps and 0 at masked ones. */
    void maskedMeanBackward(Tensor mask, Tensor dOutput, Tensor dInput, int threads);
}

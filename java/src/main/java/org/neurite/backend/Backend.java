package org.neurite.backend;

import org.neurite.Activation;
import org.neurite.Tensor;

/**
 * The operations every backend provides, forward (and, with training, backward). Callers
 * validate shapes before calling; backends may assume tensors of the geometry's sizes and
 * still must never read or write out of bounds. {@code threads <= 0} means all cores, and
 * no result depends on the thread count.
 *
 * <p>Weights are packed once ({@code pack*}) into whatever layout the backend's kernels
 * read, and the packed tensor is passed to every later call.
 *
 * <pre>{@code
 * Backend backend = Backends.get();
 * Tensor packed = backend.packDense(geometry, kernel);
 * backend.dense(geometry, input, packed, bias, output, 0);
 * }</pre>
 */
public interface Backend {
    /** "native" or "java". */
    String name();

    /** Whether this backend's operations can take {@code t} as it is (otherwise copy it into {@link #allocate}). */
    boolean accepts(Tensor t);

    /** A zero-filled tensor in the storage this backend's kernels read fastest. */
    Tensor allocate(int... shape);

    Tensor packConv(ConvGeometry g, Tensor hwioWeights);

    /** {@code bias} may be null. */
    void conv(ConvGeometry g, Tensor input, Tensor packedWeights, Tensor bias, Tensor output, int threads);

    void pool(PoolGeometry g, Tensor input, Tensor output, int threads);

    Tensor packDense(DenseGeometry g, Tensor weights);

    /** {@code bias} may be null. */
    void dense(DenseGeometry g, Tensor input, Tensor packedWeights, Tensor bias, Tensor output, int threads);

    /** Element-wise over the whole tensor; input and output may be the same tensor. */
    void activation(Activation activation, float alpha, Tensor input, Tensor output, int threads);

    /** Over the last axis. */
    void softmax(Tensor input, Tensor output, int threads);

    /** output = a op b, element-wise; output may be a or b. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor output, int threads);

    /** Packs an RNN's kernel and recurrent kernel (Keras layout); returns {packed kernel, packed recurrent kernel}. */
    Tensor[] packRnn(RnnGeometry g, Tensor kernel, Tensor recurrentKernel);

    /**
     * Runs a recurrent layer over a whole sequence, writing outputs from {@code outputOffset}
     * floats into {@code output} with the geometry's stride. {@code mask} ([batch, steps],
     * nonzero = valid), {@code bias}, the initial and the final states may be null. A null
     * {@code packedKernel} means the input already holds its projection x W + input bias
     * ({@code [batch, steps, gatedUnits]}); {@code bias} then serves only GRU's recurrent bias.
     */
    void rnn(RnnGeometry g, Tensor input, Tensor mask, Tensor packedKernel, Tensor packedRecurrent, Tensor bias,
             Tensor initialH, Tensor initialC, Tensor output, int outputOffset, Tensor finalH, Tensor finalC, int threads);

    /**
     * output[i] = table[ids[i]]. An id that is not an integer in [0, vocabulary) throws
     * {@link IllegalArgumentException} before anything is written.
     */
    void embedding(int vocabulary, Tensor ids, Tensor table, Tensor output, int threads);

    /** mask[i] = 1 where ids[i] != 0, else 0 (Keras' mask_zero). */
    void nonZeroMask(Tensor ids, Tensor mask);
}

package org.neurite.backend;

import org.neurite.Tensor;

/**
 * What a {@link ConvOp} and a {@link DenseOp} share: an operation with its own packed copy of
 * a kernel, repacked in place whenever the kernel changes, and an optional bias.
 * {@link #setKernel} must not overlap a run; runs may overlap each other.
 */
public interface KernelOp extends AutoCloseable {
    /** Packs a kernel in Keras layout (conv: HWIO; dense: {@code [in, out]}) for the later calls. */
    void setKernel(Tensor kernel);

    /** {@code bias} may be null. */
    void forward(Tensor input, Tensor bias, Tensor output, int threads);

    /** Frees the packed kernel and the descriptor. */
    @Override
    void close();
}

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

    /**
     * The input's gradient from {@code dPre}, the gradient at the kernel's output before its
     * fused activation (see {@link Backend#activationBackward}), and the kernel in Keras
     * layout; overwrites {@code dInput}.
     */
    void backwardData(Tensor kernel, Tensor dPre, Tensor dInput, int threads);

    /**
     * The kernel's gradient (Keras layout) and the bias' ({@code dBias} may be null) from the
     * forward input and {@code dPre}; overwrites both. Every sum over the batch runs in one
     * fixed order, so the gradients are bitwise the same for any thread count.
     */
    void backwardWeights(Tensor input, Tensor dPre, Tensor dKernel, Tensor dBias, int threads);

    /** Frees the packed kernel and the descriptor. */
    @Override
    void close();
}

package org.neurite.backend;

/**
 * A fully connected layer prepared for one geometry, with its own packed copy of the kernel
 * (see {@link KernelOp}).
 *
 * <pre>{@code
 * try (DenseOp dense = backend.dense(geometry)) {
 *     dense.setKernel(kernel); // [in, out]
 *     dense.forward(input, bias, output, threads);
 * }
 * }</pre>
 */
public interface DenseOp extends KernelOp {
    DenseGeometry geometry();
}

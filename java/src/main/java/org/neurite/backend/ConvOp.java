package org.neurite.backend;

/**
 * A convolution prepared for one geometry: the backend's descriptor and its own packed copy
 * of the kernel (see {@link KernelOp}).
 *
 * <pre>{@code
 * try (ConvOp conv = backend.conv(geometry)) {
 *     conv.setKernel(hwio);
 *     conv.forward(input, bias, output, threads);
 * }
 * }</pre>
 */
public interface ConvOp extends KernelOp {
    ConvGeometry geometry();
}

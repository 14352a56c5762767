package org.neurite.layers;

import org.neurite.Activation;

/**
 * 1D convolution over {@code [batch, steps, channels]}, as Keras' {@code Conv1D}; kernel
 * shape {@code [width, in / groups, filters]}.
 *
 * <pre>{@code
 * model.add(new Conv1D(128, 5, Activation.RELU));
 * }</pre>
 */
public final class Conv1D extends ConvolutionLayer<Conv1D> {
    public Conv1D(int filters, int kernelSize) {
        super(1, false, filters, 1, kernelSize);
    }

    public Conv1D(int filters, int kernelSize, Activation activation) {
        this(filters, kernelSize);
        activation(activation);
    }
}

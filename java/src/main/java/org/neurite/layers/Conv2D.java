package org.neurite.layers;

import org.neurite.Activation;

/**
 * 2D convolution over NHWC images, as Keras' {@code Conv2D}: kernel HWIO, bias, fused
 * activation, strides, {@code valid}/{@code same}/explicit padding, dilation and groups.
 *
 * <pre>{@code
 * model.add(new Conv2D(32, 3, Activation.RELU));
 * }</pre>
 */
public final class Conv2D extends ConvolutionLayer<Conv2D> {
    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize);
    }

    public Conv2D(int filters, int kernelSize, Activation activation) {
        this(filters, kernelSize, kernelSize);
        activation(activation);
    }

    public Conv2D(int filters, int kernelH, int kernelW) {
        super(2, false, filters, kernelH, kernelW);
    }
}

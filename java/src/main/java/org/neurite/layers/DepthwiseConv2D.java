package org.neurite.layers;

/**
 * Depthwise 2D convolution, as Keras' {@code DepthwiseConv2D}: each input channel is
 * convolved on its own into {@code depthMultiplier} output channels; kernel shape
 * {@code [kh, kw, 1, channels * depthMultiplier]}, which lays out the same floats as
 * Keras' {@code [kh, kw, channels, depthMultiplier]}.
 *
 * <pre>{@code
 * model.add(new DepthwiseConv2D(3).padding(Padding.SAME));
 * }</pre>
 */
public final class DepthwiseConv2D extends ConvolutionLayer<DepthwiseConv2D> {
    public DepthwiseConv2D(int kernelSize) {
        this(kernelSize, 1);
    }

    public DepthwiseConv2D(int kernelSize, int depthMultiplier) {
        super(2, true, depthMultiplier, kernelSize, kernelSize);
    }
}

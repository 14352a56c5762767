package org.neurite.backend;

import org.neurite.Activation;

/**
 * One 2D convolution problem, batch excluded: NHWC input {@code [inH, inW, inC]}, HWIO
 * weights {@code [kernelH, kernelW, inC / groups, outC]}, NHWC output. Conv1D is height 1.
 * The activation is fused; {@link Activation#SOFTMAX} is not allowed here.
 *
 * <pre>{@code
 * ConvGeometry g = new ConvGeometry(28, 28, 1, 26, 26, 32, 3, 3, 1, 1, 1, 1, 0, 0, 1, Activation.RELU, 0f);
 * }</pre>
 */
public record ConvGeometry(int inH, int inW, int inC, int outH, int outW, int outC, int kernelH, int kernelW,
                           int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft,
                           int groups, Activation activation, float alpha) {
    public ConvGeometry {
        if (!activation.isElementWise()) throw new IllegalArgumentException("convolution cannot fuse " + activation);
    }

    public int inPerGroup() {
        return inC / groups;
    }

    public int outPerGroup() {
        return outC / groups;
    }

    public long weightCount() {
        return (long) kernelH * kernelW * inPerGroup() * outC;
    }
}

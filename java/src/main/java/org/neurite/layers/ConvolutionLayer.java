package org.neurite.layers;

import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.Tensor;
import org.neurite.backend.ConvGeometry;
import org.neurite.backend.KernelOp;

/**
 * What Conv1D, Conv2D and DepthwiseConv2D share: Keras' options (strides, padding, dilation,
 * groups, fused bias and activation), weights in Keras layout (HWIO; for 1D, WIO), packed
 * once for the backend at build and after every {@link #setWeights}.
 *
 * <pre>{@code
 * new Conv2D(64, 3).strides(2).padding(Padding.SAME).activation(Activation.RELU)
 * }</pre>
 */
public abstract class ConvolutionLayer<L extends ConvolutionLayer<L>> extends KernelLayer<L> {
    final int spatialRank;
    final boolean depthwise;
    final int filters; // for depthwise: the depth multiplier
    final int kernelH, kernelW;
    int strideH = 1, strideW = 1, dilationH = 1, dilationW = 1, groups = 1;
    Padding padding = Padding.VALID;
    int explicitPadH = -1, explicitPadW = -1;
    Activation activation = Activation.LINEAR;
    float alpha = Activation.DEFAULT_LEAKY_ALPHA;

    private ConvGeometry geometry;

    ConvolutionLayer(int spatialRank, boolean depthwise, int filters, int kernelH, int kernelW) {
        if (filters <= 0 || kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": filters " + filters + " and kernel "
                    + kernelH + "x" + kernelW + " must be positive");
        }
        this.spatialRank = spatialRank;
        this.depthwise = depthwise;
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
    }

    public L activation(Activation activation) {
        ensureNotBuilt();
        this.activation = activation;
        return self();
    }

    /** The negative slope of {@link Activation#LEAKY_RELU}. */
    public L alpha(float alpha) {
        ensureNotBuilt();
        this.alpha = alpha;
        return self();
    }

    public L padding(Padding padding) {
        ensureNotBuilt();
        if (padding == Padding.CAUSAL && spatialRank != 1) {
            throw new IllegalArgumentException(describe() + ": causal padding is for Conv1D only, as in Keras");
        }
        this.padding = padding;
        this.explicitPadH = this.explicitPadW = -1;
        return self();
    }

    /** Explicit zero padding on both sides of each axis (PyTorch's {@code padding=(h, w)}); 1D ignores padH. */
    public L padding(int padH, int padW) {
        ensureNotBuilt();
        if (padH < 0 || padW < 0) throw new IllegalArgumentException(describe() + ": padding must not be negative");
        this.explicitPadH = spatialRank == 1 ? 0 : padH;
        this.explicitPadW = padW;
        return self();
    }

    public L strides(int stride) {
        return strides(stride, stride);
    }

    public L strides(int strideH, int strideW) {
        ensureNotBuilt();
        if (strideH <= 0 || strideW <= 0) throw new IllegalArgumentException(describe() + ": strides must be positive");
        this.strideH = spatialRank == 1 ? 1 : strideH;
        this.strideW = strideW;
        return self();
    }

    public L dilation(int dilation) {
        return dilation(dilation, dilation);
    }

    public L dilation(int dilationH, int dilationW) {
        ensureNotBuilt();
        if (dilationH <= 0 || dilationW <= 0) throw new IllegalArgumentException(describe() + ": dilation must be positive");
        this.dilationH = spatialRank == 1 ? 1 : dilationH;
        this.dilationW = dilationW;
        return self();
    }

    /** Splits the channels into independent groups, as Keras' {@code groups}. */
    public L groups(int groups) {
        ensureNotBuilt();
        if (depthwise) throw new IllegalStateException(describe() + ": a depthwise layer has one group per channel");
        if (groups <= 0) throw new IllegalArgumentException(describe() + ": groups must be positive");
        this.groups = groups;
        return self();
    }

    /** The problem this layer solves, once built. */
    public ConvGeometry geometry() {
        return geometry;
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        ConvGeometry g = geometryFor(in);
        return spatialRank == 1 ? new int[] {g.outW(), g.outC()} : new int[] {g.outH(), g.outW(), g.outC()};
    }

    @Override
    protected void configure(int[] inputShape) {
        geometry = geometryFor(inputShape);
    }

    // The problem for an input shape, or an exception naming this layer.
    private ConvGeometry geometryFor(int[] in) {
        int expectedRank = spatialRank + 1;
        String expected = spatialRank == 1 ? "[batch, steps, channels]" : "[batch, height, width, channels]";
        if (in.length != expectedRank) throw badInput(expected, in);
        int inH = spatialRank == 1 ? 1 : in[0], inW = in[spatialRank - 1], inC = in[spatialRank];
        int layerGroups = depthwise ? inC : groups;
        int outC = values("output channels", depthwise ? (long) inC * filters : filters);
        long reachH = Padding.reach(kernelH, dilationH), reachW = Padding.reach(kernelW, dilationW);
        if (reachH > Integer.MAX_VALUE / 2 || reachW > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException(describe() + ": kernel reach " + (spatialRank == 1 ? "" : reachH + "x") + reachW
                    + " (kernel " + kernelH + "x" + kernelW + ", dilation " + dilationH + "x" + dilationW + ") is too large");
        }
        if (inC % layerGroups != 0 || outC % layerGroups != 0) {
            throw new IllegalArgumentException(describe() + ": " + layerGroups + " groups must divide the " + inC
                    + " input channels of " + batchShape(in) + " and the " + outC + " filters");
        }
        int padTop = explicitPadH >= 0 ? explicitPadH : padding.padBefore(inH, kernelH, strideH, dilationH);
        int padLeft = explicitPadW >= 0 ? explicitPadW : padding.padBefore(inW, kernelW, strideW, dilationW);
        int outH = outLength(inH, kernelH, strideH, dilationH, explicitPadH);
        int outW = outLength(inW, kernelW, strideW, dilationW, explicitPadW);
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException(describe() + ": kernel reach " + (spatialRank == 1 ? "" : reachH + "x")
                    + reachW + " is larger than the padded input " + batchShape(in));
        }
        if (padTop >= reachH || padLeft >= reachW) {
            throw new IllegalArgumentException(describe() + ": padding " + padTop + "," + padLeft
                    + " must be smaller than the kernel reach " + reachH + "x" + reachW);
        }
        return new ConvGeometry(inH, inW, inC, outH, outW, outC, kernelH, kernelW, strideH, strideW, dilationH,
                dilationW, padTop, padLeft, layerGroups, fusable(activation, alpha), alpha);
    }

    private int outLength(int in, int window, int stride, int dilation, int explicitPad) {
        if (explicitPad < 0) return padding.outputLength(in, window, stride, dilation);
        long reach = Padding.reach(window, dilation), padded = in + 2L * explicitPad;
        return padded < reach ? 0 : (int) ((padded - reach) / stride + 1);
    }

    @Override
    protected int biasSize() {
        return geometry.outC();
    }

    @Override
    protected double fanSum() {
        double receptive = (double) geometry.kernelH() * geometry.kernelW();
        // Keras' fans of its kernel shape: [kh, kw, in / groups, out], or [kh, kw, channels, multiplier] for depthwise.
        if (depthwise) return receptive * geometry.inC() + receptive * filters;
        return receptive * geometry.inPerGroup() + receptive * geometry.outC();
    }

    @Override
    protected int[] kernelShape() {
        ConvGeometry g = geometry;
        return spatialRank == 1 ? new int[] {g.kernelW(), g.inPerGroup(), g.outC()}
                : new int[] {g.kernelH(), g.kernelW(), g.inPerGroup(), g.outC()};
    }

    @Override
    protected KernelOp newOp() {
        return backend.conv(geometry);
    }

    @Override
    protected Activation activation() {
        return activation;
    }

    @Override
    protected float alpha() {
        return alpha;
    }
}

package org.neurite.layers;

import java.util.Random;
import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.Tensor;
import org.neurite.backend.PoolGeometry;
import org.neurite.backend.PoolOp;

/**
 * What the max and average pooling layers share, 1D over {@code [batch, steps, channels]}
 * and 2D over NHWC. Strides default to the pool size, as in Keras; global pooling is a
 * window over the whole input that drops the spatial axes.
 *
 * <pre>{@code
 * new MaxPool2D(2).strides(1).padding(Padding.SAME)
 * }</pre>
 */
public abstract class PoolingLayer extends Layer {
    final int spatialRank;
    final boolean max;
    final boolean global;
    final int poolH, poolW;
    int strideH, strideW;
    Padding padding = Padding.VALID;
    private PoolGeometry geometry;
    private PoolOp op;

    static final long MAX_WINDOW = 1 << 24;

    PoolingLayer(int spatialRank, boolean max, int poolH, int poolW) {
        if (poolH <= 0 || poolW <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": pool size must be positive");
        this.spatialRank = spatialRank;
        this.max = max;
        this.global = false;
        this.poolH = spatialRank == 1 ? 1 : poolH;
        this.poolW = poolW;
        this.strideH = this.poolH;
        this.strideW = poolW;
    }

    /** A global pooling layer. */
    PoolingLayer(int spatialRank, boolean max) {
        this.spatialRank = spatialRank;
        this.max = max;
        this.global = true;
        this.poolH = this.poolW = this.strideH = this.strideW = 0;
    }

    public PoolingLayer strides(int stride) {
        return strides(stride, stride);
    }

    public PoolingLayer strides(int strideH, int strideW) {
        ensureNotBuilt();
        if (global) throw new IllegalStateException(describe() + ": global pooling has no strides");
        if (strideH <= 0 || strideW <= 0) throw new IllegalArgumentException(describe() + ": strides must be positive");
        this.strideH = spatialRank == 1 ? 1 : strideH;
        this.strideW = strideW;
        return this;
    }

    public PoolingLayer padding(Padding padding) {
        ensureNotBuilt();
        if (global) throw new IllegalStateException(describe() + ": global pooling has no padding");
        if (padding == Padding.CAUSAL) throw new IllegalArgumentException(describe() + ": pooling has no causal padding");
        this.padding = padding;
        return this;
    }

    public PoolGeometry geometry() {
        return geometry;
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        PoolGeometry g = geometryFor(in);
        if (global) return new int[] {g.channels()};
        return spatialRank == 1 ? new int[] {g.outW(), g.channels()} : new int[] {g.outH(), g.outW(), g.channels()};
    }

    // The problem for an input shape, or an exception naming this layer.
    private PoolGeometry geometryFor(int[] in) {
        if (in.length != spatialRank + 1) {
            throw badInput(spatialRank == 1 ? "[batch, steps, channels]" : "[batch, height, width, channels]", in);
        }
        int inH = spatialRank == 1 ? 1 : in[0], inW = in[spatialRank - 1], c = in[spatialRank];
        long cells = global ? (long) inH * inW : (long) poolH * poolW;
        if (cells > MAX_WINDOW) { // training saves each maximum's cell in its window as a float, exact up to 2^24
            throw new IllegalArgumentException(describe() + ": a " + (global ? inH + "x" + inW : poolH + "x" + poolW)
                    + " window has " + cells + " cells, more than the " + MAX_WINDOW + " a pooling window may have");
        }
        if (global) return new PoolGeometry(inH, inW, c, 1, 1, inH, inW, inH, inW, 0, 0, max);
        int outH = padding.outputLength(inH, poolH, strideH, 1), outW = padding.outputLength(inW, poolW, strideW, 1);
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException(describe() + ": pool " + (spatialRank == 1 ? "" : poolH + "x") + poolW
                    + " is larger than the input " + batchShape(in) + " with valid padding");
        }
        return new PoolGeometry(inH, inW, c, outH, outW, poolH, poolW, strideH, strideW,
                padding.padBefore(inH, poolH, strideH, 1), padding.padBefore(inW, poolW, strideW, 1), max);
    }

    @Override
    protected void prepare(int[] inputShape, Random random) {
        geometry = geometryFor(inputShape);
        op = backend.pool(geometry);
    }

    @Override
    protected Tensor run(Tensor input, Tensor out, int threads) {
        op.forward(input, out, threads);
        return out;
    }

    /** Keras' GlobalAveragePooling1D averages the valid steps alone; its other pooling layers ignore masks. */
    private boolean averagesValidSteps(Tensor mask) {
        return mask != null && global && !max && spatialRank == 1;
    }

    @Override
    protected Tensor runMasked(Tensor input, Tensor mask, Tensor out, int threads) {
        if (!averagesValidSteps(mask)) return run(input, out, threads);
        backend.maskedMean(input, mask, out, threads);
        return out;
    }

    /** Max pooling keeps where each window's maximum was. */
    @Override
    protected Tensor train(Context ctx, Tensor input, Tensor mask, Tensor out) {
        if (averagesValidSteps(mask)) return runMasked(input, mask, out, ctx.threads());
        op.forwardTraining(input, out, workspace(ctx, input.dim(0)), ctx.threads());
        return out;
    }

    @Override
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        if (!inputGradient) return null;
        Tensor dInput = inputGradient(ctx);
        if (averagesValidSteps(ctx.mask)) backend.maskedMeanBackward(ctx.mask, dOutput, dInput, ctx.threads());
        else op.backward(dOutput, workspace(ctx, dOutput.dim(0)), null, dInput, ctx.threads());
        return dInput;
    }

    /** Max pooling ignores masks, and a window's maximum is positive exactly where the ReLU's derivative at its cell is 1. */
    @Override
    public boolean foldsActivationBefore(Activation activation) {
        return max && activation == Activation.RELU;
    }

    @Override
    protected Tensor backpropThrough(Context ctx, Tensor dOutput, Activation activation) {
        Tensor dInput = inputGradient(ctx);
        op.backward(dOutput, workspace(ctx, dOutput.dim(0)), ctx.output, dInput, ctx.threads());
        return dInput;
    }

    private Tensor workspace(Context ctx, int batch) {
        long size = op.workspaceSize(batch);
        return size == 0 ? null : ctx.flat(backend, Context.Slot.SAVED, Math.toIntExact(size));
    }

    @Override
    public void close() {
        if (op != null) op.close();
        op = null;
    }
}

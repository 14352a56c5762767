package org.neurite.testkit;

import org.neurite.Padding;
import org.neurite.layers.AvgPool1D;
import org.neurite.layers.AvgPool2D;
import org.neurite.layers.GlobalAvgPool1D;
import org.neurite.layers.GlobalAvgPool2D;
import org.neurite.layers.GlobalMaxPool1D;
import org.neurite.layers.GlobalMaxPool2D;
import org.neurite.layers.MaxPool1D;
import org.neurite.layers.MaxPool2D;
import org.neurite.layers.PoolingLayer;

/**
 * A pooling problem of tests/shapes/pool.txt with its sizes worked out here, by Keras'
 * rules, independently of the library; and the layer a user would write for it.
 */
public record PoolCase(Problem problem, int batch, int inH, int inW, int c, int outH, int outW, int ph, int pw, int sh,
                       int sw, int padTop, int padLeft, boolean max, boolean global, boolean oneD) {
    public static PoolCase of(Problem p) {
        boolean oneD = p.integer("rank", 2) == 1, global = p.has("global"), max = p.text("kind", "max").equals("max");
        int[] in = p.dims("in");
        int batch = p.integer("mb", 1), inH = oneD ? 1 : in[0], inW = oneD ? in[0] : in[1], c = in[in.length - 1];
        int[] pool = global ? new int[] {inH, inW} : p.dims("pool");
        int ph = global ? inH : oneD ? 1 : pool[0], pw = global ? inW : pool[pool.length - 1];
        int[] stride = p.dims("stride", oneD ? new int[] {pw} : new int[] {ph, pw});
        int sh = global ? inH : oneD ? 1 : stride[0], sw = global ? inW : stride[stride.length - 1];
        boolean same = p.text("padding", "valid").equals("same");
        int outH = same ? (inH + sh - 1) / sh : (inH - ph) / sh + 1;
        int outW = same ? (inW + sw - 1) / sw : (inW - pw) / sw + 1;
        int padTop = same ? Math.max((outH - 1) * sh + ph - inH, 0) / 2 : 0;
        int padLeft = same ? Math.max((outW - 1) * sw + pw - inW, 0) / 2 : 0;
        return new PoolCase(p, batch, inH, inW, c, outH, outW, ph, pw, sh, sw, padTop, padLeft, max, global, oneD);
    }

    /** The layer the problem describes, configured through the public API as a user would. */
    public PoolingLayer layer() {
        if (global) {
            return oneD ? (max ? new GlobalMaxPool1D() : new GlobalAvgPool1D())
                    : (max ? new GlobalMaxPool2D() : new GlobalAvgPool2D());
        }
        PoolingLayer layer = oneD ? (max ? new MaxPool1D(pw) : new AvgPool1D(pw))
                : (max ? new MaxPool2D(ph, pw) : new AvgPool2D(ph, pw));
        if (problem.has("stride")) layer.strides(sh, sw);
        if (problem.text("padding", "valid").equals("same")) layer.padding(Padding.SAME);
        return layer;
    }

    public int[] inputShape() {
        return oneD ? new int[] {inW, c} : new int[] {inH, inW, c};
    }

    public int[] batchInputShape() {
        return Problem.prepend(batch, inputShape());
    }

    public int[] outputShape() {
        return global ? new int[] {batch, c} : oneD ? new int[] {batch, outW, c} : new int[] {batch, outH, outW, c};
    }

    public int inputSize() {
        return batch * inH * inW * c;
    }

    public Reference.Result reference(float[] x) {
        return Reference.pool2d(batch, inH, inW, c, outH, outW, ph, pw, sh, sw, padTop, padLeft, max, Reference.toDouble(x));
    }

    public OneDnn.Op oneDnn() {
        return OneDnn.pool(batch, inH, inW, c, outH, outW, ph, pw, sh, sw, padTop, padLeft, max);
    }

    /** oneDNN's training step for this pooling: forward training, then backward. */
    public OneDnn.Training oneDnnTraining() {
        return OneDnn.poolTraining(batch, inH, inW, c, outH, outW, ph, pw, sh, sw, padTop, padLeft, max);
    }
}

package org.neurite.testkit;

import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.layers.Conv1D;
import org.neurite.layers.Conv2D;
import org.neurite.layers.ConvolutionLayer;
import org.neurite.layers.DepthwiseConv2D;

/**
 * A convolution problem of tests/shapes/conv.txt with its sizes worked out here, by Keras'
 * rules, independently of the library; and the layer a user would write for it.
 */
public record ConvCase(Problem problem, int batch, int inH, int inW, int inC, int outH, int outW, int outC, int kh,
                       int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft, int groups, String activation,
                       boolean oneD) {
    public static ConvCase of(Problem p) {
        boolean oneD = p.integer("rank", 2) == 1;
        int[] in = p.dims("in");
        int inH = oneD ? 1 : in[0], inW = oneD ? in[0] : in[1], inC = in[in.length - 1];
        int[] k = p.dims("kernel"), s = p.dims("stride", 1, 1), d = p.dims("dilation", 1, 1);
        int kh = oneD ? 1 : k[0], kw = k[k.length - 1];
        int sh = oneD ? 1 : s[0], sw = s[s.length - 1], dh = oneD ? 1 : d[0], dw = d[d.length - 1];
        boolean depthwise = p.has("depthwise");
        int groups = depthwise ? inC : p.integer("groups", 1);
        int outC = depthwise ? inC * p.integer("depthwise", 1) : p.integer("filters", 0);
        String padding = p.text("padding", "valid");
        int[] h = axis(padding, inH, kh, sh, dh, oneD ? -1 : 0), w = axis(padding, inW, kw, sw, dw, oneD ? 0 : 1);
        return new ConvCase(p, p.integer("mb", 1), inH, inW, inC, h[0], w[0], outC, kh, kw, sh, sw, dh, dw, h[1], w[1],
                groups, p.text("act", "linear"), oneD);
    }

    /** {output length, padding before} along one axis; explicitIndex picks from "PHxPW" (-1: none). */
    private static int[] axis(String padding, int in, int k, int s, int d, int explicitIndex) {
        int reach = (k - 1) * d + 1;
        if (padding.equals("valid")) return new int[] {(in - reach) / s + 1, 0};
        if (padding.equals("same")) {
            int out = (in + s - 1) / s;
            return new int[] {out, Math.max((out - 1) * s + reach - in, 0) / 2};
        }
        int pad = explicitIndex < 0 ? 0 : Integer.parseInt(padding.split("x")[explicitIndex]);
        return new int[] {(in + 2 * pad - reach) / s + 1, pad};
    }

    /** The layer the problem describes, configured through the public API as a user would. */
    public ConvolutionLayer<?> layer() {
        Problem p = problem;
        int[] k = p.dims("kernel");
        ConvolutionLayer<?> layer = p.has("depthwise") ? new DepthwiseConv2D(k[0], p.integer("depthwise", 1))
                : oneD ? new Conv1D(p.integer("filters", 0), k[0])
                : new Conv2D(p.integer("filters", 0), k[0], k[1]);
        int[] s = p.dims("stride", 1, 1), d = p.dims("dilation", 1, 1);
        layer.strides(s[0], s[s.length - 1]).dilation(d[0], d[d.length - 1]);
        String padding = p.text("padding", "valid");
        if (padding.equals("same")) layer.padding(Padding.SAME);
        else if (!padding.equals("valid")) layer.padding(p.dims("padding")[0], p.dims("padding")[1]);
        if (p.has("groups")) layer.groups(p.integer("groups", 1));
        layer.activation(Activation.valueOf(activation.toUpperCase()));
        return layer;
    }

    public int[] inputShape() {
        return oneD ? new int[] {inW, inC} : new int[] {inH, inW, inC};
    }

    public int[] batchInputShape() {
        return Problem.prepend(batch, inputShape());
    }

    public int[] outputShape() {
        return oneD ? new int[] {batch, outW, outC} : new int[] {batch, outH, outW, outC};
    }

    public int inputSize() {
        return batch * inH * inW * inC;
    }

    public int kernelSize() {
        return kh * kw * (inC / groups) * outC;
    }

    /** Multiply-adds times two. */
    public double flops() {
        return 2.0 * batch * outH * outW * outC * kh * kw * (inC / groups);
    }

    public Reference.Result reference(float[] x, float[] kernel, float[] bias) {
        return Reference.conv2d(batch, inH, inW, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw, padTop, padLeft, groups,
                activation, Reference.toDouble(x), kernel, bias);
    }

    /** The kernel's gradient from dPre, the gradient at the output before the activation. */
    public Reference.Result kernelGradientReference(float[] x, float[] dPre) {
        return Reference.conv2dKernelGradient(batch, inH, inW, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw, padTop, padLeft,
                groups, Reference.toDouble(x), Reference.toDouble(dPre));
    }

    /** The input's gradient from dPre, the gradient at the output before the activation. */
    public Reference.Result inputGradientReference(float[] kernel, float[] dPre) {
        return Reference.conv2dInputGradient(batch, inH, inW, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw, padTop, padLeft,
                groups, kernel, Reference.toDouble(dPre));
    }

    public OneDnn.Op oneDnn() {
        return OneDnn.conv(batch, inH, inW, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw, padTop, padLeft, groups, activation);
    }

    /** oneDNN's backward primitive for the input's gradient ({@code data}) or the weights' and the bias'. */
    public OneDnn.Op oneDnnBackward(boolean data) {
        return OneDnn.convBackward(data, batch, inH, inW, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw, padTop, padLeft,
                groups);
    }
}

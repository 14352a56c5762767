package org.neurite.tests;

import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Conv1D;
import org.neurite.layers.Conv2D;
import org.neurite.layers.ConvolutionLayer;
import org.neurite.layers.DepthwiseConv2D;

/** Conv1D, Conv2D and DepthwiseConv2D on every shape of tests/shapes/conv.txt, on every variant and thread count. */
class ConvolutionTest {
    static Stream<Arguments> problems() {
        return Problem.load("conv").stream().flatMap(p -> Variant.available().stream().map(v -> Arguments.of(p, v)));
    }

    /** The problem's sizes, worked out here independently of the library (Keras' rules). */
    record Sizes(int batch, int inH, int inW, int inC, int outH, int outW, int outC, int kh, int kw, int sh, int sw,
                 int dh, int dw, int padTop, int padLeft, int groups, String activation, boolean oneD) {
        static Sizes of(Problem p) {
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
            int[] outH = axis(padding, inH, kh, sh, dh, oneD ? -1 : 0), outW = axis(padding, inW, kw, sw, dw, oneD ? 0 : 1);
            return new Sizes(p.integer("mb", 1), inH, inW, inC, outH[0], outW[0], outC, kh, kw, sh, sw, dh, dw, outH[1],
                    outW[1], groups, p.text("act", "linear"), oneD);
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

        int[] inputShape() {
            return oneD ? new int[] {inW, inC} : new int[] {inH, inW, inC};
        }

        int[] outputShape() {
            return oneD ? new int[] {batch, outW, outC} : new int[] {batch, outH, outW, outC};
        }

        int kernelSize() {
            return kh * kw * (inC / groups) * outC;
        }

        Reference.Result reference(float[] x, float[] kernel, float[] bias) {
            return Reference.conv2d(batch, inH, inW, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw, padTop, padLeft, groups,
                    activation, Reference.toDouble(x), kernel, bias);
        }
    }

    /** The layer the problem describes, configured through the public API as a user would. */
    static ConvolutionLayer layer(Problem p) {
        boolean oneD = p.integer("rank", 2) == 1;
        int[] k = p.dims("kernel");
        ConvolutionLayer layer = p.has("depthwise") ? new DepthwiseConv2D(k[0], p.integer("depthwise", 1))
                : oneD ? new Conv1D(p.integer("filters", 0), k[0])
                : new Conv2D(p.integer("filters", 0), k[0], k[1]);
        int[] s = p.dims("stride", 1, 1), d = p.dims("dilation", 1, 1);
        layer.strides(s[0], s[s.length - 1]).dilation(d[0], d[d.length - 1]);
        String padding = p.text("padding", "valid");
        if (padding.equals("same")) layer.padding(Padding.SAME);
        else if (!padding.equals("valid")) layer.padding(p.dims("padding")[0], p.dims("padding")[1]);
        if (p.has("groups")) layer.groups(p.integer("groups", 1));
        layer.activation(Activation.valueOf(p.text("act", "linear").toUpperCase()));
        return layer;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("problems")
    void matchesReferenceOnEveryThreadCount(Problem p, Variant variant) {
        Sizes sizes = Sizes.of(p);
        Random random = new Random(p.name().hashCode());
        float[] x = Checks.random(random, sizes.batch() * sizes.inH() * sizes.inW() * sizes.inC());
        float[] kernel = Checks.random(random, sizes.kernelSize()), bias = Checks.random(random, sizes.outC());
        String context = p + " on " + variant;

        float[][] outputs = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Backend backend = variant.activate();
            int[] inShape = sizes.inputShape();
            ConvolutionLayer layer = layer(p);
            try (Sequential model = new Sequential(inShape).add(layer).backend(backend).threads(threads).build()) {
                layer.setWeights(kernel, bias);
                int[] batchShape = new int[inShape.length + 1];
                batchShape[0] = sizes.batch();
                System.arraycopy(inShape, 0, batchShape, 1, inShape.length);
                try (Tensor input = backend.allocate(batchShape).copyFrom(x); Tensor output = model.predict(input)) {
                    Checks.assertRanKernelOf(variant, context);
                    assertArrayEquals(sizes.outputShape(), output.shape(), context + ": output shape");
                    outputs[threads - 1] = output.toArray();
                }
            }
        }
        Checks.assertMatches(context, outputs[0], sizes.reference(x, kernel, bias));
        Checks.assertNotMostlyZeros(context, outputs[0], Checks.nonZeroShareFor(sizes.activation()));
        Checks.assertBitwiseEqual(context, outputs[0], outputs[1]);
    }
}

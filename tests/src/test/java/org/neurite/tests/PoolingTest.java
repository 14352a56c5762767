package org.neurite.tests;

import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Padding;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.AvgPool1D;
import org.neurite.layers.AvgPool2D;
import org.neurite.layers.GlobalAvgPool1D;
import org.neurite.layers.GlobalAvgPool2D;
import org.neurite.layers.GlobalMaxPool1D;
import org.neurite.layers.GlobalMaxPool2D;
import org.neurite.layers.MaxPool1D;
import org.neurite.layers.MaxPool2D;
import org.neurite.layers.PoolingLayer;

/** Max, average and global pooling, 1D and 2D, on every shape of tests/shapes/pool.txt and every variant. */
class PoolingTest {
    static Stream<Arguments> problems() {
        return Problem.load("pool").stream().flatMap(p -> Variant.available().stream().map(v -> Arguments.of(p, v)));
    }

    static PoolingLayer layer(Problem p) {
        boolean oneD = p.integer("rank", 2) == 1, max = p.text("kind", "max").equals("max");
        if (p.has("global")) {
            return oneD ? (max ? new GlobalMaxPool1D() : new GlobalAvgPool1D())
                    : (max ? new GlobalMaxPool2D() : new GlobalAvgPool2D());
        }
        int[] pool = p.dims("pool");
        PoolingLayer layer = oneD ? (max ? new MaxPool1D(pool[0]) : new AvgPool1D(pool[0]))
                : (max ? new MaxPool2D(pool[0], pool[1]) : new AvgPool2D(pool[0], pool[1]));
        if (p.has("stride")) {
            int[] s = p.dims("stride");
            layer.strides(s[0], s[s.length - 1]);
        }
        if (p.text("padding", "valid").equals("same")) layer.padding(Padding.SAME);
        return layer;
    }

    /** The problem's sizes, worked out here independently of the library (Keras' rules). */
    record Sizes(int batch, int inH, int inW, int c, int outH, int outW, int ph, int pw, int sh, int sw, int padTop,
                 int padLeft, boolean max, boolean global, boolean oneD) {
        static Sizes of(Problem p) {
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
            return new Sizes(batch, inH, inW, c, outH, outW, ph, pw, sh, sw, padTop, padLeft, max, global, oneD);
        }

        int[] inputShape() {
            return oneD ? new int[] {inW, c} : new int[] {inH, inW, c};
        }

        int[] outputShape() {
            return global ? new int[] {batch, c} : oneD ? new int[] {batch, outW, c} : new int[] {batch, outH, outW, c};
        }

        Reference.Result reference(float[] x) {
            return Reference.pool2d(batch, inH, inW, c, outH, outW, ph, pw, sh, sw, padTop, padLeft, max, Reference.toDouble(x));
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("problems")
    void matchesReferenceOnEveryThreadCount(Problem p, Variant variant) {
        Sizes s = Sizes.of(p);
        float[] x = Checks.random(new Random(p.name().hashCode()), s.batch() * s.inH() * s.inW() * s.c());
        String context = p + " on " + variant;
        float[][] outputs = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Backend backend = variant.activate();
            try (Sequential model = new Sequential(s.inputShape()).add(layer(p)).backend(backend).threads(threads);
                 Tensor input = backend.allocate(prepend(s.batch(), s.inputShape())).copyFrom(x);
                 Tensor output = model.predict(input)) {
                Checks.assertRanKernelOf(variant, context);
                assertArrayEquals(s.outputShape(), output.shape(), context + ": output shape");
                outputs[threads - 1] = output.toArray();
            }
        }
        Checks.assertMatches(context, outputs[0], s.reference(x));
        Checks.assertNotMostlyZeros(context, outputs[0], 0.5);
        Checks.assertBitwiseEqual(context, outputs[0], outputs[1]);
    }

    static int[] prepend(int batch, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}

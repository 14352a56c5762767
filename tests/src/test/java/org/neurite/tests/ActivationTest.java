package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.BinaryOp;
import org.neurite.layers.ActivationLayer;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;

/**
 * Every activation, softmax and add on every variant: random inputs for the usual path,
 * and a dense sweep of [-30, 30] that checks the documented error bounds of the vectorised
 * exp/sigmoid/tanh/gelu against double precision.
 */
class ActivationTest {
    /** The bounds documented in native/src/x64/vec_math.h. */
    private static final double SIGMOID_TANH_BOUND = 5e-7, GELU_BOUND = 1e-6;

    static Stream<Arguments> activations() {
        return Arrays.stream(Activation.values()).flatMap(a -> Variant.all().stream().map(v -> Arguments.of(a, v)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("activations")
    void matchesReference(Activation activation, Variant variant) {
        // 3 x 7 x 37 values: rows of an odd width for softmax, tails for the vector loops.
        int rows = 21, cols = 37;
        float[] x = Checks.random(new Random(activation.ordinal()), rows * cols);
        for (int i = 0; i < x.length; i++) x[i] *= 8f;
        String name = activation.name().toLowerCase();
        float[][] outputs = run(activation, variant, x, rows, cols);
        Reference.Result expected = activation == Activation.SOFTMAX ? Reference.softmax(Reference.toDouble(x), cols)
                : elementWise(name, x);
        String context = activation + " on " + variant;
        Checks.assertMatches(context, outputs[0], expected);
        Checks.assertNotMostlyZeros(context, outputs[0], Checks.nonZeroShareFor(name));
        Checks.assertBitwiseEqual(context, outputs[0], outputs[1]);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("activations")
    void staysWithinDocumentedErrorBound(Activation activation, Variant variant) {
        if (activation == Activation.SOFTMAX) return; // covered above; not element-wise
        int n = 60_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -30f + 60f * i / (n - 1);
        float[] y = run(activation, variant, x, 1, n)[0];
        double bound = activation == Activation.GELU ? GELU_BOUND : SIGMOID_TANH_BOUND;
        String name = activation.name().toLowerCase();
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double exact = Reference.activate(name, x[i]);
            // Piecewise-linear activations are exact up to float rounding of the result.
            double allowed = activation == Activation.EXPONENTIAL ? 3 * Math.ulp((float) exact) // relative, see below
                    : Math.max(bound, Math.ulp((float) exact));
            double error = Math.abs(y[i] - exact);
            worst = Math.max(worst, error / allowed);
            assertTrue(error <= allowed, activation + " on " + variant + ": at x=" + x[i] + " got " + y[i]
                    + ", exact " + exact + ", error " + error + " above " + allowed);
        }
    }

    /**
     * exp itself, through the exponential activation, on every ISA: within 3 ulp of the exact
     * value over the documented range [-87.3, 88.3] (a dense sweep, 400,001 points), +inf past
     * ln(Float.MAX_VALUE), within Float.MIN_NORMAL of the exact value below, NaN for NaN.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void expIsWithinThreeUlpOverItsWholeRange(Variant variant) {
        int n = 400_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87.3f + (88.3f + 87.3f) * i / (n - 1);
        float[] y = run(Activation.EXPONENTIAL, variant, x, 1, n)[0];
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double exact = Math.exp(x[i]), ulps = Math.abs(y[i] - exact) / Math.ulp((float) exact);
            worst = Math.max(worst, ulps);
            assertTrue(ulps <= 3, variant + ": exp(" + x[i] + ") = " + y[i] + ", exact " + exact + ": " + ulps + " ulp");
        }
        float[] edges = {88.5f, 88.72f, 88.73f, 100f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, -87.5f, -100f, -1e30f,
                Float.NEGATIVE_INFINITY, Float.NaN};
        float[] e = run(Activation.EXPONENTIAL, variant, edges, 1, edges.length)[0];
        for (int i = 0; i < edges.length; i++) {
            double exact = Math.exp(edges[i]);
            String at = variant + ": exp(" + edges[i] + ") = " + e[i];
            if (Double.isNaN(exact)) assertTrue(Float.isNaN(e[i]), at);
            else if (exact > Float.MAX_VALUE) assertEquals(Float.POSITIVE_INFINITY, e[i], at);
            else if (exact < Float.MIN_NORMAL) assertTrue(e[i] >= 0 && Math.abs(e[i] - exact) <= Float.MIN_NORMAL, at);
            else assertTrue(Math.abs(e[i] - exact) <= 3 * Math.ulp((float) exact), at + ", exact " + exact);
        }
        System.out.printf("exp on %s: worst error %.2f ulp over [-87.3, 88.3]%n", variant, worst);
    }

    static Stream<Arguments> binaryOps() {
        return Arrays.stream(BinaryOp.values()).flatMap(op -> Variant.all().stream().map(v -> Arguments.of(op, v)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("binaryOps")
    void binaryOpsMatchReference(BinaryOp op, Variant variant) {
        Random random = new Random(7);
        int n = 1003;
        float[] a = Checks.random(random, n), b = Checks.random(random, n);
        double[] expected = new double[n], scale = new double[n];
        for (int i = 0; i < n; i++) {
            double x = a[i], y = b[i];
            expected[i] = switch (op) {
                case ADD -> x + y;
                case MUL -> x * y;
                case AVERAGE -> (x + y) / 2;
            };
            scale[i] = Math.abs(expected[i]);
        }
        Backend backend = variant.activate();
        String context = op + " on " + variant;
        try (Tensor ta = backend.allocate(n).copyFrom(a); Tensor tb = backend.allocate(n).copyFrom(b);
             Tensor out = backend.allocate(n)) {
            backend.binary(op, ta, tb, out, 2);
            Checks.assertRanKernelOf(variant, context);
            Checks.assertMatches(context, out.toArray(), new Reference.Result(expected, scale));
            Checks.assertNotMostlyZeros(context, out.toArray(), 0.9);
        }
    }

    private static Reference.Result elementWise(String name, float[] x) {
        double[] y = new double[x.length], scale = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Reference.activate(name, x[i]);
            // the size of what was rounded: the input for most, the result for exp (which grows faster than its input)
            scale[i] = Math.max(Math.abs(x[i]), name.equals("exponential") ? Math.abs(y[i]) : 0);
        }
        return new Reference.Result(y, scale);
    }

    private static float[][] run(Activation activation, Variant variant, float[] x, int rows, int cols) {
        float[][] outputs = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Backend backend = variant.activate();
            try (Sequential model = new Sequential(cols).add(new ActivationLayer(activation)).backend(backend).threads(threads);
                 Tensor input = backend.allocate(rows, cols).copyFrom(x); Tensor output = model.predict(input)) {
                Checks.assertRanKernelOf(variant, activation + " on " + variant);
                outputs[threads - 1] = output.toArray();
            }
        }
        return outputs;
    }
}

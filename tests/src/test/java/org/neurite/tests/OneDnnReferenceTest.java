package org.neurite.tests;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Dense;
import org.neurite.testkit.ConvCase;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.PoolCase;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;
import org.neurite.testkit.Weights;

/**
 * oneDNN as a second, independent reference for convolution, pooling and dense on every
 * shape of tests/shapes: Neurite's best native kernels must agree with it within twice the
 * rounding each is allowed against the exact result.
 */
class OneDnnReferenceTest {
    static Stream<Problem> conv() {
        return Problem.load("conv").stream();
    }

    static Stream<Problem> pool() {
        return Problem.load("pool").stream();
    }

    static Stream<Problem> dense() {
        return Problem.load("dense").stream().filter(p -> !p.text("act", "").equals("softmax"));
    }

    private static Backend nativeBest() {
        return Variant.bestNative().activate();
    }

    /** Agreement within twice the per-output allowance, the scale taken from the exact reference. */
    private static void assertAgree(String context, float[] ours, float[] theirs, double[] scale) {
        double[] doubled = new double[scale.length];
        for (int i = 0; i < scale.length; i++) doubled[i] = 2 * scale[i] + Checks.ABSOLUTE / Checks.RELATIVE;
        Checks.assertMatches(context + " vs oneDNN", ours, new Reference.Result(Reference.toDouble(theirs), doubled));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conv")
    void convolutionAgreesWithOneDnn(Problem p) {
        ConvCase s = ConvCase.of(p);
        Random random = new Random(p.name().hashCode() + 1);
        float[] x = Checks.random(random, s.inputSize());
        float[] kernel = Checks.random(random, s.kernelSize()), bias = Checks.random(random, s.outC());
        float[] ours = runLayer(s, x, kernel, bias);
        float[] theirs;
        try (OneDnn.Op op = s.oneDnn()) {
            op.set(OneDnn.SRC, x).set(OneDnn.WEIGHTS, kernel).set(OneDnn.BIAS, bias).execute();
            theirs = op.get(OneDnn.DST);
        }
        assertAgree(p.toString(), ours, theirs, s.reference(x, kernel, bias).scale());
        Checks.assertNotMostlyZeros(p.toString(), theirs, Checks.nonZeroShareFor(s.activation()));
    }

    private static float[] runLayer(ConvCase s, float[] x, float[] kernel, float[] bias) {
        Backend backend = nativeBest();
        var layer = s.layer();
        try (Sequential model = new Sequential(s.inputShape()).add(layer).backend(backend).threads(2).build()) {
            layer.setWeights(Weights.shaped(layer, kernel, bias));
            try (Tensor input = backend.allocate(s.batchInputShape()).copyFrom(x);
                 Tensor out = model.predict(input)) {
                return out.toArray();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pool")
    void poolingAgreesWithOneDnn(Problem p) {
        PoolCase s = PoolCase.of(p);
        float[] x = Checks.random(new Random(p.name().hashCode() + 1), s.inputSize());
        float[] ours;
        Backend backend = nativeBest();
        try (Sequential model = new Sequential(s.inputShape()).add(s.layer()).backend(backend).threads(2);
             Tensor input = backend.allocate(s.batchInputShape()).copyFrom(x);
             Tensor out = model.predict(input)) {
            ours = out.toArray();
        }
        float[] theirs;
        try (OneDnn.Op op = s.oneDnn()) {
            op.set(OneDnn.SRC, x).execute();
            theirs = op.get(OneDnn.DST);
        }
        assertAgree(p.toString(), ours, theirs, s.reference(x).scale());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dense")
    void denseAgreesWithOneDnn(Problem p) {
        int batch = p.integer("mb", 1), in = p.integer("in", 0), out = p.integer("out", 0);
        String activation = p.text("act", "linear");
        Random random = new Random(p.name().hashCode() + 1);
        float[] x = Checks.random(random, batch * in), kernel = Checks.random(random, in * out), bias = Checks.random(random, out);
        Backend backend = nativeBest();
        Dense dense = new Dense(out, Activation.valueOf(activation.toUpperCase()));
        float[] ours;
        try (Sequential model = new Sequential(in).add(dense).backend(backend).threads(2).build()) {
            dense.setWeights(Weights.shaped(dense, kernel, bias));
            try (Tensor input = backend.allocate(batch, in).copyFrom(x); Tensor y = model.predict(input)) {
                ours = y.toArray();
            }
        }
        float[] theirs;
        try (OneDnn.Op op = OneDnn.innerProduct(batch, in, out, activation)) {
            op.set(OneDnn.SRC, x).set(OneDnn.WEIGHTS, kernel).set(OneDnn.BIAS, bias).execute();
            theirs = op.get(OneDnn.DST);
        }
        assertAgree(p.toString(), ours, theirs,
                Reference.dense(batch, in, out, activation, Reference.toDouble(x), kernel, bias).scale());
    }
}

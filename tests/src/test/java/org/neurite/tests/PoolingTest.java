package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.neurite.backend.NativeBackend;
import org.neurite.layers.ActivationLayer;
import org.neurite.layers.Embedding;
import org.neurite.layers.GlobalAvgPool1D;
import org.neurite.testkit.PoolCase;
import org.neurite.testkit.Problem;

/** Max, average and global pooling, 1D and 2D, on every shape of tests/shapes/pool.txt and every variant. */
class PoolingTest {
    static Stream<Arguments> problems() {
        return Problem.load("pool").stream().flatMap(p -> Variant.all().stream().map(v -> Arguments.of(p, v)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("problems")
    void matchesReferenceOnEveryThreadCount(Problem p, Variant variant) {
        PoolCase c = PoolCase.of(p);
        float[] x = Checks.random(new Random(p.name().hashCode()), c.inputSize());
        String context = p + " on " + variant;
        float[][] outputs = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Backend backend = variant.activate();
            try (Sequential model = new Sequential(c.inputShape()).add(c.layer()).backend(backend).threads(threads);
                 Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x);
                 Tensor output = model.predict(input)) {
                Checks.assertRanKernelOf(variant, context);
                assertArrayEquals(c.outputShape(), output.shape(), context + ": output shape");
                outputs[threads - 1] = output.toArray();
            }
        }
        Checks.assertMatches(context, outputs[0], c.reference(x));
        Checks.assertNotMostlyZeros(context, outputs[0], 0.5);
        Checks.assertBitwiseEqual(context, outputs[0], outputs[1]);
    }

    static Stream<Arguments> maxProblems() {
        return problems().filter(a -> ((Problem) a.get()[0]).text("kind", "").equals("max"));
    }

    /**
     * Max pooling after a ReLU takes the ReLU's derivative into its own backward pass, since a
     * window's maximum is positive exactly where the derivative at its cell is 1: the input's
     * gradient is exactly the one the ReLU's own backward pass gives, and that pass is skipped.
     * Half the inputs are negative, so some windows are all zeros and block their gradient.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("maxProblems")
    void maxPoolingFoldsTheReluBeforeItExactly(Problem p, Variant variant) {
        PoolCase c = PoolCase.of(p);
        Random random = new Random(p.name().hashCode());
        float[] x = Checks.random(random, c.inputSize());
        float[] dy = Checks.random(random, Arrays.stream(c.outputShape()).reduce(1, Math::multiplyExact));
        String context = p + " on " + variant;
        Backend backend = variant.activate();
        float[] folded = reluThenPoolGradient(backend, c, x, dy, false);
        if (variant.kernelSuffix() != null) {
            assertTrue(NativeBackend.lastKernel().startsWith("pool2d_nhwc_backward"),
                    context + ": the ReLU's own backward pass ran (" + NativeBackend.lastKernel() + ")");
        }
        // Equal values; a zero's sign may differ, where the ReLU's own pass multiplies a negative gradient by 0.
        assertArrayEquals(reluThenPoolGradient(backend, c, x, dy, true), folded, 0f, context);
        Checks.assertNotMostlyZeros(context, folded, 0.5 / (c.ph() * c.pw()));
    }

    // The input's gradient through a ReLU and the problem's pooling; `apart` puts a linear
    // activation between them, which no pooling folds.
    private static float[] reluThenPoolGradient(Backend backend, PoolCase c, float[] x, float[] dy, boolean apart) {
        Sequential model = new Sequential(c.inputShape()).add(new ActivationLayer(Activation.RELU));
        if (apart) model.add(new ActivationLayer(Activation.LINEAR));
        try (Sequential built = model.add(c.layer()).backend(backend).build();
             Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x);
             Tensor gradient = backend.allocate(c.outputShape()).copyFrom(dy)) {
            built.forwardTraining(input, null);
            return built.backward(gradient).toArray();
        }
    }

    /** Keras' GlobalAveragePooling1D given a mask: the mean of the valid steps; NaN where there is none. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void globalAveragePooling1DAveragesTheValidStepsAlone(Variant variant) {
        Backend backend = variant.activate();
        float[] ids = {5, 2, 0, 0, 0, 3, 0, 7, 0, 0, 0, 0};
        try (Sequential model = new Sequential(4).add(new Embedding(8, 3).maskZero(true)).add(new GlobalAvgPool1D())
                .backend(backend).seed(4).build();
             Tensor x = backend.allocate(3, 4).copyFrom(ids); Tensor y = model.predict(x)) {
            float[] table = model.getWeights().get(0).toArray(), out = y.toArray();
            int[][] valid = {{5, 2}, {3, 7}, {}};
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 3; c++) {
                    float sum = 0f;
                    for (int id : valid[b]) sum += table[id * 3 + c];
                    float expected = sum / valid[b].length; // 0 / 0 = NaN for the sequence of padding alone
                    assertEquals(expected, out[b * 3 + c], 1e-7f, "sequence " + b + ", channel " + c + " on " + variant);
                }
            }
        }
    }
}

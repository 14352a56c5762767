package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Dense;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;
import org.neurite.testkit.Weights;

/** Dense (with fused activation, and softmax after it) on every shape of tests/shapes/dense.txt and every variant. */
class DenseTest {
    static Stream<Arguments> problems() {
        return Problem.load("dense").stream().flatMap(p -> Variant.all().stream().map(v -> Arguments.of(p, v)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("problems")
    void matchesReferenceOnEveryThreadCount(Problem p, Variant variant) {
        int batch = p.integer("mb", 1), in = p.integer("in", 0), out = p.integer("out", 0);
        String activation = p.text("act", "linear");
        Random random = new Random(p.name().hashCode());
        float[] x = Checks.random(random, batch * in), kernel = Checks.random(random, in * out), bias = Checks.random(random, out);
        String context = p + " on " + variant;
        float[][] outputs = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Backend backend = variant.activate();
            Dense dense = new Dense(out, Activation.valueOf(activation.toUpperCase()));
            try (Sequential model = new Sequential(in).add(dense).backend(backend).threads(threads).build()) {
                dense.setWeights(Weights.shaped(dense, kernel, bias));
                try (Tensor input = backend.allocate(batch, in).copyFrom(x); Tensor output = model.predict(input)) {
                    Checks.assertRanKernelOf(variant, context);
                    assertArrayEquals(new int[] {batch, out}, output.shape(), context + ": output shape");
                    outputs[threads - 1] = output.toArray();
                }
            }
        }
        Checks.assertMatches(context, outputs[0], Reference.dense(batch, in, out, activation, Reference.toDouble(x), kernel, bias));
        Checks.assertNotMostlyZeros(context, outputs[0], Checks.nonZeroShareFor(activation));
        Checks.assertBitwiseEqual(context, outputs[0], outputs[1]);
    }
}

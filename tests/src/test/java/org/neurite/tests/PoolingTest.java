package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
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
}

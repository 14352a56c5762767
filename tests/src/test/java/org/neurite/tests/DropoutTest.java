package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Dropout;

/** Dropout: identity in predict; in training, seeded masks the same on every backend, with Keras' scaling. */
class DropoutTest {
    private static final int SIZE = 20000;

    /** The masks of two training steps: the outputs for an input of ones. */
    private static float[][] masks(Variant variant, int threads, long seed) {
        Backend backend = variant.activate();
        try (Sequential model = new Sequential(SIZE).add(new Dropout(0.3f)).backend(backend).threads(threads).seed(seed)
                .build();
             Tensor ones = backend.allocate(1, SIZE)) {
            float[] one = new float[SIZE];
            Arrays.fill(one, 1f);
            ones.copyFrom(one);
            float[] first = model.forwardTraining(ones, null).toArray();
            float[] second = model.forwardTraining(ones, null).toArray();
            return new float[][] {first, second};
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void trainingDropsAtTheRateAndScalesTheRestAsKeras(Variant variant) {
        float[][] steps = masks(variant, 2, 5);
        float scale = 1f / (1f - 0.3f);
        for (float[] mask : steps) {
            int dropped = 0;
            for (float m : mask) {
                assertTrue(m == 0f || m == scale, "entries are 0 or 1 / (1 - rate), got " + m);
                if (m == 0f) dropped++;
            }
            // 20000 draws at p = 0.3: the standard deviation of the share is 0.0032
            assertEquals(0.3, dropped / (double) SIZE, 0.02, variant + ": share dropped");
        }
        assertFalse(Arrays.equals(steps[0], steps[1]), variant + ": each step draws a new mask");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void masksDependOnTheSeedAloneNotTheBackendOrThreads(Variant variant) {
        float[][] java = masks(Variant.JAVA, 1, 5), here = masks(variant, 2, 5), otherSeed = masks(variant, 2, 6);
        assertArrayEquals(java[0], here[0], variant + ": first step");
        assertArrayEquals(java[1], here[1], variant + ": second step");
        assertFalse(Arrays.equals(here[0], otherSeed[0]), variant + ": another seed, another mask");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void predictPassesTheInputAndBackwardMasksTheGradient(Variant variant) {
        Backend backend = variant.activate();
        float[] x = Checks.random(new java.util.Random(3), 12), dy = Checks.random(new java.util.Random(4), 12);
        try (Sequential model = new Sequential(3, 4).add(new Dropout(0.5f)).backend(backend).build();
             Tensor input = backend.allocate(1, 3, 4).copyFrom(x); Tensor gradient = backend.allocate(1, 3, 4).copyFrom(dy);
             Tensor predicted = model.predict(input)) {
            assertArrayEquals(x, predicted.toArray(), variant + ": predict is the identity");
            float[] y = model.forwardTraining(input, null).toArray();
            float[] dx = model.backward(gradient).toArray();
            for (int i = 0; i < x.length; i++) {
                float kept = y[i] == 0f ? 0f : 2f; // the mask, from the output of this step
                assertEquals(dy[i] * kept, dx[i], 1e-6f, variant + ": gradient at " + i);
                assertEquals(x[i] * kept, y[i], 1e-6f, variant + ": output at " + i);
            }
        }
    }

    @Test
    void refusesRatesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1f));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(Float.NaN));
    }
}

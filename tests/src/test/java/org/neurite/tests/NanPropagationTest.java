package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.neurite.layers.ActivationLayer;
import org.neurite.layers.AvgPool2D;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.Flatten;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;
import org.neurite.layers.MaxPool2D;
import org.neurite.layers.SimpleRNN;

/**
 * IEEE semantics on every backend and ISA: a NaN input makes NaN of exactly the outputs that
 * depend on it, never a finite number (x86's max and min return their second operand when
 * one is NaN, which once turned NaN into 0 or 0.1 in relu, pooling, exp and everything built on them).
 */
class NanPropagationTest {
    static Stream<Arguments> activations() {
        return Arrays.stream(Activation.values())
                .flatMap(a -> Variant.all().stream().map(v -> Arguments.of(a, v)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("activations")
    void activationsKeepNaN(Activation activation, Variant variant) {
        Backend backend = variant.activate();
        // 3 rows of 37: a NaN in the middle row; vector bodies and tails both see it.
        float[] x = Checks.random(new Random(1), 3 * 37);
        x[37 + 20] = Float.NaN;
        x[2 * 37 + 36] = Float.NaN;
        float[] y = run(backend, new Sequential(37).add(new ActivationLayer(activation, 0.1f)), x, 3, 37);
        for (int i = 0; i < y.length; i++) {
            boolean dependsOnNaN = activation == Activation.SOFTMAX ? i / 37 >= 1 : Float.isNaN(x[i]);
            assertTrue(dependsOnNaN == Float.isNaN(y[i]), activation + " on " + variant + ": output " + i + " is " + y[i]);
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void poolingKeepsNaN(Variant variant) {
        Backend backend = variant.activate();
        // 4x4 pixels of 40 channels, 2x2 windows: NaN at pixel (1, 1) channel 3 and pixel (2, 3) channel 39.
        float[] x = Checks.random(new Random(2), 16 * 40);
        x[(1 * 4 + 1) * 40 + 3] = Float.NaN;
        x[(2 * 4 + 3) * 40 + 39] = Float.NaN;
        for (boolean max : new boolean[] {true, false}) {
            Sequential model = new Sequential(4, 4, 40).add(max ? new MaxPool2D(2) : new AvgPool2D(2));
            float[] y = run(backend, model, x, 1, 4, 4, 40);
            for (int i = 0; i < y.length; i++) {
                int pixel = i / 40, channel = i % 40;
                boolean dependsOnNaN = pixel == 0 && channel == 3 || pixel == 3 && channel == 39;
                assertTrue(dependsOnNaN == Float.isNaN(y[i]),
                        (max ? "max" : "average") + " pooling on " + variant + ": output " + i + " is " + y[i]);
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void recurrentLayersKeepNaN(Variant variant) {
        Backend backend = variant.activate();
        // Two sequences of 6 steps; the second has a NaN at step 2: its state is NaN from there on.
        float[] x = Checks.random(new Random(3), 2 * 6 * 5);
        x[(6 + 2) * 5 + 1] = Float.NaN;
        for (Sequential model : new Sequential[] {new Sequential(6, 5).add(new LSTM(20)),
                new Sequential(6, 5).add(new GRU(20)), new Sequential(6, 5).add(new SimpleRNN(20))}) {
            float[] y = run(backend, model, x, 2, 6, 5);
            for (int i = 0; i < y.length; i++) {
                assertTrue((i >= 20) == Float.isNaN(y[i]), model.layers().get(0).name() + " on " + variant + ": output "
                        + i + " is " + y[i]);
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void seedCnnKeepsNaN(Variant variant) {
        Backend backend = variant.activate();
        float[] images = new float[2 * 28 * 28];
        Random random = new Random(4);
        for (int i = 0; i < images.length; i++) images[i] = random.nextFloat();
        images[28 * 28 + 14 * 28 + 14] = Float.NaN; // the second image's centre
        Sequential seedCnn = new Sequential(28, 28, 1).add(new Conv2D(32, 3, Activation.RELU)).add(new MaxPool2D(2))
                .add(new Conv2D(64, 3, Activation.RELU)).add(new MaxPool2D(2)).add(new Conv2D(64, 3, Activation.RELU))
                .add(new Flatten()).add(new Dense(64, Activation.RELU)).add(new Dense(10, Activation.SOFTMAX));
        float[] y = run(backend, seedCnn, images, 2, 28, 28, 1);
        for (int i = 0; i < y.length; i++) {
            assertTrue((i >= 10) == Float.isNaN(y[i]), "seed CNN on " + variant + ": output " + i + " is " + y[i]);
        }
        assertFalse(Float.isNaN(y[0]), "the first image has no NaN");
    }

    private static float[] run(Backend backend, Sequential model, float[] x, int... shape) {
        try (Sequential m = model.backend(backend).build(); Tensor input = backend.allocate(shape).copyFrom(x);
             Tensor output = m.predict(input)) {
            return output.toArray();
        }
    }
}

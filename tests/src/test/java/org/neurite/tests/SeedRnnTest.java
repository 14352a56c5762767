package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Dense;
import org.neurite.layers.Embedding;
import org.neurite.layers.LSTM;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;
import org.neurite.testkit.RnnCase;

/** The seed RNN, built with the layer API, end to end against the reference chained in double precision. */
class SeedRnnTest {
    /** Embedding(10000, 64, mask_zero) on 100 steps, LSTM(64), Dense(64, relu), Dense(10, softmax). */
    static Sequential seedRnn() {
        return new Sequential(100)
                .add(new Embedding(10000, 64).maskZero(true))
                .add(new LSTM(64))
                .add(new Dense(64, Activation.RELU))
                .add(new Dense(10, Activation.SOFTMAX));
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void matchesReferenceEndToEnd(Variant variant) {
        Backend backend = variant.activate();
        int batch = 3, steps = 100;
        int[] lengths = {100, 37, 64};
        Random random = new Random(77);
        float[] ids = new float[batch * steps];
        for (int b = 0; b < batch; b++) for (int t = 0; t < lengths[b]; t++) ids[b * steps + t] = 1 + random.nextInt(9999);
        try (Sequential model = seedRnn().backend(backend).threads(2).seed(11).build();
             Tensor x = backend.allocate(batch, steps).copyFrom(ids); Tensor y = model.predict(x)) {
            List<float[]> w = model.layers().stream().flatMap(l -> l.getWeights().stream()).map(Tensor::toArray).toList();
            float[] table = w.get(0);
            float[] embedded = new float[batch * steps * 64], mask = new float[batch * steps];
            for (int i = 0; i < ids.length; i++) {
                System.arraycopy(table, (int) ids[i] * 64, embedded, i * 64, 64);
                mask[i] = ids[i] != 0 ? 1 : 0;
            }
            RnnCase lstm = RnnCase.of(new Problem("seed_lstm", java.util.Map.of("cell", "lstm", "mb", "" + batch,
                    "steps", "" + steps, "in", "64", "units", "64")));
            double[] h = lstm.reference(embedded, mask, w.get(1), w.get(2), w.get(3), null, null).output();
            double[] hidden = Reference.dense(batch, 64, 64, "relu", h, w.get(4), w.get(5)).values();
            double[] expected = Reference.dense(batch, 64, 10, "softmax", hidden, w.get(6), w.get(7)).values();
            double[] scale = new double[expected.length];
            Arrays.fill(scale, 1.0); // probabilities
            Checks.assertMatches("seed RNN on " + variant, y.toArray(), new Reference.Result(expected, scale));
            Checks.assertNotMostlyZeros("seed RNN on " + variant, y.toArray(), 0.9);
        }
    }

    /** Per-layer outputs: the folded predict's last output, and each layer's own forward on the one before. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("org.neurite.tests.Variant#all")
    void outputsOfGivesEveryLayersOutput(Variant variant) {
        Backend backend = variant.activate();
        int batch = 3, steps = 100;
        float[] ids = new float[batch * steps];
        Random random = new Random(5);
        for (int i = 0; i < ids.length; i++) ids[i] = i % steps < 60 ? 1 + random.nextInt(9999) : 0;
        try (Sequential model = seedRnn().backend(backend).threads(2).seed(3).build();
             Tensor x = backend.allocate(batch, steps).copyFrom(ids); Tensor y = model.predict(x)) {
            List<Tensor> outputs = model.outputsOf(x, null);
            try {
                assertEquals(4, outputs.size());
                assertArrayEquals(new int[] {batch, steps, 64}, outputs.get(0).shape());
                assertArrayEquals(new int[] {batch, 64}, outputs.get(1).shape());
                Checks.assertCloseToScale(variant + ": last output, unfolded vs folded predict", y.toArray(), outputs.get(3).toArray());
                try (Tensor dense = model.layers().get(3).newOutput(batch)) {
                    model.layers().get(3).forward(outputs.get(2), dense, 1);
                    Checks.assertBitwiseEqual(variant + ": the last layer on the third's output", dense.toArray(), outputs.get(3).toArray());
                }
            } finally {
                for (Tensor t : outputs) t.close();
            }
        }
    }
}

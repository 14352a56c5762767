package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.DepthwiseConv2D;
import org.neurite.layers.Flatten;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;

/** A freshly built layer holds Keras' initial weights: Glorot-uniform kernels, orthogonal recurrent kernels, zero biases, LSTM forget biases of 1; seeded. */
class InitializationTest {
    private static Sequential model(Backend backend, long seed) {
        return new Sequential(6, 6, 3).add(new Conv2D(16, 3)).add(new Flatten()).add(new Dense(40))
                .backend(backend).seed(seed).build();
    }

    @Test
    void kernelsAreGlorotUniformAndBiasesZero() {
        Backend backend = Variant.bestNative().activate();
        try (Sequential m = model(backend, 1)) {
            // conv: fan_in 3*3*3 = 27, fan_out 3*3*16 = 144; dense: 4*4*16 = 256 in, 40 out
            double[] limits = {Math.sqrt(6.0 / (27 + 144)), Math.sqrt(6.0 / (256 + 40))};
            List<float[]> w = m.getWeights().stream().map(Tensor::toArray).toList();
            for (int layer = 0; layer < 2; layer++) {
                float[] kernel = w.get(2 * layer), bias = w.get(2 * layer + 1);
                double max = 0, sumSquares = 0;
                for (float v : kernel) {
                    max = Math.max(max, Math.abs(v));
                    sumSquares += v * v;
                }
                assertTrue(max <= limits[layer], "within the Glorot limit " + limits[layer] + ": " + max);
                assertTrue(max > 0.95 * limits[layer], "reaches near the limit: " + max);
                double variance = sumSquares / kernel.length, expected = limits[layer] * limits[layer] / 3; // uniform(-a, a)
                assertEquals(expected, variance, 0.15 * expected, "variance of a uniform(-limit, limit)");
                for (float b : bias) assertEquals(0f, b, "zero bias");
            }
        }
    }

    @Test
    void aDepthwiseKernelTakesKerasFansWhateverItsMultiplier() {
        Backend backend = Variant.bestNative().activate();
        try (Sequential m = new Sequential(6, 6, 16).add(new DepthwiseConv2D(3, 4)).backend(backend).seed(2).build()) {
            // Keras' kernel [3, 3, 16, 4]: fan_in 3*3*16 = 144, fan_out 3*3*4 = 36
            double limit = Math.sqrt(6.0 / (144 + 36)), max = 0;
            for (float v : m.getWeights().get(0).toArray()) max = Math.max(max, Math.abs(v));
            assertTrue(max <= limit && max > 0.95 * limit, "the largest of 576 draws, " + max + ", lies just under " + limit);
        }
    }

    @Test
    void recurrentKernelsAreOrthogonalAndTheLstmForgetBiasIsOne() {
        Backend backend = Variant.bestNative().activate();
        int units = 8;
        try (Sequential lstm = new Sequential(5, 3).add(new LSTM(units)).backend(backend).seed(2).build();
             Sequential gru = new Sequential(5, 3).add(new GRU(units)).backend(backend).seed(2).build()) {
            for (Sequential m : List.of(lstm, gru)) {
                float[] recurrent = m.getWeights().get(1).toArray(); // [units, gates * units]
                int columns = recurrent.length / units;
                for (int i = 0; i < units; i++) {
                    for (int j = 0; j < units; j++) {
                        double dot = 0;
                        for (int c = 0; c < columns; c++) dot += (double) recurrent[i * columns + c] * recurrent[j * columns + c];
                        assertEquals(i == j ? 1 : 0, dot, 1e-5, "rows " + i + " and " + j + " are orthonormal");
                    }
                }
            }
            float[] bias = lstm.getWeights().get(2).toArray(); // i, f, c, o blocks
            for (int g = 0; g < 4; g++) {
                for (int u = 0; u < units; u++) assertEquals(g == 1 ? 1f : 0f, bias[g * units + u], "gate " + g + " unit " + u);
            }
            for (float b : gru.getWeights().get(2).toArray()) assertEquals(0f, b, "GRU biases start at zero");
        }
    }

    @Test
    void theSeedDecidesTheWeightsOnEveryBackend() {
        Backend nativeBackend = Variant.bestNative().activate();
        try (Sequential a = model(nativeBackend, 7); Sequential b = model(Variant.JAVA.activate(), 7);
             Sequential c = model(nativeBackend, 8)) {
            for (int i = 0; i < 4; i++) Checks.assertBitwiseEqual("weight " + i + ", same seed", a.getWeights().get(i).toArray(), b.getWeights().get(i).toArray());
            assertTrue(a.getWeights().get(0).get(0) != c.getWeights().get(0).get(0), "another seed, other weights");
        }
    }
}

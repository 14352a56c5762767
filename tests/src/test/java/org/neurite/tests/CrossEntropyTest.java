package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Parameter;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.ActivationLayer;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.Flatten;
import org.neurite.train.Loss;

/** Softmax fused with sparse categorical cross-entropy: Keras' loss, and the gradients of the unfused path. */
class CrossEntropyTest {
    private static final int BATCH = 6, CLASSES = 5;

    private static Sequential model(Backend backend) {
        return new Sequential(6, 6, 2).add(new Conv2D(3, 3, Activation.TANH)).add(new Flatten())
                .add(new Dense(CLASSES, Activation.SOFTMAX)).backend(backend).seed(3).build();
    }

    private static float[] input() {
        return Checks.random(new Random(5), BATCH * 6 * 6 * 2);
    }

    private static float[] labels() {
        Random random = new Random(6);
        float[] labels = new float[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = random.nextInt(CLASSES);
        return labels;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void fusedGradientsEqualThoseThroughTheSoftmaxAndTheLossIsKeras(Variant variant) {
        Backend backend = variant.activate();
        float[] x = input(), labels = labels();
        List<float[]> fused = new ArrayList<>(), unfused = new ArrayList<>();
        float loss;
        double expectedLoss = 0;
        try (Sequential model = model(backend); Tensor in = backend.allocate(BATCH, 6, 6, 2).copyFrom(x);
             Tensor ids = backend.allocate(BATCH).copyFrom(labels)) {
            float[] p = model.forwardTraining(in, null).toArray();
            loss = model.backward(Loss.sparseCategoricalCrossentropy(), ids, null);
            for (Parameter parameter : model.parameters()) fused.add(parameter.gradient().toArray());
            // the same loss's gradient at the probabilities, -1 / (p[label] rows) at the label, through the softmax
            float[] dp = new float[p.length];
            for (int r = 0; r < BATCH; r++) {
                int label = (int) labels[r];
                dp[r * CLASSES + label] = -1f / (p[r * CLASSES + label] * BATCH);
                expectedLoss -= Math.log(p[r * CLASSES + label]) / BATCH;
            }
            model.forwardTraining(in, null);
            try (Tensor gradient = backend.allocate(BATCH, CLASSES).copyFrom(dp)) {
                model.backward(gradient, false);
            }
            for (Parameter parameter : model.parameters()) unfused.add(parameter.gradient().toArray());
        }
        assertEquals(expectedLoss, loss, 1e-6 * Math.abs(expectedLoss), variant + ": mean loss");
        for (int i = 0; i < fused.size(); i++) {
            Checks.assertNotMostlyZeros(variant + ": gradient " + i, fused.get(i), 0.5);
            Checks.assertCloseToScale(variant + ": parameter " + i + " gradient, fused and unfused", unfused.get(i), fused.get(i));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void theLogitsGradientIsProbabilitiesLessOneHotOverRows(Variant variant) {
        Backend backend = variant.activate();
        float[] logits = Checks.random(new Random(8), BATCH * CLASSES), labels = labels();
        // the softmax fused into a Dense layer, and on its own after one: the bias' gradient sums the logits' over rows
        for (boolean apart : new boolean[] {false, true}) {
            Sequential model = new Sequential(CLASSES).backend(backend);
            if (apart) model.add(new Dense(CLASSES)).add(new ActivationLayer(Activation.SOFTMAX));
            else model.add(new Dense(CLASSES, Activation.SOFTMAX));
            try (model; Tensor in = backend.allocate(BATCH, CLASSES).copyFrom(logits);
                 Tensor ids = backend.allocate(BATCH).copyFrom(labels)) {
                float[] p = model.forwardTraining(in, null).toArray();
                model.backward(Loss.sparseCategoricalCrossentropy(), ids, null);
                float[] dBias = model.parameters().get(1).gradient().toArray();
                for (int c = 0; c < CLASSES; c++) {
                    double expected = 0;
                    for (int r = 0; r < BATCH; r++) expected += (p[r * CLASSES + c] - (labels[r] == c ? 1 : 0)) / (double) BATCH;
                    assertEquals(expected, dBias[c], 1e-6, variant + (apart ? ", softmax apart" : ", softmax fused")
                            + ": class " + c);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void badLabelsAndModelsAreRefusedClearly(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = model(backend); Tensor in = backend.allocate(BATCH, 6, 6, 2).copyFrom(input());
             Tensor outOfRange = backend.allocate(BATCH).copyFrom(new float[] {0, 1, 2, 5, 1, 0});
             Tensor tooFew = backend.allocate(BATCH - 1)) {
            assertThrows(IllegalStateException.class, () -> model.backward(Loss.sparseCategoricalCrossentropy(), outOfRange, null));
            model.forwardTraining(in, null);
            var e = assertThrows(IllegalArgumentException.class, () -> model.backward(Loss.sparseCategoricalCrossentropy(), outOfRange, null));
            assertTrue(e.getMessage().contains("label 5") && e.getMessage().contains("row 3"), e.getMessage());
            var count = assertThrows(IllegalArgumentException.class, () -> model.backward(Loss.sparseCategoricalCrossentropy(), tooFew, null));
            assertTrue(count.getMessage().contains("expects 6 class ids"), count.getMessage());
        }
    }
}

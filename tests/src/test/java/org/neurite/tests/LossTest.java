package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.LossKind;
import org.neurite.train.Loss;

/**
 * The losses' fused gradients (at a final softmax's or sigmoid's input) against the chain rule
 * through the activation's own backward pass, and Keras' clipping of probabilities; the plain
 * forms are checked against PyTorch in TrainingGoldenTest.
 */
class LossTest {
    private static final int ROWS = 7, COLS = 5;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void fusedGradientsEqualTheChainRuleThroughTheActivation(Variant variant) {
        Backend backend = variant.activate();
        Random random = new Random(3);
        float[] logits = Checks.random(random, ROWS * COLS), weights = new float[ROWS], labels = new float[ROWS];
        float[] soft = new float[ROWS * COLS], bits = new float[ROWS * COLS];
        for (int r = 0; r < ROWS; r++) {
            weights[r] = 0.5f + random.nextFloat();
            labels[r] = random.nextInt(COLS);
            double sum = 0;
            for (int c = 0; c < COLS; c++) sum += soft[r * COLS + c] = random.nextFloat();
            for (int c = 0; c < COLS; c++) soft[r * COLS + c] /= sum;
        }
        for (int i = 0; i < bits.length; i++) bits[i] = random.nextBoolean() ? 1 : 0;
        Object[][] cases = {
                {LossKind.SPARSE_CATEGORICAL_CROSSENTROPY, labels, Activation.SOFTMAX},
                {LossKind.CATEGORICAL_CROSSENTROPY, soft, Activation.SOFTMAX},
                {LossKind.BINARY_CROSSENTROPY, bits, Activation.SIGMOID}};
        for (Object[] c : cases) {
            LossKind kind = (LossKind) c[0];
            float[] target = (float[]) c[1];
            Activation activation = (Activation) c[2];
            String context = kind + " on " + variant;
            try (Tensor z = backend.allocate(ROWS, COLS).copyFrom(logits); Tensor p = backend.allocate(ROWS, COLS);
                 Tensor t = backend.allocate(kind == LossKind.SPARSE_CATEGORICAL_CROSSENTROPY ? new int[] {ROWS}
                         : new int[] {ROWS, COLS}).copyFrom(target);
                 Tensor w = backend.allocate(ROWS).copyFrom(weights); Tensor dp = backend.allocate(ROWS, COLS);
                 Tensor chain = backend.allocate(ROWS, COLS); Tensor fused = backend.allocate(ROWS, COLS);
                 Tensor fromLogits = backend.allocate(ROWS, COLS)) {
                if (activation == Activation.SOFTMAX) backend.softmax(z, p, 1);
                else backend.activation(Activation.SIGMOID, 0, z, p, 1);
                float plain = backend.loss(kind, LossKind.Input.OUTPUT, p, t, w, dp, 2);
                if (activation == Activation.SOFTMAX) backend.softmaxBackward(p, dp, chain, 2);
                else backend.activationBackward(Activation.SIGMOID, 0, z, p, dp, chain, 2);
                float fusedLoss = backend.loss(kind, LossKind.Input.ACTIVATED, p, t, w, fused, 2);
                float logitLoss = backend.loss(kind, LossKind.Input.LOGITS, z, t, w, fromLogits, 2);
                assertEquals(plain, fusedLoss, 0f, context + ": the fused form has the same loss");
                assertEquals(plain, logitLoss, 1e-5 * plain, context + ": from logits, the same loss");
                Checks.assertNotMostlyZeros(context, fused.toArray(), 0.5);
                Checks.assertCloseToScale(context + ": fused vs chain rule", chain.toArray(), fused.toArray());
                Checks.assertCloseToScale(context + ": fused vs from logits", fromLogits.toArray(), fused.toArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void probabilitiesAreClippedAsKerasDoesAndFusedGradientsStayFinite(Variant variant) {
        Backend backend = variant.activate();
        try (Tensor p = backend.allocate(1, 2).copyFrom(new float[] {1, 0}); Tensor label = backend.allocate(1).copyFrom(new float[] {1});
             Tensor bit = backend.allocate(1, 2).copyFrom(new float[] {0, 1}); Tensor d = backend.allocate(1, 2)) {
            double clipped = -Math.log(1e-7);
            float sparse = backend.loss(LossKind.SPARSE_CATEGORICAL_CROSSENTROPY, LossKind.Input.ACTIVATED, p, label, null, d, 1);
            assertEquals(clipped, sparse, 1e-5, variant + ": -log(1e-7) for a probability of 0");
            assertEquals(1f, d.get(0), 0f, variant + ": p - one_hot");
            assertEquals(-1f, d.get(1), 0f, variant + ": p - one_hot");
            float binary = backend.loss(LossKind.BINARY_CROSSENTROPY, LossKind.Input.OUTPUT, p, bit, null, d, 1);
            // Keras clips in float32, where 1 - 1e-7 rounds to 1 - 2^-23: the second column costs -log(2^-23)
            double upper = -Math.log(1.0 - (1f - 1e-7f));
            assertEquals((clipped + upper) / 2, binary, 1e-5, variant + ": both columns wrong, each clipped, averaged");
            assertEquals(0f, d.get(0), 0f, variant + ": no gradient where Keras clips");
            Tensor bad = backend.allocate(1).copyFrom(new float[] {2});
            var e = assertThrows(IllegalArgumentException.class, () -> backend.loss(LossKind.SPARSE_CATEGORICAL_CROSSENTROPY,
                    LossKind.Input.OUTPUT, p, bad, null, d, 1));
            assertTrue(e.getMessage().contains("label 2"), e.getMessage());
            bad.close();
        }
        assertThrows(IllegalArgumentException.class, () -> Loss.meanSquaredError().fromLogits());
        assertEquals("binary_crossentropy", Loss.of("binary_crossentropy").name());
        assertEquals(LossKind.MEAN_SQUARED_ERROR, Loss.of("mse").kind());
    }
}

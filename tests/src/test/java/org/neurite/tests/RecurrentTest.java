package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.neurite.layers.Dense;
import org.neurite.layers.Bidirectional;
import org.neurite.layers.Embedding;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;
import org.neurite.layers.RecurrentLayer;
import org.neurite.layers.SimpleRNN;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;
import org.neurite.testkit.RnnCase;
import org.neurite.testkit.Weights;

/**
 * SimpleRNN, LSTM and GRU on every problem of tests/shapes/rnn.txt, on every variant and
 * thread count, against the double-precision reference of Keras' equations; with masks,
 * initial and final states; and padded batches against their samples alone.
 */
class RecurrentTest {
    static Stream<Arguments> problems() {
        return Problem.load("rnn").stream().flatMap(p -> Variant.all().stream().map(v -> Arguments.of(p, v)));
    }

    private static Reference.Result unitScale(double[] values) {
        double[] scale = new double[values.length];
        Arrays.fill(scale, 1.0); // gated states are bounded by 1: errors are judged absolutely
        return new Reference.Result(values, scale);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("problems")
    void matchesReferenceWithStatesOnEveryThreadCount(Problem p, Variant variant) {
        RnnCase c = RnnCase.of(p);
        Random random = new Random(p.name().hashCode());
        float[] x = Checks.random(random, c.batch() * c.steps() * c.in());
        float[] kernel = scaled(Checks.random(random, c.in() * c.gates() * c.units()), 1 / Math.sqrt(c.in()));
        float[] recurrent = scaled(Checks.random(random, c.units() * c.gates() * c.units()), 1 / Math.sqrt(c.units()));
        float[] bias = Checks.random(random, c.biasSize());
        float[] mask = c.maskValues(random);
        float[] h0 = Checks.random(random, c.batch() * c.units());
        float[] c0 = c.cell().equals("lstm") ? Checks.random(random, c.batch() * c.units()) : null;
        String context = p + " on " + variant;

        float[][] outputs = new float[2][], finalH = new float[2][], finalC = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Backend backend = variant.activate();
            RecurrentLayer<?> layer = c.layer();
            try (Sequential model = new Sequential(c.steps(), c.in()).add(layer).backend(backend).build();
                 Tensor input = backend.allocate(c.batch(), c.steps(), c.in()).copyFrom(x);
                 Tensor m = mask == null ? null : backend.allocate(c.batch(), c.steps()).copyFrom(mask);
                 Tensor h = backend.allocate(c.batch(), c.units()).copyFrom(h0);
                 Tensor cc = c0 == null ? null : backend.allocate(c.batch(), c.units()).copyFrom(c0)) {
                layer.setWeights(Weights.shaped(layer, kernel, recurrent, bias));
                try (RecurrentLayer.Result r = layer.forwardWithState(input, m, h, cc, threads)) {
                    Checks.assertRanKernelOf(variant, context);
                    outputs[threads - 1] = r.output().toArray();
                    finalH[threads - 1] = r.finalH().toArray();
                    finalC[threads - 1] = r.finalC() == null ? null : r.finalC().toArray();
                }
            }
        }
        RnnCase.Output expected = c.reference(x, mask, kernel, recurrent, bias, h0, c0);
        Checks.assertMatches(context + " output", outputs[0], unitScale(expected.output()));
        Checks.assertMatches(context + " final h", finalH[0], unitScale(expected.h()));
        if (c0 != null) Checks.assertMatches(context + " final c", finalC[0], unitScale(expected.c()));
        Checks.assertNotMostlyZeros(context, finalH[0], c.activation().equals("tanh") ? 0.9 : Checks.nonZeroShareFor(c.activation()));
        Checks.assertBitwiseEqual(context, outputs[0], outputs[1]);
        Checks.assertBitwiseEqual(context + " final h", finalH[0], finalH[1]);
    }

    static Stream<Arguments> bidirectionalCases() {
        return Stream.of("lstm_odd", "gru_before_mask", "simple_back_mask", "lstm_back_mask", "lstm_back_seq").flatMap(name ->
                Arrays.stream(Bidirectional.Merge.values()).flatMap(merge ->
                        Variant.all().stream().map(v -> Arguments.of(Problem.find("rnn", name), merge, v))));
    }

    /**
     * Keras' Bidirectional: a forward and a backward run of the reference, the backward one put
     * back in input order; then again from initial states, with the final states of both runs.
     */
    @ParameterizedTest(name = "{0} {1} on {2}")
    @MethodSource("bidirectionalCases")
    void bidirectionalMatchesTwoReferenceRuns(Problem p, Bidirectional.Merge merge, Variant variant) {
        RnnCase c = RnnCase.of(p).asBidirectionalHalf(false), reversed = RnnCase.of(p).asBidirectionalHalf(true);
        Random random = new Random(p.name().hashCode() + merge.ordinal());
        float[] x = Checks.random(random, c.batch() * c.steps() * c.in());
        float[][] w = new float[6][];
        for (int d = 0; d < 2; d++) {
            w[3 * d] = scaled(Checks.random(random, c.in() * c.gates() * c.units()), 1 / Math.sqrt(c.in()));
            w[3 * d + 1] = scaled(Checks.random(random, c.units() * c.gates() * c.units()), 1 / Math.sqrt(c.units()));
            w[3 * d + 2] = Checks.random(random, c.biasSize());
        }
        float[] mask = c.maskValues(random);
        boolean lstm = c.cell().equals("lstm");
        // Initial states: forward h, forward c, backward h, backward c (Keras' order); c for LSTM only.
        float[][] states = new float[4][];
        for (int s = 0; s < 4; s++) states[s] = s % 2 == 0 || lstm ? Checks.random(random, c.batch() * c.units()) : null;

        Backend backend = variant.activate();
        Bidirectional layer = new Bidirectional(c.layer(), merge);
        try (Sequential model = new Sequential(c.steps(), c.in()).add(layer).backend(backend).build();
             Tensor input = backend.allocate(c.batch(), c.steps(), c.in()).copyFrom(x);
             Tensor m = mask == null ? null : backend.allocate(c.batch(), c.steps()).copyFrom(mask)) {
            layer.setWeights(Weights.shaped(layer, w));
            String context = p + " " + merge + " on " + variant;
            RnnCase.Output f = c.reference(x, mask, w[0], w[1], w[2], null, null);
            RnnCase.Output b = reversed.reference(x, mask, w[3], w[4], w[5], null, null);
            try (Tensor out = backend.allocate(Problem.prepend(c.batch(), layer.outputShape()))) {
                layer.forward(input, m, out, 2);
                Checks.assertMatches(context, out.toArray(), unitScale(merged(c, merge, f.output(), b.output())));
                Checks.assertNotMostlyZeros(context, out.toArray(), mask == null ? 0.9 : 0.3);
            }

            f = c.reference(x, mask, w[0], w[1], w[2], states[0], states[1]);
            b = reversed.reference(x, mask, w[3], w[4], w[5], states[2], states[3]);
            Tensor[] initial = new Tensor[4];
            try {
                for (int s = 0; s < 4; s++) initial[s] = states[s] == null ? null : backend.allocate(c.batch(), c.units()).copyFrom(states[s]);
                try (Bidirectional.Result r = layer.forwardWithState(input, m, initial[0], initial[1], initial[2], initial[3], 2)) {
                    Checks.assertMatches(context + " from states", r.output().toArray(),
                            unitScale(merged(c, merge, f.output(), b.output())));
                    Checks.assertMatches(context + " forward h", r.forwardH().toArray(), unitScale(f.h()));
                    Checks.assertMatches(context + " backward h", r.backwardH().toArray(), unitScale(b.h()));
                    assertEquals(lstm, r.forwardC() != null && r.backwardC() != null, context + ": c states for LSTM only");
                    if (lstm) {
                        Checks.assertMatches(context + " forward c", r.forwardC().toArray(), unitScale(f.c()));
                        Checks.assertMatches(context + " backward c", r.backwardC().toArray(), unitScale(b.c()));
                    }
                }
            } finally {
                for (Tensor t : initial) if (t != null) t.close();
            }
        }
    }

    /** Keras' merge of a forward run's output and a backward run's, the latter put back in input order. */
    private static double[] merged(RnnCase c, Bidirectional.Merge merge, double[] f, double[] b) {
        int u = c.units(), vectors = f.length / u;
        double[] expected = new double[merge == Bidirectional.Merge.CONCAT ? 2 * f.length : f.length];
        for (int v = 0; v < vectors; v++) {
            // With sequences, the backward run's step s belongs to input step steps - 1 - s.
            int bv = c.sequences() ? (v / c.steps()) * c.steps() + (c.steps() - 1 - v % c.steps()) : v;
            for (int j = 0; j < u; j++) {
                double fv = f[v * u + j], bw = b[bv * u + j];
                switch (merge) {
                    case CONCAT -> {
                        expected[v * 2 * u + j] = fv;
                        expected[v * 2 * u + u + j] = bw;
                    }
                    case SUM -> expected[v * u + j] = fv + bw;
                    case MUL -> expected[v * u + j] = fv * bw;
                    case AVE -> expected[v * u + j] = (fv + bw) / 2;
                }
            }
        }
        return expected;
    }

    private static float[] scaled(float[] values, double factor) {
        for (int i = 0; i < values.length; i++) values[i] *= (float) factor;
        return values;
    }

    /** Keras' seed RNN front: a post-padded batch gives each sample what it gives alone, unpadded. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void paddedBatchEqualsEachSampleAlone(Variant variant) {
        Backend backend = variant.activate();
        int steps = 12, batch = 4;
        int[] lengths = {12, 5, 1, 9};
        Random random = new Random(5);
        float[] ids = new float[batch * steps];
        for (int b = 0; b < batch; b++) for (int t = 0; t < lengths[b]; t++) ids[b * steps + t] = 1 + random.nextInt(99);
        for (boolean backwards : new boolean[] {false, true}) {
            Embedding embedding = new Embedding(100, 8).maskZero(true);
            try (Sequential padded = new Sequential(steps).add(embedding).add(new LSTM(16).goBackwards(backwards))
                    .backend(backend).seed(3).build();
                 Tensor x = backend.allocate(batch, steps).copyFrom(ids); Tensor all = padded.predict(x)) {
                float[] together = all.toArray();
                for (int b = 0; b < batch; b++) {
                    try (Sequential alone = new Sequential(lengths[b]).add(new Embedding(100, 8))
                            .add(new LSTM(16).goBackwards(backwards)).backend(backend).seed(3).build()) {
                        for (int l = 0; l < 2; l++) Weights.copy(padded.layers().get(l), alone.layers().get(l));
                        float[] own = Arrays.copyOfRange(ids, b * steps, b * steps + lengths[b]);
                        try (Tensor xb = backend.allocate(1, lengths[b]).copyFrom(own); Tensor y = alone.predict(xb)) {
                            float[] expected = Arrays.copyOfRange(together, b * 16, (b + 1) * 16);
                            assertArrayEquals(expected, y.toArray(), 1e-6f,
                                    "sample " + b + " (length " + lengths[b] + ", backwards " + backwards + ") on " + variant);
                        }
                    }
                }
            }
        }
    }

    /** A leaky-ReLU SimpleRNN against its equation worked out here in double: h = leaky(x W + h U + b), slope 0.3. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void aLeakyReluSimpleRnnFollowsItsEquation(Variant variant) {
        Backend backend = variant.activate();
        int steps = 3, in = 2, units = 2;
        float[] x = {1f, -2f, 0.5f, 0.25f, -1f, 3f}, w = {0.5f, -1f, 0.25f, 0.75f}, u = {0.1f, -0.4f, 0.3f, 0.2f};
        float[] b = {-0.2f, 0.1f};
        double[] h = new double[units];
        for (int t = 0; t < steps; t++) {
            double[] next = new double[units];
            for (int j = 0; j < units; j++) {
                double v = b[j];
                for (int k = 0; k < in; k++) v += x[t * in + k] * w[k * units + j];
                for (int k = 0; k < units; k++) v += h[k] * u[k * units + j];
                next[j] = v > 0 ? v : 0.3 * v;
            }
            h = next;
        }
        SimpleRNN rnn = new SimpleRNN(units).activation(Activation.LEAKY_RELU).alpha(0.3f);
        try (Sequential model = new Sequential(steps, in).add(rnn).backend(backend).build();
             Tensor input = backend.allocate(1, steps, in).copyFrom(x)) {
            rnn.setWeights(Weights.shaped(rnn, w, u, b));
            try (Tensor y = model.predict(input)) {
                float[] out = y.toArray();
                for (int j = 0; j < units; j++) assertEquals(h[j], out[j], 1e-6, "unit " + j + " on " + variant);
            }
        }
    }

    /** Keras' Dense passes the embedding's mask on to the recurrent layer after it: padding steps are skipped. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void aDenseLayerPassesTheMaskOn(Variant variant) {
        Backend backend = variant.activate();
        int steps = 6;
        float[] ids = {7, 3, 0, 0, 0, 0};
        try (Sequential padded = new Sequential(steps).add(new Embedding(10, 4).maskZero(true)).add(new Dense(5, Activation.TANH))
                .add(new LSTM(3)).backend(backend).seed(2).build();
             Sequential alone = new Sequential(2).add(new Embedding(10, 4)).add(new Dense(5, Activation.TANH)).add(new LSTM(3))
                     .backend(backend).build();
             Tensor x = backend.allocate(1, steps).copyFrom(ids); Tensor xAlone = backend.allocate(1, 2).copyFrom(new float[] {7, 3})) {
            for (int l = 0; l < 3; l++) Weights.copy(padded.layers().get(l), alone.layers().get(l));
            try (Tensor y = padded.predict(x); Tensor expected = alone.predict(xAlone)) {
                assertArrayEquals(expected.toArray(), y.toArray(), 1e-6f, "the state after the two valid steps on " + variant);
            }
        }
    }

    /**
     * A recurrent layer's backward pass overwrites the gates its training forward pass saved: a
     * second backward is refused (it would read gradients as gates), and one after a new forward
     * pass gives the first one's gradients again.
     */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void aSecondBackwardNeedsANewForwardPass(Variant variant) {
        Backend backend = variant.activate();
        Random random = new Random(4);
        float[] x = new float[2 * 5 * 3], dy = new float[2 * 5 * 4];
        for (int i = 0; i < x.length; i++) x[i] = random.nextFloat() - 0.5f;
        for (int i = 0; i < dy.length; i++) dy[i] = random.nextFloat() - 0.5f;
        for (RecurrentLayer layer : new RecurrentLayer[] {new LSTM(4), new GRU(4), new SimpleRNN(4)}) {
            try (Sequential model = new Sequential(5, 3).add(layer.returnSequences(true)).backend(backend).seed(3).build();
                 Tensor input = backend.allocate(2, 5, 3).copyFrom(x); Tensor gradient = backend.allocate(2, 5, 4).copyFrom(dy)) {
                model.forwardTraining(input, null);
                float[] first = model.backward(gradient).toArray();
                var refused = assertThrows(IllegalStateException.class, () -> model.backward(gradient));
                assertTrue(refused.getMessage().contains("forwardTraining again"), refused.getMessage());
                model.forwardTraining(input, null);
                assertArrayEquals(first, model.backward(gradient).toArray(), "the input's gradient after a new forward pass on " + variant);
            }
        }
    }

    /** Explicit lengths (Keras' model(x, mask=...)) through stacked layers: each sample as if alone, unpadded. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void explicitLengthsThroughStackedLayersEqualEachSampleAlone(Variant variant) {
        Backend backend = variant.activate();
        int steps = 9, features = 5, batch = 3;
        int[] lengths = {9, 4, 6};
        float[] x = Checks.random(new Random(8), batch * steps * features);
        try (Sequential stacked = new Sequential(steps, features).add(new GRU(12).returnSequences(true))
                .add(new LSTM(7)).backend(backend).seed(4).build();
             Tensor input = backend.allocate(batch, steps, features).copyFrom(x);
             Tensor mask = Tensor.sequenceMask(steps, lengths); Tensor all = stacked.predict(input, mask)) {
            float[] together = all.toArray();
            for (int b = 0; b < batch; b++) {
                try (Sequential alone = new Sequential(lengths[b], features).add(new GRU(12).returnSequences(true))
                        .add(new LSTM(7)).backend(backend).build()) {
                    for (int l = 0; l < 2; l++) {
                        Weights.copy(stacked.layers().get(l), alone.layers().get(l));
                    }
                    float[] own = Arrays.copyOfRange(x, b * steps * features, (b * steps + lengths[b]) * features);
                    try (Tensor xb = backend.allocate(1, lengths[b], features).copyFrom(own); Tensor y = alone.predict(xb)) {
                        assertArrayEquals(Arrays.copyOfRange(together, b * 7, (b + 1) * 7), y.toArray(), 1e-6f,
                                "sample " + b + " of length " + lengths[b] + " on " + variant);
                    }
                }
            }
        }
    }

    /** Explicit lengths reach the LSTM through an Embedding, with and without maskZero (ids past a length are not 0). */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void explicitLengthsPassThroughAnEmbedding(Variant variant) {
        Backend backend = variant.activate();
        int steps = 6, batch = 3;
        int[] lengths = {6, 2, 4};
        float[] ids = new float[batch * steps];
        Random random = new Random(9);
        for (int i = 0; i < ids.length; i++) ids[i] = 1 + random.nextInt(19);
        ids[5] = 0; // a padding id inside the first sample's length: masked only with maskZero
        for (boolean maskZero : new boolean[] {false, true}) {
            try (Sequential model = new Sequential(steps).add(new Embedding(20, 4).maskZero(maskZero)).add(new LSTM(5))
                    .backend(backend).seed(3).build();
                 Tensor input = backend.allocate(batch, steps).copyFrom(ids);
                 Tensor mask = Tensor.sequenceMask(steps, lengths); Tensor all = model.predict(input, mask)) {
                float[] together = all.toArray();
                for (int b = 0; b < batch; b++) {
                    int length = maskZero && b == 0 ? 5 : lengths[b];
                    float[] own = Arrays.copyOfRange(ids, b * steps, b * steps + length);
                    try (Sequential alone = new Sequential(length).add(new Embedding(20, 4)).add(new LSTM(5)).backend(backend)
                            .build()) {
                        for (int l = 0; l < 2; l++) {
                            Weights.copy(model.layers().get(l), alone.layers().get(l));
                        }
                        try (Tensor xb = backend.allocate(1, length).copyFrom(own); Tensor y = alone.predict(xb)) {
                            assertArrayEquals(Arrays.copyOfRange(together, b * 5, (b + 1) * 5), y.toArray(), 1e-6f,
                                    "sample " + b + " of length " + length + ", maskZero " + maskZero + " on " + variant);
                        }
                    }
                }
            }
        }
    }

    /**
     * An Embedding and the LSTM after it run folded (the table times the kernel, made once);
     * they equal the same layers kept apart by an identity layer, also after either layer's
     * weights change.
     */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void foldedEmbeddingFollowsNewWeights(Variant variant) {
        Backend backend = variant.activate();
        Random random = new Random(10);
        float[] ids = new float[2 * 5];
        for (int i = 0; i < ids.length; i++) ids[i] = random.nextInt(12);
        try (Sequential folded = new Sequential(5).add(new Embedding(12, 3).maskZero(true)).add(new LSTM(4)).backend(backend)
                .seed(1).build();
             Sequential apart = new Sequential(5).add(new Embedding(12, 3).maskZero(true))
                     .add(new ActivationLayer(Activation.LINEAR)).add(new LSTM(4)).backend(backend).build();
             Tensor x = backend.allocate(2, 5).copyFrom(ids)) {
            for (int change = 0; change < 3; change++) {
                if (change == 1) folded.layers().get(0).setWeights(Weights.shaped(folded.layers().get(0), Checks.random(random, 36)));
                if (change == 2) {
                    folded.layers().get(1).setWeights(Weights.shaped(folded.layers().get(1), Checks.random(random, 48), Checks.random(random, 64),
                            Checks.random(random, 16)));
                }
                apart.layers().get(0).setWeights(folded.layers().get(0).getWeights().get(0));
                Weights.copy(folded.layers().get(1), apart.layers().get(2));
                try (Tensor a = folded.predict(x); Tensor b = apart.predict(x)) {
                    assertArrayEquals(b.toArray(), a.toArray(), 1e-5f, "after change " + change + " on " + variant);
                }
            }
        }
    }

    /** Many callers at once share the thread pool and per-thread scratch: each gets the serial result. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void concurrentCallersGetTheSerialResult(Variant variant) throws Exception {
        Backend backend = variant.activate();
        int batch = 5, steps = 30;
        float[] x = Checks.random(new Random(9), batch * steps * 16);
        try (Sequential model = new Sequential(steps, 16).add(new Bidirectional(new GRU(24).returnSequences(true)))
                .add(new LSTM(20)).backend(backend).threads(2).build()) {
            float[] serial;
            try (Tensor input = backend.allocate(batch, steps, 16).copyFrom(x); Tensor y = model.predict(input)) {
                serial = y.toArray();
            }
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                var results = new java.util.ArrayList<java.util.concurrent.Future<float[]>>();
                for (int i = 0; i < 16; i++) {
                    results.add(pool.submit(() -> {
                        try (Tensor input = backend.allocate(batch, steps, 16).copyFrom(x); Tensor y = model.predict(input)) {
                            return y.toArray();
                        }
                    }));
                }
                for (var r : results) Checks.assertBitwiseEqual("concurrent RNN predict on " + variant, serial, r.get());
            } finally {
                pool.shutdown();
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void idsOutsideTheVocabularyAreRefusedWithTheirPosition(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = new Sequential(4).add(new Embedding(10, 3)).add(new LSTM(2)).backend(backend).build()) {
            for (float bad : new float[] {10f, -1f, 2.5f, Float.NaN}) {
                float[] ids = {1, 2, 3, 4, 5, 6, bad, 7};
                try (Tensor x = backend.allocate(2, 4).copyFrom(ids)) {
                    var e = assertThrows(IllegalArgumentException.class, () -> model.predict(x));
                    assertTrue(e.getMessage().contains("Embedding 'embedding'") && e.getMessage().contains("position [1, 2]")
                            && e.getMessage().contains("[0, 10)"), e.getMessage());
                }
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void badShapesAndStatesNameTheLayer(Variant variant) {
        Backend backend = variant.activate();
        LSTM lstm = new LSTM(5);
        try (Sequential model = new Sequential(7, 3).add(lstm).backend(backend).build();
             Tensor wrong = backend.allocate(2, 7, 4); Tensor x = backend.allocate(2, 7, 3);
             Tensor badState = backend.allocate(2, 6); Tensor badMask = backend.allocate(2, 6)) {
            var e = assertThrows(IllegalArgumentException.class, () -> model.predict(wrong));
            assertTrue(e.getMessage().contains("LSTM 'lstm'") && e.getMessage().contains("[batch, 7, 3]")
                    && e.getMessage().contains("[2, 7, 4]"), e.getMessage());
            var s = assertThrows(IllegalArgumentException.class, () -> lstm.forwardWithState(x, null, badState, null, 1));
            assertTrue(s.getMessage().contains("initial h [2, 5]") && s.getMessage().contains("[2, 6]"), s.getMessage());
            var m = assertThrows(IllegalArgumentException.class, () -> lstm.forwardWithState(x, badMask, null, null, 1));
            assertTrue(m.getMessage().contains("mask [2, 7]"), m.getMessage());
        }
    }
}

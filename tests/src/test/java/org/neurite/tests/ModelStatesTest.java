package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Bidirectional;
import org.neurite.layers.Dense;
import org.neurite.layers.Flatten;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;
import org.neurite.testkit.Weights;

/**
 * Return states through a whole model ({@code Sequential.predictWithStates}): a long sequence
 * run in two chunks, the first chunk's final states carried into the second, ends where the
 * whole sequence in one call ends; every recurrent layer's states come back by name, a
 * Bidirectional layer's in Keras' order; bad initial states name the layer.
 */
class ModelStatesTest {
    private static final int BATCH = 3, FIRST = 7, SECOND = 5, FEATURES = 4;

    private static Sequential model(int steps, Backend backend) {
        return new Sequential(steps, FEATURES)
                .add(new LSTM(6).returnSequences(true).name("lstm"))
                .add(new GRU(4).name("gru"))
                .add(new Dense(3, Activation.SOFTMAX).name("dense"))
                .backend(backend).seed(9).build();
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void aSequenceInTwoChunksEndsAsInOne(Variant variant) {
        Backend backend = variant.activate();
        Random random = new Random(4);
        int steps = FIRST + SECOND;
        float[] x = Checks.random(random, BATCH * steps * FEATURES);
        float[] mask = new float[BATCH * steps];
        for (int i = 0; i < mask.length; i++) mask[i] = random.nextInt(5) == 0 ? 0 : 1; // masked steps anywhere
        try (Sequential whole = model(steps, backend); Sequential first = model(FIRST, backend); Sequential second = model(SECOND, backend)) {
            for (int l = 0; l < whole.layers().size(); l++) {
                Weights.copy(whole.layers().get(l), first.layers().get(l));
                Weights.copy(whole.layers().get(l), second.layers().get(l));
            }
            try (Tensor all = backend.allocate(BATCH, steps, FEATURES).copyFrom(x);
                 Tensor allMask = backend.allocate(BATCH, steps).copyFrom(mask);
                 Tensor head = backend.allocate(BATCH, FIRST, FEATURES).copyFrom(rows(x, steps, 0, FIRST, FEATURES));
                 Tensor headMask = backend.allocate(BATCH, FIRST).copyFrom(rows(mask, steps, 0, FIRST, 1));
                 Tensor tail = backend.allocate(BATCH, SECOND, FEATURES).copyFrom(rows(x, steps, FIRST, SECOND, FEATURES));
                 Tensor tailMask = backend.allocate(BATCH, SECOND).copyFrom(rows(mask, steps, FIRST, SECOND, 1));
                 Sequential.Prediction once = whole.predictWithStates(all, allMask, Map.of());
                 Tensor predicted = whole.predict(all, allMask);
                 Sequential.Prediction start = first.predictWithStates(head, headMask, null);
                 Sequential.Prediction end = second.predictWithStates(tail, tailMask, start.states())) {
                assertEquals(List.of("lstm", "gru"), List.copyOf(once.states().keySet()));
                assertEquals(List.of(2, 1), once.states().values().stream().map(List::size).toList(), "LSTM: h and c; GRU: h");
                Checks.assertBitwiseEqual("predictWithStates vs predict on " + variant, predicted.toArray(), once.output().toArray());
                assertArrayEquals(once.output().toArray(), end.output().toArray(), 1e-5f, "output after two chunks on " + variant);
                for (String layer : once.states().keySet()) {
                    for (int s = 0; s < once.states().get(layer).size(); s++) {
                        assertArrayEquals(once.states().get(layer).get(s).toArray(), end.states().get(layer).get(s).toArray(), 1e-5f,
                                layer + " state " + s + " after two chunks on " + variant);
                    }
                }
                Checks.assertNotMostlyZeros("gru h", once.states().get("gru").get(0).toArray(), 0.9);
            }
        }
    }

    /** A Bidirectional layer's four states (forward h and c, backward h and c) come back as the layer gives them. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void bidirectionalStatesComeBackInKerasOrder(Variant variant) {
        Backend backend = variant.activate();
        Random random = new Random(6);
        Bidirectional both = new Bidirectional(new LSTM(5));
        both.name("both");
        try (Sequential model = new Sequential(FIRST, FEATURES).add(both).add(new Dense(2).name("dense")).backend(backend).build();
             Tensor x = backend.allocate(BATCH, FIRST, FEATURES).copyFrom(Checks.random(random, BATCH * FIRST * FEATURES))) {
            Tensor[] initial = new Tensor[4];
            for (int s = 0; s < 4; s++) initial[s] = backend.allocate(BATCH, 5).copyFrom(Checks.random(random, BATCH * 5));
            try (Sequential.Prediction p = model.predictWithStates(x, null, Map.of("both", List.of(initial)));
                 Bidirectional.Result direct = both.forwardWithState(x, null, initial[0], initial[1], initial[2], initial[3], 1)) {
                List<Tensor> states = p.states().get("both");
                assertEquals(4, states.size());
                Tensor[] expected = {direct.forwardH(), direct.forwardC(), direct.backwardH(), direct.backwardC()};
                for (int s = 0; s < 4; s++) {
                    Checks.assertBitwiseEqual("state " + s + " on " + variant, expected[s].toArray(), states.get(s).toArray());
                }
            } finally {
                for (Tensor t : initial) t.close();
            }
        }
    }

    /** Each layer's output is freed once the next has read it; a view layer (Flatten) reads a copy, so its source may go. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void aViewLayerAfterARecurrentOneGivesWhatPredictGives(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = new Sequential(FIRST, FEATURES).add(new LSTM(4).returnSequences(true)).add(new Flatten())
                .add(new Dense(3)).backend(backend).build();
             Tensor x = backend.allocate(BATCH, FIRST, FEATURES).copyFrom(Checks.random(new Random(8), BATCH * FIRST * FEATURES));
             Sequential.Prediction p = model.predictWithStates(x, null, null); Tensor y = model.predict(x)) {
            Checks.assertBitwiseEqual("predictWithStates vs predict on " + variant, y.toArray(), p.output().toArray());
            assertEquals(2, p.states().get(model.layers().get(0).name()).size());
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void badInitialStatesNameTheLayer(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = model(FIRST, backend); Tensor x = backend.allocate(BATCH, FIRST, FEATURES);
             Tensor h = backend.allocate(BATCH, 6); Tensor wrong = backend.allocate(BATCH, 7)) {
            var notRecurrent = assertThrows(IllegalArgumentException.class, () -> model.predictWithStates(x, null, Map.of("dense", List.of(h))));
            assertTrue(notRecurrent.getMessage().contains("'dense'") && notRecurrent.getMessage().contains("not a recurrent layer"),
                    notRecurrent.getMessage());
            var count = assertThrows(IllegalArgumentException.class, () -> model.predictWithStates(x, null, Map.of("lstm", List.of(h))));
            assertTrue(count.getMessage().contains("LSTM 'lstm': expected 2 initial states, got 1"), count.getMessage());
            var shape = assertThrows(IllegalArgumentException.class, () -> model.predictWithStates(x, null, Map.of("lstm", List.of(h, wrong))));
            assertTrue(shape.getMessage().contains("lstm") && shape.getMessage().contains("[3, 6]")
                    && shape.getMessage().contains("[3, 7]"), shape.getMessage());
        }
    }

    private static float[] rows(float[] x, int steps, int from, int count, int width) {
        float[] out = new float[BATCH * count * width];
        for (int b = 0; b < BATCH; b++) System.arraycopy(x, (b * steps + from) * width, out, b * count * width, count * width);
        return out;
    }
}

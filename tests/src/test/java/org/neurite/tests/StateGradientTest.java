package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Parameter;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Context;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;
import org.neurite.layers.LayerConfig;
import org.neurite.layers.RecurrentLayer;
import org.neurite.layers.SimpleRNN;
import org.neurite.testkit.DoubleKeras;

/**
 * Training from given initial states (Keras' initial_state) and through the final states
 * (Keras' return_state, used in the loss besides the output), with a mask, on every backend:
 * the output and final states against DoubleKeras, and the initial states', the input's and
 * every weight's gradients against finite differences of its double-precision loss and
 * against the Java backend's. (The recurrent kernel's gradient takes the initial h at the
 * first step, and every weight's takes the final states' gradients.)
 */
class StateGradientTest {
    private static final int BATCH = 3, STEPS = 5, IN = 4, UNITS = 6;

    record Case(String name, Supplier<RecurrentLayer<?>> layer, boolean cell) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        Case[] cases = {
                new Case("LSTM returnSequences", () -> new LSTM(UNITS).returnSequences(true), true),
                new Case("LSTM last state goBackwards", () -> new LSTM(UNITS).goBackwards(true), true),
                new Case("GRU", () -> new GRU(UNITS), false),
                new Case("GRU resetAfter false returnSequences", () -> new GRU(UNITS).resetAfter(false).returnSequences(true), false),
                new Case("SimpleRNN", () -> new SimpleRNN(UNITS), false)};
        return Stream.of(cases).flatMap(c -> Variant.all().stream().map(v -> Arguments.of(c, v)));
    }

    /** The initial states' gradients, h then c (null without a cell state), then the input's, then each weight's. */
    private static List<float[]> gradients(Case c, Variant variant) {
        Backend backend = variant.activate();
        Random random = new Random(c.name().hashCode());
        float[] x = Checks.random(random, BATCH * STEPS * IN), h0 = Checks.random(random, BATCH * UNITS);
        float[] c0 = Checks.random(random, BATCH * UNITS);
        float[] mask = {1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0};
        RecurrentLayer<?> layer = c.layer().get();
        try (Sequential model = new Sequential(STEPS, IN).add(layer).backend(backend).seed(9).build();
             Context ctx = new Context(2);
             Tensor input = backend.allocate(BATCH, STEPS, IN).copyFrom(x); Tensor m = backend.allocate(BATCH, STEPS).copyFrom(mask);
             Tensor h = backend.allocate(BATCH, UNITS).copyFrom(h0); Tensor cs = backend.allocate(BATCH, UNITS).copyFrom(c0)) {
            Tensor cState = c.cell() ? cs : null;
            RecurrentLayer.TrainingResult result = layer.forwardTrainingWithState(ctx, input, m, h, cState);
            assertEquals(c.cell(), result.finalC() != null, c + ": a final c for LSTM only");
            int[] outputShape = result.output().shape();
            // The loss: r . output + rh . final h + rc . final c
            float[] r = Checks.random(random, Math.toIntExact(Tensor.checkedShape(outputShape)));
            float[] rh = Checks.random(random, BATCH * UNITS), rc = c.cell() ? Checks.random(random, BATCH * UNITS) : null;
            float[] dh, dc, dx;
            List<float[]> weightGradients = new ArrayList<>();
            try (Tensor dOutput = backend.allocate(outputShape).copyFrom(r);
                 Tensor dFinalH = backend.allocate(BATCH, UNITS).copyFrom(rh);
                 Tensor dFinalC = c.cell() ? backend.allocate(BATCH, UNITS).copyFrom(rc) : null) {
                RecurrentLayer.StateGradients g = layer.backwardWithState(ctx, dOutput, dFinalH, dFinalC);
                dh = g.initialH().toArray();
                dc = c.cell() ? g.initialC().toArray() : null;
                dx = g.input().toArray();
                if (!c.cell()) assertNull(g.initialC(), c + ": no cell state, no gradient");
                for (Parameter p : layer.parameters()) weightGradients.add(p.gradient().toArray());
            }
            String context = c + " on " + variant;
            // The same step in double (DoubleKeras), and its loss r . output + rh . final h + rc . final c
            JsonObject config = LayerConfig.of(layer);
            List<double[]> weights = new ArrayList<>();
            for (Parameter p : layer.parameters()) weights.add(Checks.toDouble(p.get()));
            boolean[][] valid = new boolean[BATCH][STEPS];
            for (int i = 0; i < mask.length; i++) valid[i / STEPS][i % STEPS] = mask[i] != 0f;
            double[] xd = Checks.toDouble(x), h0d = Checks.toDouble(h0), c0d = c.cell() ? Checks.toDouble(c0) : null;
            double[] rd = Checks.toDouble(r), rhd = Checks.toDouble(rh), rcd = c.cell() ? Checks.toDouble(rc) : null;
            DoubleKeras.Stateful reference = DoubleKeras.recurrent(config, weights, BATCH, STEPS, IN, xd, valid, h0d, c0d);
            Checks.assertMatchesDouble(context + ": output", reference.output(), result.output().toArray());
            Checks.assertMatchesDouble(context + ": final h", reference.finalH(), result.finalH().toArray());
            if (c.cell()) Checks.assertMatchesDouble(context + ": final c", reference.finalC(), result.finalC().toArray());
            Step loss = (w, in, hs, cs0) -> {
                DoubleKeras.Stateful s = DoubleKeras.recurrent(config, w, BATCH, STEPS, IN, in, valid, hs, cs0);
                return Checks.dot(rd, s.output()) + Checks.dot(rhd, s.finalH()) + (rcd == null ? 0 : Checks.dot(rcd, s.finalC()));
            };
            Checks.assertDirectionalDerivatives(context + ": initial h", Checks.toDouble(dh), random,
                    shift -> loss.at(weights, xd, Checks.shifted(h0d, shift), c0d));
            if (c.cell()) {
                Checks.assertDirectionalDerivatives(context + ": initial c", Checks.toDouble(dc), random,
                        shift -> loss.at(weights, xd, h0d, Checks.shifted(c0d, shift)));
            }
            Checks.assertDirectionalDerivatives(context + ": input", Checks.toDouble(dx), random,
                    shift -> loss.at(weights, Checks.shifted(xd, shift), h0d, c0d));
            List<Parameter> parameters = layer.parameters();
            for (int p = 0; p < parameters.size(); p++) {
                int index = p;
                Checks.assertDirectionalDerivatives(context + ": " + parameters.get(p).describe(),
                        Checks.toDouble(weightGradients.get(p)), random, shift -> {
                            List<double[]> moved = new ArrayList<>(weights);
                            moved.set(index, Checks.shifted(weights.get(index), shift));
                            return loss.at(moved, xd, h0d, c0d);
                        });
            }
            // A forward pass without states afterwards starts from zeros again.
            float[] withoutStates = layer.forwardTraining(ctx, input, m).toArray();
            try (Tensor zeros = backend.allocate(BATCH, UNITS); Tensor zerosC = backend.allocate(BATCH, UNITS)) {
                assertArrayEquals(layer.forwardTrainingWithState(ctx, input, m, zeros, c.cell() ? zerosC : null).output().toArray(),
                        withoutStates, context + ": no states means zero states");
            }
            List<float[]> all = new ArrayList<>(java.util.Arrays.asList(dh, dc, dx));
            all.addAll(weightGradients);
            return all;
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void initialStateGradientsMatchFiniteDifferencesAndTheJavaBackend(Case c, Variant variant) {
        List<float[]> java = gradients(c, Variant.JAVA);
        if (variant == Variant.JAVA) return;
        List<float[]> here = gradients(c, variant);
        String context = c + " on " + variant;
        Checks.assertCloseToScale(context + ": initial h gradient", java.get(0), here.get(0));
        if (c.cell()) Checks.assertCloseToScale(context + ": initial c gradient", java.get(1), here.get(1));
        Checks.assertCloseToScale(context + ": input gradient", java.get(2), here.get(2));
        for (int w = 3; w < java.size(); w++) {
            Checks.assertCloseToScale(context + ": weight " + (w - 3) + " gradient", java.get(w), here.get(w));
        }
    }

    /** The double-precision loss of a step from these weights, input and initial states. */
    private interface Step {
        double at(List<double[]> weights, double[] input, double[] h0, double[] c0);
    }
}

package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
import org.neurite.layers.RecurrentLayer;
import org.neurite.layers.SimpleRNN;

/**
 * Training from given initial states (Keras' initial_state) and through the final states
 * (Keras' return_state, used in the loss besides the output): the initial states', the
 * input's and every weight's gradients against finite differences and the Java backend's,
 * with a mask, on every backend. (The recurrent kernel's gradient takes the initial h at the
 * first step, and every weight's takes the final states' gradients.)
 */
class StateGradientTest {
    private static final int BATCH = 3, STEPS = 5, IN = 4, UNITS = 6;
    private static final double EPS = 1e-3;

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
            Loss loss = shift -> loss(layer, ctx, input, m, h, cState, r, rh, rc);
            String context = c + " on " + variant;
            checkDirection(context + ": initial h", dh, random, shift -> {
                h.copyFrom(shifted(h0, shift));
                double value = loss.at(shift);
                h.copyFrom(h0);
                return value;
            });
            if (c.cell()) {
                checkDirection(context + ": initial c", dc, random, shift -> {
                    cs.copyFrom(shifted(c0, shift));
                    double value = loss.at(shift);
                    cs.copyFrom(c0);
                    return value;
                });
            }
            checkDirection(context + ": input", dx, random, shift -> {
                input.copyFrom(shifted(x, shift));
                double value = loss.at(shift);
                input.copyFrom(x);
                return value;
            });
            List<Parameter> parameters = layer.parameters();
            for (int p = 0; p < parameters.size(); p++) {
                Parameter parameter = parameters.get(p);
                float[] value = parameter.get();
                checkDirection(context + ": " + parameter.describe(), weightGradients.get(p), random, shift -> {
                    parameter.set(shifted(value, shift));
                    double at = loss.at(shift);
                    parameter.set(value);
                    return at;
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

    interface Loss {
        double at(double[] shift);
    }

    private static float[] shifted(float[] values, double[] shift) {
        float[] s = values.clone();
        for (int i = 0; i < s.length; i++) s[i] += (float) shift[i];
        return s;
    }

    private static double loss(RecurrentLayer<?> layer, Context ctx, Tensor input, Tensor mask, Tensor h, Tensor c, float[] r,
                               float[] rh, float[] rc) {
        RecurrentLayer.TrainingResult result = layer.forwardTrainingWithState(ctx, input, mask, h, c);
        return dot(r, result.output().toArray()) + dot(rh, result.finalH().toArray())
                + (rc == null ? 0 : dot(rc, result.finalC().toArray()));
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
        return sum;
    }

    /** As GradientTest: along random directions, the central difference against the gradient (smooth cells here). */
    private static void checkDirection(String context, float[] gradient, Random random, Loss loss) {
        double norm = 0;
        for (float g : gradient) norm += (double) g * g;
        norm = Math.sqrt(norm);
        for (int d = 0; d < 3; d++) {
            double[] v = new double[gradient.length], plus = new double[v.length], minus = new double[v.length];
            double along = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextGaussian();
                along += gradient[i] * v[i];
                plus[i] = EPS * v[i];
                minus[i] = -EPS * v[i];
            }
            double numeric = (loss.at(plus) - loss.at(minus)) / (2 * EPS);
            assertEquals(along, numeric, 2e-2 * norm + 3e-3, context + ": direction " + d + ", gradient norm " + norm);
        }
    }
}

package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Parameter;
import org.neurite.backend.Backend;
import org.neurite.train.Adam;
import org.neurite.train.AdamW;
import org.neurite.train.Optimizer;
import org.neurite.train.RMSprop;
import org.neurite.train.SGD;

/**
 * Keras' update formulas, written out here in double precision from Keras' documentation and
 * source (an independent reference), against every optimizer with Keras' defaults and every
 * clipping mode, on every backend; sizes cross vector widths and the kernels' chunk size.
 */
class OptimizerTest {
    private static final int[] SIZES = {1, 37, 16384 + 5};

    /** A reference optimizer over doubles: value, gradient and the slots it keeps. */
    interface Reference {
        void step(double[] w, double[] g, double[][] slots, long t);
    }

    static Reference sgd(double lr, double momentum, boolean nesterov) {
        return (w, g, s, t) -> {
            for (int i = 0; i < w.length; i++) {
                if (momentum == 0) { w[i] -= lr * g[i]; continue; }
                s[0][i] = momentum * s[0][i] - lr * g[i];
                w[i] += nesterov ? momentum * s[0][i] - lr * g[i] : s[0][i];
            }
        };
    }

    static Reference adam(double lr, double b1, double b2, double eps, double weightDecay) {
        return (w, g, s, t) -> {
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int i = 0; i < w.length; i++) {
                w[i] -= w[i] * weightDecay * lr;
                s[0][i] += (g[i] - s[0][i]) * (1 - b1);
                s[1][i] += (g[i] * g[i] - s[1][i]) * (1 - b2);
                w[i] -= alpha * s[0][i] / (Math.sqrt(s[1][i]) + eps);
            }
        };
    }

    static Reference rmsprop(double lr, double rho, double momentum, double eps, boolean centered) {
        return (w, g, s, t) -> {
            for (int i = 0; i < w.length; i++) {
                s[0][i] = rho * s[0][i] + (1 - rho) * g[i] * g[i];
                double denominator = s[0][i] + eps;
                if (centered) {
                    s[2][i] = rho * s[2][i] + (1 - rho) * g[i];
                    denominator -= s[2][i] * s[2][i];
                }
                double increment = lr * g[i] / Math.sqrt(denominator);
                if (momentum > 0) w[i] -= (s[1][i] = momentum * s[1][i] + increment);
                else w[i] -= increment;
            }
        };
    }

    record Case(String name, Supplier<Optimizer> optimizer, Reference reference, String clip, double limit) {
        @Override
        public String toString() {
            return name + (clip.isEmpty() ? "" : " " + clip);
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("SGD defaults", () -> new SGD(), sgd(0.01, 0, false), "", 0),
                new Case("SGD momentum", () -> new SGD(0.05, 0.9, false), sgd(0.05, 0.9, false), "", 0),
                new Case("SGD Nesterov", () -> new SGD(0.05, 0.8, true), sgd(0.05, 0.8, true), "", 0),
                new Case("Adam defaults", () -> new Adam(), adam(0.001, 0.9, 0.999, 1e-7, 0), "", 0),
                new Case("Adam, large epsilon", () -> new Adam(0.01, 0.8, 0.99, 0.1), adam(0.01, 0.8, 0.99, 0.1, 0), "", 0),
                new Case("AdamW defaults", () -> new AdamW(), adam(0.001, 0.9, 0.999, 1e-7, 0.004), "", 0),
                new Case("AdamW, strong decay", () -> new AdamW(0.01, 0.5), adam(0.01, 0.9, 0.999, 1e-7, 0.5), "", 0),
                new Case("RMSprop defaults", () -> new RMSprop(), rmsprop(0.001, 0.9, 0, 1e-7, false), "", 0),
                new Case("RMSprop, large epsilon", () -> new RMSprop(0.01, 0.7, 0, 0.5, false), rmsprop(0.01, 0.7, 0, 0.5, false), "", 0),
                new Case("RMSprop centered momentum", () -> new RMSprop(0.01, 0.9, 0.6, 1e-7, true), rmsprop(0.01, 0.9, 0.6, 1e-7, true), "", 0),
                new Case("Adam", () -> new Adam().clipNorm(0.5), adam(0.001, 0.9, 0.999, 1e-7, 0), "clipNorm", 0.5),
                new Case("SGD momentum", () -> new SGD(0.05, 0.9, false).globalClipNorm(0.7), sgd(0.05, 0.9, false), "globalClipNorm", 0.7),
                new Case("RMSprop", () -> new RMSprop().clipValue(0.3), rmsprop(0.001, 0.9, 0, 1e-7, false), "clipValue", 0.3));
    }

    static List<Object[]> matrix() {
        return cases().stream().flatMap(c -> Variant.all().stream().map(v -> new Object[] {c, v})).toList();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("matrix")
    void fourStepsFollowKerasFormulas(Case c, Variant variant) {
        Backend backend = variant.activate();
        Optimizer optimizer = c.optimizer.get();
        Random random = new Random(11);
        int count = SIZES.length;
        Parameter[] params = new Parameter[count];
        double[][] w = new double[count][], g = new double[count][];
        double[][][] slots = new double[count][3][];
        for (int k = 0; k < count; k++) {
            float[] initial = Checks.random(random, SIZES[k]);
            params[k] = new Parameter("kernel", backend, initial, SIZES[k]);
            w[k] = new double[SIZES[k]];
            for (int i = 0; i < SIZES[k]; i++) w[k][i] = initial[i];
            for (int s = 0; s < 3; s++) slots[k][s] = new double[SIZES[k]];
        }
        try {
            for (long t = 1; t <= 4; t++) {
                double globalSquares = 0;
                for (int k = 0; k < count; k++) {
                    float[] gradient = Checks.random(random, SIZES[k]);
                    for (int i = 0; i < gradient.length; i++) gradient[i] *= 3; // norms well above the clip limits
                    params[k].gradient().copyFrom(gradient);
                    g[k] = new double[SIZES[k]];
                    for (int i = 0; i < gradient.length; i++) g[k][i] = gradient[i];
                    for (double v : g[k]) globalSquares += v * v;
                }
                optimizer.apply(List.of(params), backend, 2);
                for (int k = 0; k < count; k++) {
                    double squares = 0;
                    for (double v : g[k]) squares += v * v;
                    double norm = Math.sqrt(c.clip.equals("globalClipNorm") ? globalSquares : squares);
                    for (int i = 0; i < g[k].length; i++) {
                        switch (c.clip) {
                            case "clipNorm", "globalClipNorm" -> g[k][i] *= c.limit / Math.max(norm, c.limit);
                            case "clipValue" -> g[k][i] = Math.max(-c.limit, Math.min(c.limit, g[k][i]));
                            default -> { }
                        }
                    }
                    c.reference.step(w[k], g[k], slots[k], t);
                }
            }
            for (int k = 0; k < count; k++) {
                float[] actual = params[k].get();
                for (int i = 0; i < actual.length; i++) {
                    assertEquals(w[k][i], actual[i], 2e-6 * (1 + Math.abs(w[k][i])),
                            c + " on " + variant + ": parameter of " + SIZES[k] + ", element " + i);
                }
            }
            assertEquals(4, optimizer.iterations());
        } finally {
            for (Parameter p : params) p.close();
        }
    }

    /**
     * An embedding table's gradient comes as rows: each optimizer's step on the rows must be its
     * step on the same gradient written out whole (the same bits, but where a norm is clipped:
     * its sum of squares runs over other chunks), including runs of adjacent rows, the first and
     * last rows, and rows a pass leaves out after having had a gradient.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("matrix")
    void stepsOnRowGradientsAreTheDenseSteps(Case c, Variant variant) {
        Backend backend = variant.activate();
        Optimizer onRows = c.optimizer.get(), onDense = c.optimizer.get();
        Random random = new Random(12);
        int vocabulary = 300, width = 67, capacity = 120; // 20,100 values: past a kernel chunk, odd vector tails
        float[] initial = Checks.random(random, vocabulary * width);
        try (Parameter sparse = new Parameter("embeddings", backend, initial, vocabulary, width);
             Parameter dense = new Parameter("embeddings", backend, initial, vocabulary, width)) {
            for (long t = 1; t <= 4; t++) {
                int[] rows = random.ints(0, vocabulary).distinct().limit(5 + random.nextInt(capacity - 10)).sorted().toArray();
                if (t == 2) rows = new int[] {0, 1, 2, 150, 151, vocabulary - 1};
                float[] values = Checks.random(random, rows.length * width);
                var gradient = sparse.rowGradient(capacity);
                int[] padded = java.util.Arrays.copyOf(rows, capacity);
                float[] paddedValues = java.util.Arrays.copyOf(values, capacity * width);
                gradient.rows().copyFrom(org.neurite.Tensor.ids(padded, capacity));
                gradient.values().copyFrom(paddedValues);
                gradient.count(rows.length);
                float[] whole = new float[vocabulary * width];
                for (int k = 0; k < rows.length; k++) System.arraycopy(values, k * width, whole, rows[k] * width, width);
                dense.gradient().copyFrom(whole);
                org.junit.jupiter.api.Assertions.assertNotNull(sparse.rowGradient(), "the gradient is still rows");
                onRows.apply(List.of(sparse), backend, 2);
                onDense.apply(List.of(dense), backend, 2);
                float[] expected = dense.get(), actual = sparse.get();
                boolean normClipped = c.clip.equals("clipNorm") || c.clip.equals("globalClipNorm");
                for (int i = 0; i < expected.length; i++) {
                    if (normClipped) assertEquals(expected[i], actual[i], 1e-6 * (1 + Math.abs(expected[i])), c + ", step " + t + ", element " + i);
                    else assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                            c + " on " + variant + ", step " + t + ": element " + i + " is " + actual[i] + ", the dense step's " + expected[i]);
                }
                float[] scattered = sparse.gradient().toArray(); // written out whole on request
                for (int i = 0; i < whole.length; i++) assertEquals(whole[i], scattered[i], "the row gradient written out, element " + i);
            }
        }
    }
}

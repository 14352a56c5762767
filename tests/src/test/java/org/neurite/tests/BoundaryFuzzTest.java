package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.AvgPool1D;
import org.neurite.layers.Bidirectional;
import org.neurite.layers.Conv1D;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.DepthwiseConv2D;
import org.neurite.layers.Dropout;
import org.neurite.layers.Embedding;
import org.neurite.layers.Flatten;
import org.neurite.layers.GRU;
import org.neurite.layers.GlobalMaxPool2D;
import org.neurite.layers.LSTM;
import org.neurite.layers.Layer;
import org.neurite.layers.MaxPool2D;
import org.neurite.layers.SimpleRNN;
import org.neurite.testkit.Problem;
import org.neurite.train.Adam;
import org.neurite.train.Fit;
import org.neurite.train.Loss;

/**
 * Random, mostly invalid, uses of the public API: layer options (zero, negative, huge), input
 * shapes, closed tensors and nulls, through build, predict, the training calls and setWeights.
 * Every failure must be an IllegalArgumentException or IllegalStateException whose message
 * names what was wrong, never another exception type and never a crash of the JVM.
 */
class BoundaryFuzzTest {
    private static final int CASES = 600;

    private static int number(Random r) {
        return switch (r.nextInt(14)) {
            case 0 -> 0;
            case 1 -> -1 - r.nextInt(3);
            case 2 -> Integer.MAX_VALUE - r.nextInt(2);
            case 3 -> 1 << (6 + r.nextInt(3)); // large but cheap: sizes past a tensor are case 2's
            default -> 1 + r.nextInt(5);
        };
    }

    private static Supplier<Layer> layer(Random r) {
        int a = number(r), b = number(r), c = number(r);
        return switch (r.nextInt(13)) {
            case 0 -> () -> new Dense(a, Activation.values()[r.nextInt(Activation.values().length)]);
            case 1 -> () -> new Conv2D(a, b).strides(c).padding(r.nextBoolean() ? Padding.SAME : Padding.VALID);
            case 2 -> () -> new Conv2D(a, b).dilation(c).groups(number(r));
            case 3 -> () -> new Conv1D(a, b).padding(Padding.CAUSAL).strides(1, c);
            case 4 -> () -> new DepthwiseConv2D(a, b).padding(c, c);
            case 5 -> () -> new MaxPool2D(a).strides(b).padding(r.nextBoolean() ? Padding.SAME : Padding.VALID);
            case 6 -> () -> new AvgPool1D(a).strides(b);
            case 7 -> () -> new Embedding(a, b).maskZero(r.nextBoolean());
            case 8 -> () -> new LSTM(a).returnSequences(r.nextBoolean());
            case 9 -> () -> new Bidirectional(new GRU(a).resetAfter(r.nextBoolean()).returnSequences(r.nextBoolean()));
            case 10 -> () -> new SimpleRNN(a).goBackwards(true);
            case 11 -> () -> new Dropout(r.nextFloat() * 2 - 0.5f);
            default -> r.nextBoolean() ? Flatten::new : GlobalMaxPool2D::new;
        };
    }

    private static int[] shape(Random r) {
        int rank = r.nextInt(4) + (r.nextInt(10) == 0 ? 0 : 1);
        int[] s = new int[rank];
        // odd sizes include 0 and negative ones; never a huge valid one (an honest out-of-memory, not a misuse)
        for (int i = 0; i < rank; i++) s[i] = r.nextInt(12) == 0 ? -r.nextInt(2) : 1 + r.nextInt(9);
        return s;
    }

    /** Runs one call; an exception must be one of ours, with a message. */
    private static void expectClear(String what, Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) fail(what + ": " + e.getClass().getSimpleName() + " without a message", e);
        } catch (RuntimeException | Error e) {
            fail(what + ": " + e.getClass().getName() + " instead of a clear error: " + e.getMessage(), e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void randomMisuseGivesClearErrorsOnly(Variant variant) {
        Backend backend = variant.activate();
        Random r = new Random(20261201L + variant.ordinal());
        int built = 0, ran = 0;
        for (int i = 0; i < CASES; i++) {
            int[] in = shape(r);
            List<Supplier<Layer>> makers = new ArrayList<>();
            for (int l = 0, n = 1 + r.nextInt(3); l < n; l++) makers.add(layer(r));
            String context = variant + " case " + i + " input " + java.util.Arrays.toString(in);
            Sequential[] model = {null};
            expectClear(context + " construct", () -> {
                Sequential m = new Sequential(in).backend(backend).threads(1 + r.nextInt(2));
                for (Supplier<Layer> make : makers) m.add(make.get());
                model[0] = m;
            });
            if (model[0] == null) continue;
            String what = context + " layers " + model[0].layers().stream().map(l -> l.getClass().getSimpleName()).toList();
            try (Sequential m = model[0]) {
                boolean[] ok = {false};
                expectClear(what + " build", () -> {
                    m.build();
                    ok[0] = true;
                });
                if (!ok[0]) continue;
                built++;
                int batch = 1 + r.nextInt(3);
                int[] given = r.nextInt(4) == 0 ? shape(r) : Problem.prepend(batch, m.inputShape());
                long size = 1;
                for (int d : given) size *= Math.max(d, 0);
                if (given.length == 0 || size > 1 << 20 || java.util.Arrays.stream(given).anyMatch(d -> d <= 0)) continue;
                try (Tensor x = backend.allocate(given)) {
                    float[] values = new float[(int) size];
                    for (int k = 0; k < values.length; k++) values[k] = r.nextInt(5) == 0 ? r.nextInt(3) - 1 : r.nextFloat() * 4;
                    x.copyFrom(values);
                    boolean closed = r.nextInt(15) == 0;
                    if (closed) x.close();
                    expectClear(what + " predict", () -> m.predict(r.nextInt(20) == 0 ? null : x).close());
                    expectClear(what + " training step", () -> {
                        Tensor out = m.forwardTraining(x, null);
                        try (Tensor d = backend.allocate(r.nextInt(5) == 0 ? shape(r.nextInt(3) + 1) : out.shape())) {
                            m.backward(d);
                        }
                    });
                    expectClear(what + " setWeights", () -> {
                        for (Layer layer : m.layers()) {
                            List<Tensor> w = layer.getWeights();
                            if (!w.isEmpty() && r.nextBoolean()) w = List.of(Tensor.heap(shape(1 + r.nextInt(3))));
                            layer.setWeights(w);
                        }
                    });
                    ran++;
                }
                if (r.nextInt(10) == 0) {
                    expectClear(what + " fit", () -> m.compile(new Adam(), Loss.sparseCategoricalCrossentropy())
                            .fit(org.neurite.data.Dataset.of(new float[4 * (int) Tensor.checkedShape(m.inputShape())], m.inputShape(),
                                    new float[] {0, 1, 2, 3}), Fit.epochs(1).batchSize(2)));
                }
            }
        }
        System.out.printf("boundary fuzz on %s: %d cases, %d models built, %d ran%n", variant, CASES, built, ran);
        assertTrue(built > CASES / 15 && ran > CASES / 20, "too few valid models to prove much: " + built + " built, " + ran + " ran");
    }

    private static int[] shape(int rank) {
        int[] s = new int[rank];
        java.util.Arrays.fill(s, 2);
        return s;
    }
}

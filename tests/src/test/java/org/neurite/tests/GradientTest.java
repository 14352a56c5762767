package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.Parameter;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.ActivationLayer;
import org.neurite.layers.AvgPool1D;
import org.neurite.layers.AvgPool2D;
import org.neurite.layers.Bidirectional;
import org.neurite.layers.Conv1D;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.DepthwiseConv2D;
import org.neurite.layers.Dropout;
import org.neurite.layers.Embedding;
import org.neurite.layers.Flatten;
import org.neurite.layers.GRU;
import org.neurite.layers.GlobalAvgPool1D;
import org.neurite.layers.GlobalAvgPool2D;
import org.neurite.layers.GlobalMaxPool1D;
import org.neurite.layers.GlobalMaxPool2D;
import org.neurite.layers.LSTM;
import org.neurite.layers.Layer;
import org.neurite.layers.LayerConfig;
import org.neurite.layers.MaxPool1D;
import org.neurite.layers.MaxPool2D;
import org.neurite.layers.SimpleRNN;
import org.neurite.testkit.DoubleKeras;

/**
 * Gradients of every trainable layer kind on every backend, against finite differences in
 * double precision: {@link DoubleKeras}, an independent double-precision Keras forward pass,
 * computes the loss {@code L = sum(R * output)} for a fixed random R, and for the input and
 * each parameter the backward pass' gradient g is checked along random directions v,
 * {@code <g, v>} against {@code (L(w + eps v) - L(w - eps v)) / 2 eps} (Checks). The float
 * model's output is checked against DoubleKeras too, and each gradient entry by entry against
 * the Java backend's. Biases get random values first: they start at zero, where a bias applied
 * in the wrong place would go unseen.
 */
class GradientTest {
    /**
     * {@code vocabulary > 0}: the input is ids; {@code maskedIds}: the loss ignores id 0's outputs, as masked layers after
     * it would; {@code paddedTail}: the first sequence's last ids are 0.
     */
    record Case(String name, int[] inputShape, int vocabulary, boolean maskedIds, int paddedTail, Supplier<List<Layer>> layers) {
        Case(String name, int[] inputShape, int vocabulary, boolean maskedIds, Supplier<List<Layer>> layers) {
            this(name, inputShape, vocabulary, maskedIds, 0, layers);
        }

        Case(String name, int[] inputShape, int vocabulary, Supplier<List<Layer>> layers) {
            this(name, inputShape, vocabulary, false, layers);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("Dense tanh", new int[] {6}, 0, () -> List.of(new Dense(5, Activation.TANH))));
        c.add(new Case("Dense linear", new int[] {6}, 0, () -> List.of(new Dense(5))));
        c.add(new Case("Dense relu6", new int[] {6}, 0, () -> List.of(new Dense(5, Activation.RELU6))));
        c.add(new Case("Dense leaky relu alpha 0.3 (fused)", new int[] {6}, 0,
                () -> List.of(new Dense(5, Activation.LEAKY_RELU).alpha(0.3f))));
        c.add(new Case("Dense relu", new int[] {7}, 0, () -> List.of(new Dense(9, Activation.RELU))));
        c.add(new Case("Dense gelu (unfused)", new int[] {5}, 0, () -> List.of(new Dense(4, Activation.GELU))));
        c.add(new Case("Dense exponential", new int[] {5}, 0, () -> List.of(new Dense(4, Activation.EXPONENTIAL))));
        c.add(new Case("Dense leaky relu alpha -0.5 (unfused)", new int[] {5}, 0,
                () -> List.of(new Dense(4, Activation.LEAKY_RELU).alpha(-0.5f))));
        c.add(new Case("Dense softmax", new int[] {6}, 0, () -> List.of(new Dense(4, Activation.SOFTMAX))));
        c.add(new Case("Dense sigmoid without bias on [steps, features]", new int[] {3, 4}, 0,
                () -> List.of(new Dense(5, Activation.SIGMOID).useBias(false))));
        c.add(new Case("Conv2D 3x3 tanh", new int[] {6, 5, 3}, 0, () -> List.of(new Conv2D(4, 3, Activation.TANH))));
        c.add(new Case("Conv2D 3x3 stride 2 same relu6", new int[] {7, 6, 2}, 0,
                () -> List.of(new Conv2D(3, 3, Activation.RELU6).strides(2).padding(Padding.SAME))));
        c.add(new Case("Conv2D 2x3 dilation 2 groups 2 explicit padding", new int[] {7, 8, 4}, 0,
                () -> List.of(new Conv2D(6, 2, 3).dilation(2).groups(2).padding(1, 2))));
        c.add(new Case("Conv2D 3x3 16 to 16 channels same on 9x10 (Winograd forward and for both gradients, partial tiles)",
                new int[] {9, 10, 16}, 0,
                () -> List.of(new Conv2D(16, 3, Activation.TANH).padding(Padding.SAME))));
        c.add(new Case("Conv2D 3x3 on a 70x70 image (the kernel's gradient summed in several chunks)",
                new int[] {70, 70, 1}, 0, () -> List.of(new Conv2D(3, 3, Activation.TANH))));
        c.add(new Case("Conv2D 1x1 on [steps, features]", new int[] {1, 3, 5}, 0, () -> List.of(new Conv2D(7, 1))));
        c.add(new Case("Conv2D 3x3 stride 2 without bias", new int[] {7, 8, 3}, 0,
                () -> List.of(new Conv2D(4, 3).strides(2).useBias(false))));
        c.add(new Case("DepthwiseConv2D 3x3 multiplier 2 same sigmoid", new int[] {5, 5, 3}, 0,
                () -> List.of(new DepthwiseConv2D(3, 2).padding(Padding.SAME).activation(Activation.SIGMOID))));
        c.add(new Case("DepthwiseConv2D 3x3 stride 2 without bias", new int[] {7, 6, 3}, 0,
                () -> List.of(new DepthwiseConv2D(3).strides(2).useBias(false))));
        c.add(new Case("DepthwiseConv2D 2x2 dilation 2 same tanh", new int[] {6, 5, 2}, 0,
                () -> List.of(new DepthwiseConv2D(2).dilation(2).padding(Padding.SAME).activation(Activation.TANH))));
        c.add(new Case("Conv1D 3 same leaky relu", new int[] {9, 3}, 0,
                () -> List.of(new Conv1D(4, 3, Activation.LEAKY_RELU).padding(Padding.SAME))));
        c.add(new Case("Conv1D causal dilation 2 relu", new int[] {9, 3}, 0,
                () -> List.of(new Conv1D(4, 3, Activation.RELU).padding(Padding.CAUSAL).dilation(2))));
        c.add(new Case("Dense after Dropout at rate 0 (the identity)", new int[] {5}, 0,
                () -> List.of(new Dropout(0f), new Dense(3, Activation.TANH))));
        c.add(new Case("MaxPool2D 2", new int[] {6, 6, 3}, 0, () -> List.of(new MaxPool2D(2))));
        c.add(new Case("MaxPool2D 3 stride 2 same (overlapping)", new int[] {7, 6, 2}, 0,
                () -> List.of(new MaxPool2D(3).strides(2).padding(Padding.SAME))));
        c.add(new Case("AvgPool2D 2 same on odd sizes", new int[] {5, 7, 3}, 0,
                () -> List.of(new AvgPool2D(2).padding(Padding.SAME))));
        c.add(new Case("AvgPool1D 3 stride 1", new int[] {8, 2}, 0, () -> List.of(new AvgPool1D(3).strides(1))));
        c.add(new Case("GlobalAvgPool2D", new int[] {4, 3, 5}, 0, () -> List.of(new GlobalAvgPool2D())));
        c.add(new Case("GlobalMaxPool1D", new int[] {6, 4}, 0, () -> List.of(new GlobalMaxPool1D())));
        c.add(new Case("GlobalMaxPool2D", new int[] {3, 4, 5}, 0, () -> List.of(new GlobalMaxPool2D())));
        c.add(new Case("GlobalAvgPool1D", new int[] {5, 3}, 0, () -> List.of(new GlobalAvgPool1D())));
        c.add(new Case("MaxPool1D 2 same on an odd length", new int[] {7, 3}, 0,
                () -> List.of(new MaxPool1D(2).padding(Padding.SAME))));
        for (Activation a : Activation.values()) {
            c.add(new Case("ActivationLayer " + a, new int[] {3, 4}, 0, () -> List.of(new ActivationLayer(a))));
        }
        c.add(new Case("Embedding then Flatten and Dense", new int[] {5}, 7,
                () -> List.of(new Embedding(7, 3), new Flatten(), new Dense(2, Activation.TANH))));
        c.add(new Case("Embedding maskZero", new int[] {6}, 5, true, () -> List.of(new Embedding(5, 3).maskZero(true))));
        for (boolean resetAfter : new boolean[] {true, false}) {
            c.add(new Case("GRU resetAfter " + resetAfter + " returnSequences", new int[] {4, 3}, 0,
                    () -> List.of(new GRU(5).resetAfter(resetAfter).returnSequences(true))));
            c.add(new Case("GRU resetAfter " + resetAfter + " goBackwards", new int[] {5, 3}, 0,
                    () -> List.of(new GRU(4).resetAfter(resetAfter).goBackwards(true))));
        }
        c.add(new Case("LSTM", new int[] {5, 3}, 0, () -> List.of(new LSTM(4))));
        c.add(new Case("LSTM returnSequences goBackwards without bias", new int[] {4, 2}, 0,
                () -> List.of(new LSTM(3).returnSequences(true).goBackwards(true).useBias(false))));
        c.add(new Case("LSTM leaky_relu (Keras' slope 0.2)", new int[] {4, 3}, 0,
                () -> List.of(new LSTM(3).activation(Activation.LEAKY_RELU))));
        c.add(new Case("GRU leaky_relu recurrent activation, slope 0.3", new int[] {4, 3}, 0,
                () -> List.of(new GRU(3).recurrentActivation(Activation.LEAKY_RELU).alpha(0.3f).returnSequences(true))));
        // Activations whose derivative needs their input: training keeps what they took.
        c.add(new Case("SimpleRNN gelu returnSequences", new int[] {4, 3}, 0,
                () -> List.of(new SimpleRNN(4).activation(Activation.GELU).returnSequences(true))));
        c.add(new Case("SimpleRNN leaky_relu slope -0.4 goBackwards", new int[] {4, 3}, 0,
                () -> List.of(new SimpleRNN(3).activation(Activation.LEAKY_RELU).alpha(-0.4f).goBackwards(true))));
        c.add(new Case("LSTM gelu returnSequences", new int[] {4, 3}, 0,
                () -> List.of(new LSTM(3).activation(Activation.GELU).returnSequences(true))));
        c.add(new Case("LSTM 20 units leaky_relu slope -0.3 (whole and partial vectors)", new int[] {3, 5}, 0,
                () -> List.of(new LSTM(20).activation(Activation.LEAKY_RELU).alpha(-0.3f))));
        for (boolean resetAfter : new boolean[] {true, false}) {
            c.add(new Case("GRU resetAfter " + resetAfter + " gelu, 20 units returnSequences", new int[] {3, 4}, 0,
                    () -> List.of(new GRU(20).resetAfter(resetAfter).activation(Activation.GELU).returnSequences(true))));
        }
        c.add(new Case("LSTM relu/hard sigmoid-like activations", new int[] {4, 3}, 0,
                () -> List.of(new LSTM(3).activation(Activation.RELU).recurrentActivation(Activation.SIGMOID))));
        c.add(new Case("LSTM 64 units returnSequences (a small batch splits the units over threads)", new int[] {3, 5}, 0,
                () -> List.of(new LSTM(64).returnSequences(true))));
        c.add(new Case("LSTM 64 units over 130 features (part of a vector left in the projection and the input's gradient)",
                new int[] {3, 130}, 0,
                () -> List.of(new LSTM(64))));
        for (boolean resetAfter : new boolean[] {true, false}) {
            c.add(new Case("GRU 64 units resetAfter " + resetAfter + " (units split over threads)", new int[] {3, 5}, 0,
                    () -> List.of(new GRU(64).resetAfter(resetAfter))));
        }
        c.add(new Case("SimpleRNN tanh returnSequences", new int[] {5, 3}, 0,
                () -> List.of(new SimpleRNN(4).returnSequences(true))));
        c.add(new Case("SimpleRNN goBackwards without bias", new int[] {5, 3}, 0,
                () -> List.of(new SimpleRNN(4).goBackwards(true).useBias(false))));
        c.add(new Case("GRU without bias", new int[] {4, 3}, 0, () -> List.of(new GRU(3).useBias(false))));
        c.add(new Case("stacked LSTM then GRU", new int[] {4, 3}, 0,
                () -> List.of(new LSTM(4).returnSequences(true), new GRU(3))));
        for (Bidirectional.Merge merge : Bidirectional.Merge.values()) {
            c.add(new Case("Bidirectional LSTM " + merge, new int[] {4, 3}, 0,
                    () -> List.of(new Bidirectional(new LSTM(3).returnSequences(true), merge))));
        }
        for (Bidirectional.Merge merge : Bidirectional.Merge.values()) {
            c.add(new Case("Bidirectional GRU " + merge + " last state", new int[] {4, 2}, 0,
                    () -> List.of(new Bidirectional(new GRU(3), merge))));
        }
        c.add(new Case("Bidirectional SimpleRNN SUM", new int[] {4, 2}, 0,
                () -> List.of(new Bidirectional(new SimpleRNN(3).returnSequences(true), Bidirectional.Merge.SUM))));
        c.add(new Case("masked Embedding then Bidirectional LSTM CONCAT", new int[] {6}, 5, true,
                () -> List.of(new Embedding(5, 3).maskZero(true), new Bidirectional(new LSTM(3).returnSequences(true)))));
        c.add(new Case("masked Embedding then LSTM (seed RNN shape)", new int[] {6}, 5,
                () -> List.of(new Embedding(5, 3).maskZero(true), new LSTM(4), new Dense(3, Activation.SOFTMAX))));
        c.add(new Case("masked Embedding, Dense, then LSTM (gradients through the masked steps)", new int[] {6}, 5,
                () -> List.of(new Embedding(5, 3).maskZero(true), new Dense(4, Activation.TANH), new LSTM(3))));
        c.add(new Case("masked Embedding then GlobalAvgPool1D over the valid steps", new int[] {6}, 5,
                () -> List.of(new Embedding(5, 3).maskZero(true), new GlobalAvgPool1D(), new Dense(3, Activation.SOFTMAX))));
        c.add(new Case("masked Embedding then GRU returnSequences", new int[] {6}, 5,
                () -> List.of(new Embedding(5, 3).maskZero(true), new GRU(3).returnSequences(true))));
        // Keras' zero_output_for_mask: false (above) repeats the output before a masked step, so its gradient moves there.
        c.add(new Case("masked Embedding then LSTM returnSequences goBackwards", new int[] {7}, 4,
                () -> List.of(new Embedding(4, 3).maskZero(true), new LSTM(3).returnSequences(true).goBackwards(true))));
        c.add(new Case("masked Embedding then SimpleRNN zeroOutputForMask", new int[] {6}, 3,
                () -> List.of(new Embedding(3, 2).maskZero(true), new SimpleRNN(3).zeroOutputForMask(true))));
        // A first sequence that ends in padding: its last output is then a masked step's, zeros with zeroOutputForMask (Keras).
        c.add(new Case("masked Embedding then SimpleRNN zeroOutputForMask, padded tail", new int[] {6}, 3, false, 2,
                () -> List.of(new Embedding(3, 2).maskZero(true), new SimpleRNN(3).zeroOutputForMask(true))));
        c.add(new Case("masked Embedding then LSTM goBackwards, padded tail", new int[] {6}, 4, false, 2,
                () -> List.of(new Embedding(4, 3).maskZero(true), new LSTM(3).goBackwards(true))));
        c.add(new Case("masked Embedding then Bidirectional GRU last state, padded tail", new int[] {6}, 4, false, 2,
                () -> List.of(new Embedding(4, 3).maskZero(true), new Bidirectional(new GRU(3)))));
        c.add(new Case("masked Embedding then GRU returnSequences zeroOutputForMask", new int[] {6}, 4,
                () -> List.of(new Embedding(4, 3).maskZero(true), new GRU(3).returnSequences(true).zeroOutputForMask(true))));
        c.add(new Case("small seed CNN", new int[] {8, 8, 1}, 0, () -> List.of(new Conv2D(4, 3, Activation.RELU),
                new MaxPool2D(2), new Conv2D(5, 2, Activation.RELU), new Flatten(), new Dense(6, Activation.RELU),
                new Dense(3, Activation.SOFTMAX))));
        return c;
    }

    static Stream<Arguments> casesOnEveryVariant() {
        return cases().stream().flatMap(c -> Variant.all().stream().map(v -> Arguments.of(c, v)));
    }

    /** The gradients of one step, in double: the input's (null for ids), then each parameter's. */
    private record Gradients(double[] input, List<double[]> parameters) {}

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("casesOnEveryVariant")
    void gradientsMatchFiniteDifferencesAndTheJavaBackend(Case c, Variant variant) {
        Gradients java = check(c, Variant.JAVA);
        if (variant == Variant.JAVA) return;
        Gradients nativeGradients = check(c, variant);
        String context = c + " on " + variant;
        if (java.input() != null) assertClose(context + ": input gradient", java.input(), nativeGradients.input());
        for (int i = 0; i < java.parameters().size(); i++) {
            assertClose(context + ": parameter " + i + " gradient", java.parameters().get(i),
                    nativeGradients.parameters().get(i));
        }
    }

    private static Gradients check(Case c, Variant variant) {
        Backend backend = variant.activate();
        String context = c + " on " + variant;
        Random random = new Random(c.name().hashCode());
        List<Layer> layers = c.layers().get();
        Sequential model = new Sequential(c.inputShape()).backend(backend).threads(2);
        for (Layer layer : layers) model.add(layer);
        int batch = 2;
        try (model; Tensor input = backend.allocate(batchShape(batch, c.inputShape()))) {
            model.build();
            float[] x = new float[Math.toIntExact(input.size())];
            for (int i = 0; i < x.length; i++) {
                // ids include 0 (masked where the layer says so); values avoid ReLU kinks only by chance, as in training
                x[i] = c.vocabulary() > 0 ? random.nextInt(c.vocabulary()) : random.nextFloat() * 2f - 1f;
            }
            int steps = x.length / batch;
            for (int i = steps - c.paddedTail(); i < steps; i++) x[i] = 0; // the first sequence's padding: id 0, masked
            input.copyFrom(x);
            for (Parameter p : model.parameters()) {
                if (!p.name().equals("bias")) continue;
                float[] b = p.get();
                for (int i = 0; i < b.length; i++) b[i] += (random.nextFloat() * 2f - 1f) * 0.5f;
                p.set(b);
            }
            Tensor output = model.forwardTraining(input, null);
            int[] outputShape = output.shape();
            float[] y = output.toArray();
            float[] r = Checks.random(random, y.length);
            if (c.maskedIds()) {
                int width = r.length / x.length;
                for (int i = 0; i < x.length; i++) if (x[i] == 0f) java.util.Arrays.fill(r, i * width, (i + 1) * width, 0f);
            }
            Gradients analytic;
            try (Tensor dOutput = backend.allocate(outputShape).copyFrom(r)) {
                Tensor dInput = model.backward(dOutput);
                if (c.vocabulary() > 0) assertNull(dInput, context + ": ids get no gradient");
                else assertNotNull(dInput, context + ": input gradient");
                List<double[]> parameters = new ArrayList<>();
                for (Parameter p : model.parameters()) parameters.add(Checks.toDouble(p.gradient().toArray()));
                analytic = new Gradients(dInput == null ? null : Checks.toDouble(dInput.toArray()), parameters);
            }
            List<JsonObject> configs = layers.stream().map(LayerConfig::of).toList();
            List<Parameter> parameters = model.parameters();
            List<double[]> weights = new ArrayList<>();
            for (Parameter p : parameters) weights.add(Checks.toDouble(p.get()));
            double[] x0 = Checks.toDouble(x), rd = Checks.toDouble(r);
            Checks.assertMatchesDouble(context + ": output", DoubleKeras.forward(configs, weights, c.inputShape(), batch, x0), y);
            if (analytic.input() != null) {
                Checks.assertDirectionalDerivatives(context + ": input", analytic.input(), random, shift ->
                        Checks.dot(rd, DoubleKeras.forward(configs, weights, c.inputShape(), batch, Checks.shifted(x0, shift))));
            }
            for (int p = 0; p < parameters.size(); p++) {
                int index = p;
                Checks.assertDirectionalDerivatives(context + ": " + parameters.get(p).describe(), analytic.parameters().get(p),
                        random, shift -> {
                            List<double[]> moved = new ArrayList<>(weights);
                            moved.set(index, Checks.shifted(weights.get(index), shift));
                            return Checks.dot(rd, DoubleKeras.forward(configs, moved, c.inputShape(), batch, x0));
                        });
            }
            return analytic;
        }
    }

    /**
     * An embedding table's gradient comes as the rows of the batch's ids, ascending, once each:
     * not padding (id 0 under maskZero), not an id seen only past a sequence's length. The
     * values are checked by finite differences above, through the gradient written out whole,
     * which must be zero on every other row.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void embeddingGradientIsTheRowsOfTheUnmaskedIds(Variant variant) {
        Backend backend = variant.activate();
        float[] ids = {5, 9, 5, 0, 0, 0, 12, 39, 9, 3};
        float[] lengths = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0}; // the second sequence ends before its id 3
        try (Sequential model = new Sequential(5).add(new Embedding(40, 3).maskZero(true)).add(new LSTM(2))
                .backend(backend).threads(2).build();
             Tensor input = backend.allocate(2, 5).copyFrom(ids); Tensor mask = backend.allocate(2, 5).copyFrom(lengths);
             Tensor dOutput = backend.allocate(2, 2).copyFrom(new float[] {0.5f, -1f, 2f, 0.25f})) {
            model.forwardTraining(input, mask);
            model.backward(dOutput);
            Parameter table = model.parameters().get(0);
            org.neurite.RowGradient rows = table.rowGradient();
            assertNotNull(rows, variant + ": the table's gradient as rows");
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {5, 9, 12, 39}, rows.rowIds(), variant + ": rows");
            float[] values = rows.rowValues(), whole = table.gradient().toArray();
            Checks.assertNotMostlyZeros(variant + ": row gradients", values, 0.5);
            for (int row = 0, k = 0; row < 40; row++) {
                boolean listed = k < 4 && rows.rowIds()[k] == row;
                for (int j = 0; j < 3; j++) {
                    assertEquals(listed ? values[k * 3 + j] : 0f, whole[row * 3 + j], variant + ": row " + row + ", column " + j);
                }
                if (listed) k++;
            }
            assertNull(table.rowGradient(), "once written out whole, the gradient is the dense tensor");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void seedCnnGradientsAreBitwiseTheSameOnOneAndTwoThreadsAndOnEveryCall(Variant variant) {
        Random random = new Random(7);
        float[] x = new float[8 * 28 * 28];
        for (int i = 0; i < x.length; i++) x[i] = random.nextFloat();
        assertDeterministic("seed CNN", SeedCnnTest::seedCnn, variant, x, new int[] {8, 28, 28, 1}, 10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void seedRnnGradientsAreBitwiseTheSameOnOneAndTwoThreadsAndOnEveryCall(Variant variant) {
        Random random = new Random(8);
        float[] ids = new float[8 * 100];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 100 < 10 * (i / 100 + 1) ? random.nextInt(10000) : 0; // padded tails
        assertDeterministic("seed RNN", SeedRnnTest::seedRnn, variant, ids, new int[] {8, 100}, 10);
    }

    /**
     * The input's and every parameter's gradient: 1 and 2 threads, and two calls, give the same
     * bits; a step that skips the input's gradient gives the same parameter gradients.
     */
    private static void assertDeterministic(String name, Supplier<Sequential> model, Variant variant, float[] x,
                                            int[] inputShape, int outputs) {
        Backend backend = variant.activate();
        float[] r = Checks.random(new Random(9), inputShape[0] * outputs);
        List<List<float[]>> runs = new ArrayList<>();
        int[] threadCounts = {1, 2, 2, 2};
        for (int run = 0; run < threadCounts.length; run++) {
            boolean inputGradient = run < 3;
            try (Sequential m = model.get().backend(backend).threads(threadCounts[run]).build();
                 Tensor input = backend.allocate(inputShape).copyFrom(x);
                 Tensor dOutput = backend.allocate(inputShape[0], outputs).copyFrom(r)) {
                m.forwardTraining(input, null);
                List<float[]> gradients = new ArrayList<>();
                Tensor dInput = m.backward(dOutput, inputGradient);
                if (!inputGradient) assertNull(dInput, name + ": no input gradient asked for");
                for (Parameter p : m.parameters()) gradients.add(p.gradient().toArray());
                if (dInput != null) gradients.add(dInput.toArray());
                runs.add(gradients);
            }
        }
        for (int g = 0; g < runs.get(0).size(); g++) {
            String context = name + " on " + variant + ", gradient " + g;
            Checks.assertNotMostlyZeros(context, runs.get(0).get(g), 0.01);
            Checks.assertBitwiseEqual(context + ", 1 and 2 threads", runs.get(0).get(g), runs.get(1).get(g));
            Checks.assertBitwiseEqual(context + ", two calls", runs.get(1).get(g), runs.get(2).get(g));
            if (g < runs.get(3).size()) {
                Checks.assertBitwiseEqual(context + ", without the input's gradient", runs.get(2).get(g), runs.get(3).get(g));
            }
        }
    }

    /** Ties send the gradient to the window's first maximum (row-major, as Keras and PyTorch); a NaN takes it from them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void maxPoolingRoutesTheGradientToTheFirstMaximumOrNaN(Variant variant) {
        Backend backend = variant.activate();
        float nan = Float.NaN;
        // 2x2 windows over 34 channels (whole vectors on each ISA, then a part of one), in pairs: the even
        // channels tie at cells 1 and 2; the odd ones have NaNs at cells 1 and 3, and a larger number between them
        float[] pair = {1, 4, 3, nan, 3, 5, 2, nan}, dPair = {10, 20}, dxPair = {0, 0, 10, 20, 0, 0, 0, 0};
        int channels = 34, pairs = channels / 2;
        float[] x = new float[4 * channels], dy = new float[channels], expected = new float[4 * channels];
        for (int cell = 0; cell < 4; cell++) {
            for (int c = 0; c < channels; c++) {
                x[cell * channels + c] = pair[cell * 2 + c % 2];
                expected[cell * channels + c] = dxPair[cell * 2 + c % 2] * (1 + c / 2);
            }
        }
        for (int c = 0; c < channels; c++) dy[c] = dPair[c % 2] * (1 + c / 2);
        try (Sequential model = new Sequential(2, 2, channels).add(new MaxPool2D(2)).backend(backend).build();
             Tensor input = backend.allocate(1, 2, 2, channels).copyFrom(x);
             Tensor dOutput = backend.allocate(1, 1, 1, channels).copyFrom(dy)) {
            float[] y = model.forwardTraining(input, null).toArray();
            for (int p = 0; p < pairs; p++) {
                assertEquals(3f, y[2 * p], "max of channel " + 2 * p + " on " + variant);
                assertTrue(Float.isNaN(y[2 * p + 1]), "NaN in, NaN out, channel " + (2 * p + 1) + " on " + variant);
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, model.backward(dOutput).toArray(),
                    "input gradient on " + variant);
        }
    }

    /** Keras' mask_zero: the padding id's row gets no gradient even where the output gradient is not zero there. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void maskedIdsGetNoGradient(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = new Sequential(4).add(new Embedding(3, 2).maskZero(true)).backend(backend).build();
             Tensor ids = backend.allocate(2, 4).copyFrom(new float[] {0, 1, 2, 1, 2, 0, 0, 1});
             Tensor dOutput = backend.allocate(2, 4, 2)) {
            float[] r = new float[16];
            for (int i = 0; i < r.length; i++) r[i] = i + 1;
            dOutput.copyFrom(r);
            model.forwardTraining(ids, null);
            model.backward(dOutput);
            // row 1 from positions 1, 3, 7; row 2 from positions 2, 4; id 0 (positions 0, 5, 6) masked
            float[] expected = {0, 0, 3 + 7 + 15, 4 + 8 + 16, 5 + 9, 6 + 10};
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, model.parameters().get(0).gradient().toArray(),
                    "table gradient on " + variant);
        }
    }

    private static void assertClose(String context, double[] expected, double[] actual) {
        double scale = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        assertEquals(expected.length, actual.length, context + ": size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * scale + 1e-7, context + " at " + i);
        }
    }

    private static int[] batchShape(int batch, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}

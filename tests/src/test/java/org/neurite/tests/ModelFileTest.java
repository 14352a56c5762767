package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.data.Dataset;
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
import org.neurite.layers.MaxPool1D;
import org.neurite.layers.MaxPool2D;
import org.neurite.layers.SimpleRNN;
import org.neurite.train.AdamW;
import org.neurite.train.Fit;
import org.neurite.train.Loss;
import org.neurite.train.Metric;

/** Model files: round trips of every layer type on every backend, training resumed bitwise, and broken files refused. */
class ModelFileTest {
    @TempDir
    Path dir;

    /** Models that between them hold every layer type with non-default options, and inputs for them. */
    record Case(String name, Function<Backend, Sequential> model, int[] inputShape, boolean ids) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("images", b -> new Sequential(10, 10, 4).seed(3).backend(b)
                        .add(new Conv2D(8, 3).padding(1, 1).strides(1, 2).activation(Activation.LEAKY_RELU).alpha(0.1f))
                        .add(new DepthwiseConv2D(3, 2).padding(Padding.SAME).activation(Activation.RELU6))
                        .add(new MaxPool2D(2).padding(Padding.SAME)).add(new AvgPool2D(2, 1).strides(1))
                        .add(new Dropout(0.3f)).add(new Flatten()).add(new Dense(5, Activation.SOFTMAX).name("classes")),
                        new int[] {10, 10, 4}, false),
                new Case("grouped, global average", b -> new Sequential(6, 6, 4).seed(4).backend(b)
                        .add(new Conv2D(4, 3).groups(2).dilation(1, 2).useBias(false)).add(new GlobalAvgPool2D())
                        .add(new Dense(3).activation(Activation.GELU)), new int[] {6, 6, 4}, false),
                new Case("global max", b -> new Sequential(5, 5, 2).seed(5).backend(b).add(new GlobalMaxPool2D())
                        .add(new ActivationLayer(Activation.SIGMOID)), new int[] {5, 5, 2}, false),
                new Case("recurrent", b -> new Sequential(9).seed(6).backend(b).add(new Embedding(20, 6).maskZero(true))
                        .add(new Bidirectional(new GRU(5).resetAfter(false).returnSequences(true), Bidirectional.Merge.SUM))
                        .add(new LSTM(4).unitForgetBias(false).returnSequences(true).goBackwards(true))
                        .add(new SimpleRNN(3).returnSequences(true).activation(Activation.LEAKY_RELU).alpha(0.35f).zeroOutputForMask(true))
                        .add(new Conv1D(4, 3).padding(Padding.CAUSAL)).add(new MaxPool1D(2)).add(new AvgPool1D(2).padding(Padding.SAME))
                        .add(new GlobalAvgPool1D()).add(new ActivationLayer(Activation.LEAKY_RELU, 0.3f)).add(new Dense(2)),
                        new int[] {9}, true),
                new Case("sequence features", b -> new Sequential(7, 3).seed(7).backend(b)
                        .add(new Conv1D(5, 2).padding(0, 1).strides(1, 2)).add(new Bidirectional(new LSTM(3).returnSequences(true)))
                        .add(new GlobalMaxPool1D()), new int[] {7, 3}, false));
    }

    static Stream<Object[]> matrix() {
        return cases().stream().flatMap(c -> Variant.all().stream().map(v -> new Object[] {c, v}));
    }

    private static float[] input(Case c, int batch) {
        Random random = new Random(1);
        int size = batch * Arrays.stream(c.inputShape).reduce(1, (a, b) -> a * b);
        float[] x = Checks.random(random, size);
        if (c.ids) for (int i = 0; i < size; i++) x[i] = i % 9 > 6 ? 0 : 1 + random.nextInt(19);
        return x;
    }

    private static int[] batchShape(Case c, int batch) {
        int[] shape = new int[c.inputShape.length + 1];
        shape[0] = batch;
        System.arraycopy(c.inputShape, 0, shape, 1, c.inputShape.length);
        return shape;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("matrix")
    void aSavedModelLoadsWithTheSameLayersWeightsAndOutputs(Case c, Variant variant) throws IOException {
        Backend backend = variant.activate();
        Path file = dir.resolve("model.safetensors");
        float[] x = input(c, 3);
        float[] before;
        String summary;
        try (Sequential model = c.model.apply(backend).build(); Tensor in = backend.allocate(batchShape(c, 3)).copyFrom(x)) {
            for (var p : model.parameters()) { // not the initial weights: a file that lost them would still match those
                float[] v = p.get();
                for (int i = 0; i < v.length; i++) v[i] += 0.01f * (i % 7 - 3);
                p.set(v);
            }
            try (Tensor out = model.predict(in)) {
                before = out.toArray();
            }
            summary = model.summary();
            model.save(file);
        }
        try (Sequential loaded = Sequential.load(file, backend); Tensor in = backend.allocate(batchShape(c, 3)).copyFrom(x);
             Tensor out = loaded.predict(in)) {
            assertEquals(summary, loaded.summary(), c + ": layers, names and shapes");
            Checks.assertBitwiseEqual(c + " on " + variant + ": outputs after loading", before, out.toArray());
            assertFalse(loaded.isCompiled(), "an uncompiled model loads uncompiled");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aModelSavedNativelyLoadsOnTheJavaBackend(Case c) throws IOException {
        Backend nativeBackend = Variant.bestNative().activate(), java = Variant.JAVA.activate();
        Path file = dir.resolve("native.safetensors");
        float[] x = input(c, 2), expected, actual;
        try (Sequential model = c.model.apply(nativeBackend).build(); Tensor in = nativeBackend.allocate(batchShape(c, 2)).copyFrom(x);
             Tensor out = model.predict(in)) {
            expected = out.toArray();
            model.save(file);
        }
        try (Sequential loaded = Sequential.load(file, java); Tensor in = java.allocate(batchShape(c, 2)).copyFrom(x);
             Tensor out = loaded.predict(in)) {
            assertEquals("java", loaded.backend().name());
            actual = out.toArray();
        }
        Checks.assertCloseToScale(c + ": native model, Java backend", expected, actual);
    }

    @Test
    void theFileIsStandardSafetensors() throws IOException {
        Backend backend = Variant.bestNative().activate();
        Path file = dir.resolve("m.safetensors");
        try (Sequential model = cases().get(0).model.apply(backend).build()) {
            model.save(file);
            byte[] bytes = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, headerLength % 8, "the data starts 8-byte aligned");
            String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
            var json = com.google.gson.JsonParser.parseString(header).getAsJsonObject();
            var kernel = json.getAsJsonObject("conv2d/kernel");
            assertEquals("F32", kernel.get("dtype").getAsString());
            assertEquals("[3,3,4,8]", kernel.get("shape").toString(), "Keras' HWIO layout");
            long begin = kernel.getAsJsonArray("data_offsets").get(0).getAsLong();
            float first = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat((int) (8 + headerLength + begin));
            assertEquals(model.layer("conv2d").getWeights().get(0).get(0), first, 0f, "little-endian floats where the header says");
            assertTrue(json.getAsJsonObject("__metadata__").get("config").getAsString().contains("\"class_name\":\"DepthwiseConv2D\""));
            assertEquals(bytes.length, 8 + headerLength + json.getAsJsonObject("classes/bias").getAsJsonArray("data_offsets").get(1).getAsLong());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void trainingResumedFromAFileEqualsUninterruptedTrainingBitwise(Variant variant) throws IOException {
        Backend backend = variant.activate();
        Case c = cases().get(0); // with Dropout: its masks must continue too
        Random random = new Random(2);
        int n = 48;
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) labels[i] = random.nextInt(5);
        Dataset data = Dataset.of(input(c, n), c.inputShape, labels);
        List<float[]> straight, resumed;
        try (Sequential model = c.model.apply(backend).compile(new AdamW().clipNorm(1), Loss.sparseCategoricalCrossentropy(), Metric.ACCURACY)) {
            model.fit(data, Fit.epochs(2).batchSize(16));
            straight = model.getWeights().stream().map(Tensor::toArray).toList();
        }
        Path file = dir.resolve("checkpoint.safetensors");
        try (Sequential model = c.model.apply(backend).compile(new AdamW().clipNorm(1), Loss.sparseCategoricalCrossentropy(), Metric.ACCURACY)) {
            model.fit(data, Fit.epochs(1).batchSize(16));
            model.save(file);
        }
        try (Sequential model = Sequential.load(file, backend)) {
            assertTrue(model.isCompiled());
            assertEquals("adamw", model.optimizer().name());
            assertEquals(3, model.optimizer().iterations());
            assertEquals(List.of(Metric.ACCURACY), model.metrics());
            model.fit(data, Fit.epochs(2).batchSize(16).initialEpoch(1));
            resumed = model.getWeights().stream().map(Tensor::toArray).toList();
        }
        for (int i = 0; i < straight.size(); i++) Checks.assertBitwiseEqual(variant + ": weight " + i, straight.get(i), resumed.get(i));
    }

    @Test
    void aFailedSaveLeavesThePreviousFileAndNoTemporaryFiles() throws IOException {
        Backend backend = Variant.bestNative().activate();
        Path file = dir.resolve("keep.safetensors");
        try (Sequential model = cases().get(1).model.apply(backend).build()) {
            model.save(file);
        }
        byte[] original = Files.readAllBytes(file);
        Layer unknown = new Layer() { // a layer type model files do not know
            @Override
            protected int[] outputShapeFor(int[] inputShape) {
                return inputShape;
            }

            @Override
            protected Tensor run(Tensor input, Tensor output, int threads) {
                return output.copyFrom(input);
            }
        };
        try (Sequential model = new Sequential(4).add(new Dense(3)).add(unknown).backend(backend).build()) {
            assertThrows(IllegalArgumentException.class, () -> model.save(file));
        }
        assertArrayEquals(original, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void brokenAndHostileFilesGiveClearErrors() throws IOException {
        Backend backend = Variant.bestNative().activate();
        Path good = dir.resolve("good.safetensors");
        try (Sequential model = cases().get(1).model.apply(backend).build()) {
            model.save(good);
        }
        byte[] bytes = Files.readAllBytes(good);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        Object[][] cases = {
                {Arrays.copyOf(bytes, 5), "truncated"},
                {Arrays.copyOf(bytes, bytes.length - 3), "outside"},
                {withLength(bytes, Long.MAX_VALUE), "header length"},
                {withLength(bytes, -8), "header length"},
                {withHeader(bytes, header.replace("\"F32\"", "\"F16\"")), "dtype F16"},
                {withHeader(bytes, header.replaceFirst("\"shape\":\\[3,3,2,4\\]", "\"shape\":[3,3,4,2]")), "shape [3, 3, 4, 2]"},
                {withHeader(bytes, header.replaceFirst("\"data_offsets\":\\[0,", "\"data_offsets\":[999999999,")), "outside"},
                {withHeader(bytes, header.replace("GlobalAvgPool2D", "GlobalAvgPool9D")), "unknown layer type 'GlobalAvgPool9D'"},
                {withHeader(bytes, header.replace("\"groups\\\":2", "\"groups\\\":\\\"two\\\"")), "\"groups\" must be an integer"},
                {withHeader(bytes, header.replace("neurite-sequential-1", "other")), "not a Neurite model"},
                {withHeader(bytes, header.replace("dense/kernel", "dense/kernal")), "'dense/kernel' [4, 3] is missing"},
                {withHeader(bytes, "{" + header.substring(2)), "not valid JSON"}, // an unquoted name: lenient parsers accept it
        };
        for (Object[] c : cases) {
            Path file = Files.write(dir.resolve("broken.safetensors"), (byte[]) c[0]);
            IOException e = assertThrows(IOException.class, () -> Sequential.load(file, backend), (String) c[1]);
            assertTrue(e.getMessage().contains((String) c[1]) && e.getMessage().contains(file.toString()),
                    "expected '" + c[1] + "' in: " + e.getMessage());
        }
    }

    private static byte[] withLength(byte[] bytes, long length) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return copy;
    }

    // The same data after a header of the same padded length.
    private static byte[] withHeader(byte[] bytes, String header) {
        long oldLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] json = header.strip().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + bytes.length - 8 - (int) oldLength).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.position() < 8 + padded) b.put((byte) ' ');
        b.put(bytes, 8 + (int) oldLength, bytes.length - 8 - (int) oldLength);
        return b.array();
    }
}

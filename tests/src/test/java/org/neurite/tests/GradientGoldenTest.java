package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Padding;
import org.neurite.Parameter;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.AvgPool2D;
import org.neurite.layers.Conv1D;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;
import org.neurite.layers.Layer;
import org.neurite.layers.MaxPool2D;
import org.neurite.testkit.Weights;

/**
 * PyTorch's gradients as an external reference: for each golden file in
 * tests/golden/gradients (made by make_gradient_goldens.py, Debian's python3-torch), the same
 * layer with the same weights gives the same output and the same gradients for the input and
 * every weight, on every backend.
 */
class GradientGoldenTest {
    static Stream<Arguments> cases() throws IOException {
        Path dir = Path.of(System.getProperty("neurite.golden", "tests/golden"), "gradients");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalStateException("no golden gradients in " + dir.toAbsolutePath());
        return files.stream().flatMap(f -> Variant.all().stream().map(v -> Arguments.of(f.getFileName(), f, v)));
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("cases")
    void matchesPyTorch(Path name, Path file, Variant variant) throws IOException {
        Backend backend = variant.activate();
        Map<String, String> g = PyTorchGoldenTest.read(file);
        String context = name + " on " + variant;
        int batch = integer(g, "batch");
        int[] inputShape;
        Layer layer;
        switch (g.get("layer")) {
            case "conv2d" -> {
                int[] k = integers(g, "kernel_size"), s = integers(g, "stride"), p = integers(g, "padding");
                int[] d = integers(g, "dilation");
                inputShape = new int[] {integer(g, "height"), integer(g, "width"), integer(g, "channels")};
                layer = new Conv2D(integer(g, "filters"), k[0], k[1]).strides(s[0], s[1]).padding(p[0], p[1])
                        .dilation(d[0], d[1]).groups(integer(g, "groups"));
            }
            case "conv1d" -> {
                inputShape = new int[] {integer(g, "steps"), integer(g, "channels")};
                layer = new Conv1D(integer(g, "filters"), integer(g, "kernel_size")).strides(1, integer(g, "stride"))
                        .dilation(1, integer(g, "dilation")).groups(integer(g, "groups"));
                if (g.get("padding").equals("causal")) ((Conv1D) layer).padding(Padding.CAUSAL);
                else ((Conv1D) layer).padding(0, integer(g, "padding"));
            }
            case "maxpool2d", "avgpool2d" -> {
                inputShape = new int[] {integer(g, "height"), integer(g, "width"), integer(g, "channels")};
                int pool = integer(g, "pool"), stride = integer(g, "stride");
                layer = g.get("layer").equals("maxpool2d") ? new MaxPool2D(pool).strides(stride)
                        : new AvgPool2D(pool).strides(stride);
            }
            case "dense" -> {
                inputShape = new int[] {integer(g, "input")};
                layer = new Dense(integer(g, "units"));
            }
            case "lstm", "gru" -> {
                inputShape = new int[] {integer(g, "steps"), integer(g, "input")};
                int units = integer(g, "units");
                layer = g.get("layer").equals("lstm") ? new LSTM(units).returnSequences(true)
                        : new GRU(units).returnSequences(true);
            }
            default -> throw new IllegalStateException(context + ": unknown layer " + g.get("layer"));
        }
        try (Sequential model = new Sequential(inputShape).add(layer).backend(backend).threads(2).build()) {
            List<float[]> weights = new ArrayList<>();
            for (String key : new String[] {"kernel", "recurrent", "bias"}) {
                if (g.containsKey(key)) weights.add(PyTorchGoldenTest.floats(g, key));
            }
            layer.setWeights(Weights.shaped(layer, weights.toArray(float[][]::new)));
            int[] batchShape = new int[inputShape.length + 1];
            batchShape[0] = batch;
            System.arraycopy(inputShape, 0, batchShape, 1, inputShape.length);
            try (Tensor x = backend.allocate(batchShape).copyFrom(PyTorchGoldenTest.floats(g, "x"))) {
                Tensor y = model.forwardTraining(x, null);
                Checks.assertCloseToScale(context + ": output", PyTorchGoldenTest.floats(g, "output"), y.toArray());
                try (Tensor r = backend.allocate(y.shape()).copyFrom(PyTorchGoldenTest.floats(g, "r"))) {
                    Tensor dx = model.backward(r);
                    assertNotNull(dx, context);
                    Checks.assertCloseToScale(context + ": input gradient", PyTorchGoldenTest.floats(g, "d_x"), dx.toArray());
                }
            }
            List<Parameter> parameters = model.parameters();
            String[] gradients = {"d_kernel", "d_recurrent", "d_bias"};
            int p = 0;
            for (String key : gradients) {
                if (!g.containsKey(key)) continue;
                Parameter parameter = parameters.get(p++);
                Checks.assertCloseToScale(context + ": " + parameter.describe() + " gradient", PyTorchGoldenTest.floats(g, key),
                        parameter.gradient().toArray());
            }
            assertEquals(parameters.size(), p, context + ": every parameter's gradient compared");
        }
    }

    private static int integer(Map<String, String> g, String key) {
        return Integer.parseInt(g.get(key).trim());
    }

    private static int[] integers(Map<String, String> g, String key) {
        return Arrays.stream(g.get(key).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
    }
}

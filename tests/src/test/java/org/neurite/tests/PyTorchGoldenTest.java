package org.neurite.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;
import org.neurite.layers.RecurrentLayer;
import org.neurite.testkit.Reference;
import org.neurite.testkit.Weights;

/**
 * PyTorch's nn.LSTM and nn.GRU as a third, external reference: the golden files in
 * tests/golden were made by make_rnn_goldens.py (Debian's python3-torch), with the weights
 * converted to Keras' layout there.
 */
class PyTorchGoldenTest {
    static Stream<Arguments> cases() throws IOException {
        Path dir = Path.of(System.getProperty("neurite.golden", "tests/golden"));
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalStateException("no golden files in " + dir.toAbsolutePath());
        return files.stream().flatMap(f -> Variant.all().stream().map(v -> Arguments.of(f.getFileName(), f, v)));
    }

    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int space = line.indexOf(' ');
            values.put(line.substring(0, space), line.substring(space + 1));
        }
        return values;
    }

    static float[] floats(Map<String, String> values, String key) {
        String text = values.get(key);
        if (text == null) return null;
        String[] parts = text.trim().split(" ");
        float[] f = new float[parts.length];
        for (int i = 0; i < parts.length; i++) f[i] = Float.parseFloat(parts[i]);
        return f;
    }

    private static Reference.Result exact(float[] values) {
        double[] scale = new double[values.length];
        Arrays.fill(scale, 1.0);
        return new Reference.Result(Reference.toDouble(values), scale);
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("cases")
    void matchesPyTorch(Path name, Path file, Variant variant) throws IOException {
        Map<String, String> g = read(file);
        boolean lstm = g.get("cell").equals("lstm");
        int batch = Integer.parseInt(g.get("batch")), steps = Integer.parseInt(g.get("steps"));
        int in = Integer.parseInt(g.get("input")), units = Integer.parseInt(g.get("units"));
        Backend backend = variant.activate();
        RecurrentLayer<?> layer = (lstm ? new LSTM(units) : new GRU(units)).returnSequences(true);
        String context = name + " on " + variant;
        try (Sequential model = new Sequential(steps, in).add(layer).backend(backend).build();
             Tensor x = backend.allocate(batch, steps, in).copyFrom(floats(g, "x"));
             Tensor h0 = backend.allocate(batch, units).copyFrom(floats(g, "h0"));
             Tensor c0 = lstm ? backend.allocate(batch, units).copyFrom(floats(g, "c0")) : null) {
            layer.setWeights(Weights.shaped(layer, floats(g, "kernel"), floats(g, "recurrent"), floats(g, "bias")));
            try (RecurrentLayer.Result r = layer.forwardWithState(x, null, h0, c0, 2)) {
                Checks.assertRanKernelOf(variant, context);
                Checks.assertMatches(context + " output", r.output().toArray(), exact(floats(g, "output")));
                Checks.assertMatches(context + " h", r.finalH().toArray(), exact(floats(g, "hn")));
                if (lstm) Checks.assertMatches(context + " c", r.finalC().toArray(), exact(floats(g, "cn")));
            }
        }
    }
}

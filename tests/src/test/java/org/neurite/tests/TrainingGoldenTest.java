package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Parameter;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.LossKind;
import org.neurite.train.Adam;
import org.neurite.train.AdamW;
import org.neurite.train.Optimizer;
import org.neurite.train.RMSprop;
import org.neurite.train.SGD;

/**
 * PyTorch as an external reference for the optimizers and the losses (tests/golden/training,
 * made by make_training_goldens.py with Debian's python3-torch), on every backend.
 */
class TrainingGoldenTest {
    record Case(String name, Map<String, String> options, Map<String, float[]> values) {}

    static List<Case> read(String file) throws IOException {
        Path path = Path.of(System.getProperty("neurite.golden", "tests/golden"), "training", file);
        List<Case> cases = new ArrayList<>();
        Case current = null;
        for (String line : Files.readAllLines(path)) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] words = line.trim().split("\\s+");
            if (words[0].equals("case")) {
                Map<String, String> options = new LinkedHashMap<>();
                for (int i = 2; i < words.length; i++) {
                    String[] kv = words[i].split("=", 2);
                    options.put(kv[0], kv.length > 1 ? kv[1] : "true");
                }
                cases.add(current = new Case(words[1], options, new LinkedHashMap<>()));
            } else {
                float[] v = new float[words.length - 1];
                for (int i = 1; i < words.length; i++) v[i - 1] = Float.parseFloat(words[i]);
                current.values.put(words[0], v);
            }
        }
        if (cases.isEmpty()) throw new IllegalStateException("no cases in " + path.toAbsolutePath());
        return cases;
    }

    static Stream<Arguments> optimizerCases() throws IOException {
        return read("optimizers.txt").stream().flatMap(c -> Variant.all().stream().map(v -> Arguments.of(c.name, c, v)));
    }

    static Stream<Arguments> lossCases() throws IOException {
        List<Case> cases = new ArrayList<>();
        // losses.txt's case lines are "case name rows cols from_logits": positional, not key=value
        for (Case c : read("losses.txt")) cases.add(c);
        return cases.stream().flatMap(c -> Variant.all().stream().map(v -> Arguments.of(c.name, c, v)));
    }

    private static Optimizer optimizer(Case c) {
        Map<String, String> o = c.options;
        double lr = Double.parseDouble(o.get("lr"));
        return switch (c.name.replaceAll("_.*", "")) {
            case "sgd" -> new SGD(lr, Double.parseDouble(o.getOrDefault("momentum", "0")), o.containsKey("nesterov"));
            case "adam" -> new Adam(lr, 0.9, 0.999, 1e-12);
            case "adamw" -> new AdamW(lr, Double.parseDouble(o.get("wd")), 0.9, 0.999, 1e-12);
            case "rmsprop" -> new RMSprop(lr, 0.9, Double.parseDouble(o.getOrDefault("momentum", "0")), 1e-12,
                    o.containsKey("centered"));
            default -> throw new IllegalArgumentException(c.name);
        };
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("optimizerCases")
    void optimizerStepsMatchPyTorch(String name, Case c, Variant variant) {
        Backend backend = variant.activate();
        Optimizer optimizer = optimizer(c);
        float[] value = c.values.get("value");
        try (Parameter p = new Parameter("kernel", backend, value, value.length)) {
            for (int step = 1; step <= 3; step++) {
                p.gradient().copyFrom(c.values.get("grad" + step));
                optimizer.apply(List.of(p), backend, 2);
            }
            float[] expected = c.values.get("after"), actual = p.get();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 2e-6 * (1 + Math.abs(expected[i])), name + " on " + variant + ": element " + i);
                assertFalse(expected[i] == value[i], name + ": the golden value moved");
            }
        }
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("lossCases")
    void lossesAndTheirGradientsMatchPyTorch(String name, Case c, Variant variant) {
        Backend backend = variant.activate();
        String[] header = c.options.keySet().toArray(String[]::new); // rows, cols, from_logits
        int rows = Integer.parseInt(header[0]), cols = Integer.parseInt(header[1]);
        boolean fromLogits = header[2].equals("1");
        LossKind kind = name.startsWith("sparse") ? LossKind.SPARSE_CATEGORICAL_CROSSENTROPY
                : name.startsWith("categorical") ? LossKind.CATEGORICAL_CROSSENTROPY
                : name.startsWith("binary") ? LossKind.BINARY_CROSSENTROPY : LossKind.MEAN_SQUARED_ERROR;
        float[] target = c.values.get("target");
        try (Tensor output = backend.allocate(rows, cols).copyFrom(c.values.get("output"));
             Tensor targets = (kind == LossKind.SPARSE_CATEGORICAL_CROSSENTROPY ? backend.allocate(rows)
                     : backend.allocate(rows, cols)).copyFrom(target);
             Tensor weights = backend.allocate(rows).copyFrom(c.values.get("weights"));
             Tensor gradient = backend.allocate(rows, cols)) {
            float loss = backend.loss(kind, fromLogits ? LossKind.Input.LOGITS : LossKind.Input.OUTPUT, output, targets, weights,
                    gradient, 2);
            float expectedLoss = c.values.get("loss")[0];
            assertEquals(expectedLoss, loss, 1e-6 * (1 + Math.abs(expectedLoss)), name + " on " + variant + ": loss");
            float[] expected = c.values.get("d_output"), actual = gradient.toArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6 * (1 + Math.abs(expected[i])), name + " on " + variant + ": gradient " + i);
            }
        }
    }
}

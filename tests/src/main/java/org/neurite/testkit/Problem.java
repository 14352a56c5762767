package org.neurite.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One line of a {@code tests/shapes/*.txt} file: a name and key=value settings. */
public record Problem(String name, Map<String, String> settings) {
    /** Every problem of a shapes file (e.g. "conv"), from {@code -Dneurite.shapes} or {@code tests/shapes}. */
    public static List<Problem> load(String file) {
        Path dir = Path.of(System.getProperty("neurite.shapes", "tests/shapes"));
        List<Problem> problems = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dir.resolve(file + ".txt"))) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) continue;
                String[] tokens = text.split("\\s+");
                Map<String, String> settings = new LinkedHashMap<>();
                for (int i = 1; i < tokens.length; i++) {
                    String[] kv = tokens[i].split("=", 2);
                    if (kv.length != 2) throw new IllegalArgumentException(file + ": bad token '" + tokens[i] + "' in: " + line);
                    settings.put(kv[0], kv[1]);
                }
                problems.add(new Problem(tokens[0], settings));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return problems;
    }

    /** The problem of that name in a shapes file. */
    public static Problem find(String file, String name) {
        return load(file).stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no problem " + name + " in " + file + ".txt"));
    }

    public boolean has(String key) {
        return settings.containsKey(key);
    }

    public String text(String key, String otherwise) {
        return settings.getOrDefault(key, otherwise);
    }

    public int integer(String key, int otherwise) {
        return has(key) ? Integer.parseInt(settings.get(key)) : otherwise;
    }

    /** "28x28x1" as {28, 28, 1}; a missing key gives {@code otherwise}. */
    public int[] dims(String key, int... otherwise) {
        if (!has(key)) return otherwise;
        String[] parts = settings.get(key).split("x");
        int[] dims = new int[parts.length];
        for (int i = 0; i < parts.length; i++) dims[i] = Integer.parseInt(parts[i]);
        return dims;
    }

    /** {batch, dims...}: a sample shape with the batch axis in front. */
    public static int[] prepend(int batch, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** A one-line repro, as benchdnn prints. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name);
        settings.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
        return s.toString();
    }
}

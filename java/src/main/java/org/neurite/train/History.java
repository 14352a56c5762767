package org.neurite.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code fit} measured, per epoch (Keras' {@code History.history}): "loss" and each
 * metric's key for the training samples, "val_" keys for validation, and each epoch's time
 * and training samples per second.
 */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<Double> seconds = new ArrayList<>(), samplesPerSecond = new ArrayList<>();

    void add(Map<String, Double> logs, double epochSeconds, double throughput) {
        for (Map.Entry<String, Double> e : logs.entrySet()) values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        seconds.add(epochSeconds);
        samplesPerSecond.add(throughput);
    }

    /** The values of one key per epoch, e.g. "loss", "val_accuracy". */
    public List<Double> get(String key) {
        List<Double> v = values.get(key);
        if (v == null) throw new IllegalArgumentException("no '" + key + "' in this history; it has " + values.keySet());
        return Collections.unmodifiableList(v);
    }

    /** The last epoch's value of a key. */
    public double last(String key) {
        List<Double> v = get(key);
        return v.get(v.size() - 1);
    }

    public List<String> keys() {
        return List.copyOf(values.keySet());
    }

    public int epochs() {
        return seconds.size();
    }

    public List<Double> epochSeconds() {
        return Collections.unmodifiableList(seconds);
    }

    public List<Double> samplesPerSecond() {
        return Collections.unmodifiableList(samplesPerSecond);
    }

    @Override
    public String toString() {
        return values + ", epoch seconds " + seconds;
    }
}

package org.neurite.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code evaluate} measured: the mean loss, the compiled metrics, and the confusion matrix they came from. */
public final class Evaluation {
    private final double loss;
    private final Map<String, Double> metrics;
    private final ConfusionMatrix confusion;

    Evaluation(double loss, Map<String, Double> metrics, ConfusionMatrix confusion) {
        this.loss = loss;
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        this.confusion = confusion;
    }

    public double loss() {
        return loss;
    }

    /** A compiled metric's value. */
    public double get(Metric metric) {
        Double v = metrics.get(metric.key());
        if (v == null) throw new IllegalArgumentException(metric.key() + " was not compiled; the model reports " + metrics.keySet());
        return v;
    }

    /** "loss" and each compiled metric's key, with their values. */
    public Map<String, Double> values() {
        Map<String, Double> all = new LinkedHashMap<>();
        all.put("loss", loss);
        all.putAll(metrics);
        return all;
    }

    /** The confusion matrix of the predicted classes (null for a loss without classes, mean squared error). */
    public ConfusionMatrix confusionMatrix() {
        return confusion;
    }

    @Override
    public String toString() {
        return values().toString();
    }
}

package org.neurite.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.neurite.Sequential;

/**
 * Saves the model after each epoch (Keras' ModelCheckpoint), or with {@link #saveBestOnly()}
 * only when the monitored value improved (a key with "loss" in it improves downwards, any
 * other upwards). Files are written atomically, with the training state, so training can
 * resume from the last one.
 */
public final class ModelCheckpoint implements Callback {
    private final Path path;
    private final String monitor;
    private boolean bestOnly;
    private double best;
    private int saves;

    public ModelCheckpoint(Path path, String monitor) {
        this.path = path;
        this.monitor = monitor;
    }

    public ModelCheckpoint saveBestOnly() {
        bestOnly = true;
        return this;
    }

    /** Files written so far. */
    public int saves() {
        return saves;
    }

    @Override
    public void onTrainBegin(Sequential model) {
        best = monitor.contains("loss") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    @Override
    public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
        Double value = logs.get(monitor);
        if (value == null) throw new IllegalStateException("ModelCheckpoint: no '" + monitor + "' to monitor; logs have " + logs.keySet());
        boolean improved = monitor.contains("loss") ? value < best : value > best;
        if (improved) best = value;
        if (bestOnly && !improved) return;
        try {
            model.save(path);
            saves++;
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: cannot save epoch " + epoch + " to " + path, e);
        }
    }
}

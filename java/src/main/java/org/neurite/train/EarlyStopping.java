package org.neurite.train;

import java.util.List;
import java.util.Map;
import org.neurite.Sequential;

/**
 * Stops {@code fit} when a monitored value has not improved by more than {@code minDelta} for
 * {@code patience} epochs (Keras' EarlyStopping, which never stops after the first epoch); a key with "loss" in it improves downwards,
 * any other upwards. With {@link #restoreBestWeights()} the model ends with the best epoch's weights.
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final double minDelta;
    private boolean restoreBest;
    private double best;
    private int wait;
    private List<org.neurite.Tensor> bestWeights;
    private int stoppedEpoch = -1;

    public EarlyStopping(String monitor, int patience) {
        this(monitor, patience, 0);
    }

    public EarlyStopping(String monitor, int patience, double minDelta) {
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + patience);
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = Math.abs(minDelta);
    }

    public EarlyStopping restoreBestWeights() {
        restoreBest = true;
        return this;
    }

    /** The epoch after which training stopped, or -1. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    private boolean lower() {
        return monitor.contains("loss");
    }

    @Override
    public void onTrainBegin(Sequential model) {
        best = lower() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        wait = 0;
        bestWeights = null;
        stoppedEpoch = -1;
    }

    @Override
    public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
        Double value = logs.get(monitor);
        if (value == null) throw new IllegalStateException("EarlyStopping: no '" + monitor + "' to monitor; logs have " + logs.keySet());
        wait++;
        if (lower() ? value < best - minDelta : value > best + minDelta) {
            best = value;
            wait = 0;
            if (restoreBest) bestWeights = model.getWeights();
        } else if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining();
        }
    }

    /** As Keras 3: with {@link #restoreBestWeights()}, the best epoch's weights whether training stopped early or not. */
    @Override
    public void onTrainEnd(Sequential model) {
        if (restoreBest && bestWeights != null) model.setWeights(bestWeights);
    }
}

package org.neurite.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neurite.data.Dataset;

/**
 * The options of {@code Sequential.fit}, Keras' keyword arguments as a builder.
 *
 * <pre>{@code
 * model.fit(x, y, Fit.epochs(5).batchSize(32).validationSplit(0.1).callbacks(new EarlyStopping("val_loss", 2)));
 * }</pre>
 */
public final class Fit {
    int epochs = 1, batchSize = 32;
    double validationSplit;
    Dataset validationData;
    boolean shuffle = true;
    Long seed;
    Map<Integer, Double> classWeights;
    final List<Callback> callbacks = new ArrayList<>();
    int initialEpoch;

    private Fit() {}

    public static Fit epochs(int epochs) {
        return new Fit().setEpochs(epochs);
    }

    private Fit setEpochs(int epochs) {
        if (epochs <= 0) throw new IllegalArgumentException("fit: epochs must be positive, got " + epochs);
        this.epochs = epochs;
        return this;
    }

    /** Samples per step (default 32). */
    public Fit batchSize(int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("fit: batch size must be positive, got " + batchSize);
        this.batchSize = batchSize;
        return this;
    }

    /** Holds out this last fraction of the samples (before shuffling, as Keras) for validation. */
    public Fit validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("fit: validation split must be in [0, 1), got " + fraction);
        this.validationSplit = fraction;
        return this;
    }

    /** The first samples of {@code samples} that a validation split of {@code fraction} leaves for training: Keras' int(n (1 - fraction)). */
    public static int trainingSamples(int samples, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("fit: validation split must be in [0, 1), got " + fraction);
        return (int) (samples * (1.0 - fraction));
    }

    /** Validates on these samples after each epoch (instead of a split). */
    public Fit validationData(Dataset data) {
        this.validationData = data;
        return this;
    }

    /** Whether to shuffle the training samples each epoch (default true). */
    public Fit shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    /** The seed of the shuffling (default: the model's seed); epoch e's order depends on (seed, e) alone. */
    public Fit seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Weights of the classes in the loss (Keras' {@code class_weight}); unlisted classes weigh 1. */
    public Fit classWeights(Map<Integer, Double> weights) {
        for (Map.Entry<Integer, Double> e : weights.entrySet()) {
            if (e.getKey() == null || e.getKey() < 0 || e.getValue() == null || !(e.getValue() >= 0) || e.getValue().isInfinite()) {
                throw new IllegalArgumentException("fit: class weight " + e.getKey() + " -> " + e.getValue()
                        + " must map a class id to a finite weight >= 0");
            }
        }
        this.classWeights = new HashMap<>(weights);
        return this;
    }

    public Fit callbacks(Callback... callbacks) {
        this.callbacks.addAll(List.of(callbacks));
        return this;
    }

    /** The epoch to start at (Keras' {@code initial_epoch}), resuming a run: its shuffling continues from there. */
    public Fit initialEpoch(int epoch) {
        if (epoch < 0 || epoch >= epochs) throw new IllegalArgumentException("fit: initial epoch must be in [0, " + epochs + "), got " + epoch);
        this.initialEpoch = epoch;
        return this;
    }
}

package org.neurite.train;

import java.util.Map;
import org.neurite.Sequential;

/**
 * Hooks into {@code fit}, as Keras' callbacks: {@code logs} hold "loss", the metrics and, at an
 * epoch's end, the "val_" values. Epochs and batches count from 0.
 */
public interface Callback {
    default void onTrainBegin(Sequential model) {}

    default void onEpochBegin(Sequential model, int epoch) {}

    /** After each training step; {@code logs} hold the epoch's running loss and metrics. */
    default void onBatchEnd(Sequential model, int batch, Map<String, Double> logs) {}

    default void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {}

    default void onTrainEnd(Sequential model) {}
}

package org.neurite.train;

import java.util.Locale;

/**
 * What {@code fit} reports per epoch and {@code evaluate} returns, besides the loss. Every
 * metric comes from the confusion matrix of the predicted classes (the arg-max of a row, or
 * {@code p > 0.5} for one sigmoid unit, as Keras) except AUC, which ranks the scores of a binary problem.
 * Precision, recall and F1 are those of class 1 for a binary problem and their macro average
 * (the unweighted mean over classes) otherwise; {@link ConfusionMatrix} gives the rest.
 */
public enum Metric {
    ACCURACY, PRECISION, RECALL, F1, AUC;

    /** Keras' key in a history or log, e.g. "accuracy"; "val_" prefixes validation values. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The metric's value on a confusion matrix (and, for AUC, the scores it kept). */
    public double of(ConfusionMatrix m) {
        return switch (this) {
            case ACCURACY -> m.accuracy();
            case PRECISION -> m.binary() ? m.precision(1) : m.macroPrecision();
            case RECALL -> m.binary() ? m.recall(1) : m.macroRecall();
            case F1 -> m.binary() ? m.f1(1) : m.macroF1();
            case AUC -> m.auc();
        };
    }
}

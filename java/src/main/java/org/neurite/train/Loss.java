package org.neurite.train;

import java.util.Locale;
import org.neurite.backend.LossKind;

/**
 * A loss to train with, as Keras names and computes it. Cross-entropies take probabilities
 * by default; {@link #fromLogits()} takes raw scores instead (Keras' {@code from_logits=True}).
 * After a final softmax or sigmoid the gradient skips that activation's own backward step
 * (it is fused into the loss's: {@code p - target}, stable where probabilities are tiny).
 *
 * <pre>{@code
 * model.compile(new Adam(), Loss.sparseCategoricalCrossentropy(), Metric.ACCURACY);
 * }</pre>
 */
public final class Loss {
    private final LossKind kind;
    private final boolean fromLogits;

    private Loss(LossKind kind, boolean fromLogits) {
        this.kind = kind;
        this.fromLogits = fromLogits;
    }

    /** Targets: one class id per sample (Keras' {@code sparse_categorical_crossentropy}). */
    public static Loss sparseCategoricalCrossentropy() {
        return new Loss(LossKind.SPARSE_CATEGORICAL_CROSSENTROPY, false);
    }

    /** Targets: a distribution per sample, e.g. one-hot. */
    public static Loss categoricalCrossentropy() {
        return new Loss(LossKind.CATEGORICAL_CROSSENTROPY, false);
    }

    /** Targets in [0, 1], one per output unit. */
    public static Loss binaryCrossentropy() {
        return new Loss(LossKind.BINARY_CROSSENTROPY, false);
    }

    public static Loss meanSquaredError() {
        return new Loss(LossKind.MEAN_SQUARED_ERROR, false);
    }

    /** The loss by its Keras name, e.g. "sparse_categorical_crossentropy" or "mse". */
    public static Loss of(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (LossKind kind : LossKind.values()) if (kind.name().toLowerCase(Locale.ROOT).equals(key)) return new Loss(kind, false);
        if (key.equals("mse")) return meanSquaredError();
        throw new IllegalArgumentException("unknown loss '" + name + "'; expected sparse_categorical_crossentropy, "
                + "categorical_crossentropy, binary_crossentropy or mean_squared_error");
    }

    /** The same cross-entropy from logits (scores before softmax or sigmoid). */
    public Loss fromLogits() {
        if (kind == LossKind.MEAN_SQUARED_ERROR) throw new IllegalArgumentException("mean squared error has no logits form");
        return new Loss(kind, true);
    }

    public boolean isFromLogits() {
        return fromLogits;
    }

    public LossKind kind() {
        return kind;
    }

    /** Whether targets are class ids rather than one value per output unit. */
    public boolean sparse() {
        return kind == LossKind.SPARSE_CATEGORICAL_CROSSENTROPY;
    }

    /**
     * Keras' row weights for a loss over a masked output (a sequence's steps, say): a valid row
     * (mask nonzero) weighs its weight in {@code rowWeights} (null: 1) times rows / valid rows,
     * so that the mean over all rows is the mean over the valid ones; a masked row weighs 0, as
     * does every row when none is valid. Written into {@code into} (as long as the mask), which
     * may be {@code rowWeights}.
     */
    public static float[] maskedRowWeights(float[] mask, float[] rowWeights, float[] into) {
        int valid = 0;
        for (float m : mask) if (m != 0f) valid++;
        float scale = valid == 0 ? 0f : (float) ((double) mask.length / valid);
        for (int r = 0; r < mask.length; r++) into[r] = mask[r] == 0f ? 0f : rowWeights == null ? scale : rowWeights[r] * scale;
        return into;
    }

    /** Keras' name, e.g. "sparse_categorical_crossentropy". */
    public String name() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return name() + (fromLogits ? " (from logits)" : "");
    }
}

package org.neurite.backend;

/** The losses a backend computes with their gradients (Keras' formulas; see {@code nrt_loss} in neurite.h). */
public enum LossKind {
    /** Targets: one class id per row. */
    SPARSE_CATEGORICAL_CROSSENTROPY,
    /** Targets: a distribution per row, e.g. one-hot. */
    CATEGORICAL_CROSSENTROPY,
    /** Targets in [0, 1], each column its own problem. */
    BINARY_CROSSENTROPY,
    MEAN_SQUARED_ERROR;

    /** What the loss reads, and where its gradient is taken. */
    public enum Input {
        /** The model's output (probabilities for cross-entropy); the gradient is at it. */
        OUTPUT,
        /** Logits (Keras' {@code from_logits}); the gradient is at them. */
        LOGITS,
        /** A final softmax's (categorical) or sigmoid's (binary) output; the gradient is at that activation's input. */
        ACTIVATED
    }

    public boolean categorical() {
        return this == SPARSE_CATEGORICAL_CROSSENTROPY || this == CATEGORICAL_CROSSENTROPY;
    }
}

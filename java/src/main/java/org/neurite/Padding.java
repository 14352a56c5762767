package org.neurite;

/**
 * Keras padding modes. {@code VALID} keeps only whole windows; {@code SAME} pads so the
 * output has {@code ceil(input / stride)} positions, the extra cell going to the bottom and
 * right as in Keras and TensorFlow; {@code CAUSAL} (Conv1D only) pads only before the
 * sequence, by the kernel's reach less one, so no output sees a later step.
 *
 * <pre>{@code
 * new Conv2D(32, 3).padding(Padding.SAME)
 * }</pre>
 */
public enum Padding {
    VALID,
    SAME,
    CAUSAL;

    /** Output length along one axis. */
    public int outputLength(int input, int window, int stride, int dilation) {
        int reach = (window - 1) * dilation + 1;
        if (this != VALID) return Math.floorDiv(input + stride - 1, stride);
        return input < reach ? 0 : (input - reach) / stride + 1;
    }

    /** Padding before the first input cell along one axis. */
    public int padBefore(int input, int window, int stride, int dilation) {
        if (this == VALID) return 0;
        int reach = (window - 1) * dilation + 1;
        if (this == CAUSAL) return reach - 1;
        int total = Math.max((outputLength(input, window, stride, dilation) - 1) * stride + reach - input, 0);
        return total / 2;
    }
}

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
        long reach = reach(window, dilation);
        if (this != VALID) return (int) Math.floorDiv(input + (long) stride - 1, stride);
        return input < reach ? 0 : (int) ((input - reach) / stride + 1);
    }

    /** The input cells a window spans: (window - 1) * dilation + 1, in 64 bits. */
    public static long reach(int window, int dilation) {
        return (window - 1L) * dilation + 1;
    }

    /** Padding before the first input cell along one axis. */
    public int padBefore(int input, int window, int stride, int dilation) {
        if (this == VALID) return 0;
        long reach = reach(window, dilation);
        if (this == CAUSAL) return Math.toIntExact(reach - 1);
        long total = Math.max((outputLength(input, window, stride, dilation) - 1L) * stride + reach - input, 0);
        return Math.toIntExact(total / 2);
    }
}

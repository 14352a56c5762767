package org.neurite;

/**
 * Activation functions, fused into the layer that produces their input where the kernels
 * allow. The native codes match {@code enum nrt_activation} in {@code neurite.h}.
 *
 * <pre>{@code
 * model.add(new Dense(64, Activation.RELU));
 * }</pre>
 */
public enum Activation {
    LINEAR(0),
    RELU(1),
    RELU6(2),
    SIGMOID(3),
    TANH(4),
    /** Negative slope {@code alpha}, 0.2 by default as in Keras' {@code LeakyReLU}. */
    LEAKY_RELU(5),
    /** The exact form, {@code 0.5 x (1 + erf(x / sqrt 2))}, as Keras' default. */
    GELU(6),
    /** Over the last axis; not element-wise, so layers apply it after their kernel. */
    SOFTMAX(-1);

    /** Keras' default negative slope for {@link #LEAKY_RELU}. */
    public static final float DEFAULT_LEAKY_ALPHA = 0.2f;

    private final int nativeCode;

    Activation(int nativeCode) {
        this.nativeCode = nativeCode;
    }

    /** The code of {@code enum nrt_activation}; only for element-wise activations. */
    public int nativeCode() {
        if (this == SOFTMAX) throw new IllegalStateException("softmax is not element-wise");
        return nativeCode;
    }

    public boolean isElementWise() {
        return this != SOFTMAX;
    }
}

package org.neurite;

/**
 * Activation functions, fused into the layer that produces their input where the kernels
 * allow.
 *
 * <pre>{@code
 * model.add(new Dense(64, Activation.RELU));
 * }</pre>
 */
public enum Activation {
    LINEAR,
    RELU,
    RELU6,
    SIGMOID,
    TANH,
    /** Negative slope {@code alpha}, 0.2 by default as in Keras' {@code LeakyReLU}. */
    LEAKY_RELU,
    /** The exact form, {@code 0.5 x (1 + erf(x / sqrt 2))}, as Keras' default. */
    GELU,
    /** e^x (Keras' {@code exponential}): +inf past ln(Float.MAX_VALUE); results below Float.MIN_NORMAL may be 0. */
    EXPONENTIAL,
    /** Over the last axis; not element-wise, so layers apply it after their kernel. */
    SOFTMAX;

    /** Keras' default negative slope for {@link #LEAKY_RELU}. */
    public static final float DEFAULT_LEAKY_ALPHA = 0.2f;

    public boolean isElementWise() {
        return this != SOFTMAX;
    }

    /**
     * Whether the derivative at a point follows from the activation's output there, so that
     * training need not keep the input: not for GELU (not monotonic) nor for a leaky ReLU
     * with a negative slope (whose output's sign no longer tells the side).
     */
    public boolean derivativeFromOutput(float alpha) {
        return isElementWise() && this != GELU && !(this == LEAKY_RELU && alpha < 0f);
    }
}

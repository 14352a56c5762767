package org.neurite.backend;

/**
 * One optimizer step's constants for {@link Backend#optimizerUpdate} (the fields of {@code
 * nrt_optimizer_step} in neurite.h): the optimizer computes them once per step (Adam's bias
 * correction folded into {@code learningRate}, AdamW's decay times the learning rate, the
 * clipping scale from the gradient's norm), the kernel applies them element by element.
 *
 * <p>Each optimizer owns one and sets this step's values in it before each update, so that a
 * training step allocates nothing: Adam's learning rate changes every step.
 */
public final class OptimizerStep {
    public enum Kind { SGD, ADAM, RMSPROP }

    private final Kind kind;
    private final float beta1, beta2, epsilon;
    private final boolean nesterov, centered;
    private float learningRate, decay, gradientScale = 1f, clipValue;

    /**
     * @param beta1 SGD: momentum; Adam: beta_1; RMSprop: rho
     * @param beta2 Adam: beta_2; RMSprop: momentum
     */
    public OptimizerStep(Kind kind, float beta1, float beta2, float epsilon, boolean nesterov, boolean centered) {
        this.kind = kind;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.nesterov = nesterov;
        this.centered = centered;
    }

    public OptimizerStep learningRate(float rate) {
        learningRate = rate;
        return this;
    }

    /** Decoupled weight decay, applied first: value -= value * decay. */
    public OptimizerStep decay(float decay) {
        this.decay = decay;
        return this;
    }

    /** Multiplies the gradient (clipping by norm). */
    public OptimizerStep gradientScale(float scale) {
        gradientScale = scale;
        return this;
    }

    /** Then clips the gradient to [-limit, limit] where positive. */
    public OptimizerStep clipValue(float limit) {
        clipValue = limit;
        return this;
    }

    public Kind kind() {
        return kind;
    }

    public float learningRate() {
        return learningRate;
    }

    public float beta1() {
        return beta1;
    }

    public float beta2() {
        return beta2;
    }

    public float epsilon() {
        return epsilon;
    }

    public float decay() {
        return decay;
    }

    public float gradientScale() {
        return gradientScale;
    }

    public float clipValue() {
        return clipValue;
    }

    public boolean nesterov() {
        return nesterov;
    }

    public boolean centered() {
        return centered;
    }

    /** Whether the step reads and writes slot {@code slot} (0, 1 or 2), a state tensor of the value's shape. */
    public boolean usesSlot(int slot) {
        return switch (slot) {
            case 0 -> kind != Kind.SGD || beta1 != 0f;
            case 1 -> kind == Kind.ADAM || (kind == Kind.RMSPROP && beta2 > 0f);
            case 2 -> kind == Kind.RMSPROP && centered;
            default -> false;
        };
    }
}

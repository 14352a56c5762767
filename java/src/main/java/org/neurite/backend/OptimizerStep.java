package org.neurite.backend;

/**
 * One optimizer step's constants for {@link Backend#optimizerUpdate} (the fields of {@code
 * nrt_optimizer_step} in neurite.h): the optimizer object computes them once per step (Adam's
 * bias correction folded into {@code learningRate}, AdamW's decay times the learning rate,
 * the clipping scale from the gradient's norm), the kernel applies them element by element.
 *
 * @param beta1 SGD: momentum; Adam: beta_1; RMSprop: rho
 * @param beta2 Adam: beta_2; RMSprop: momentum
 * @param decay decoupled weight decay applied first: value -= value * decay
 * @param gradientScale multiplies the gradient (clipping by norm)
 * @param clipValue then clips the gradient to [-clipValue, clipValue] where positive
 */
public record OptimizerStep(Kind kind, float learningRate, float beta1, float beta2, float epsilon, float decay,
                            float gradientScale, float clipValue, boolean nesterov, boolean centered) {
    public enum Kind { SGD, ADAM, RMSPROP }

    public OptimizerStep withGradientScale(float scale) {
        return new OptimizerStep(kind, learningRate, beta1, beta2, epsilon, decay, scale, clipValue, nesterov, centered);
    }

    public OptimizerStep withClipValue(float limit) {
        return new OptimizerStep(kind, learningRate, beta1, beta2, epsilon, decay, gradientScale, limit, nesterov, centered);
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

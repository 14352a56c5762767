package org.neurite.train;

/** Keras' AdamW: Adam with decoupled weight decay (default 0.004), value -= value * weightDecay * learningRate first. */
public final class AdamW extends Adam {
    private final double weightDecay;

    public AdamW() {
        this(0.001, 0.004);
    }

    public AdamW(double learningRate, double weightDecay) {
        this(learningRate, weightDecay, 0.9, 0.999, 1e-7);
    }

    public AdamW(double learningRate, double weightDecay, double beta1, double beta2, double epsilon) {
        super(learningRate, beta1, beta2, epsilon);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("adamw: weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.weightDecay = weightDecay;
    }

    @Override
    protected double weightDecay() {
        return weightDecay;
    }

    @Override
    public String name() {
        return "adamw";
    }
}

package org.neurite.train;

import org.neurite.backend.OptimizerStep;

/**
 * Keras' Adam (learning rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7): epsilon is added
 * to sqrt(v), before the bias correction that Keras folds into the step's learning rate.
 * {@link AdamW} adds decoupled weight decay.
 */
public class Adam extends Optimizer {
    private final double beta1, beta2, epsilon;

    public Adam() {
        this(0.001);
    }

    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7);
    }

    public Adam(double learningRate, double beta1, double beta2, double epsilon) {
        super(learningRate);
        this.beta1 = checkUnit(name(), "beta1", beta1);
        this.beta2 = checkUnit(name(), "beta2", beta2);
        this.epsilon = checkPositive(name(), "epsilon", epsilon);
    }

    @Override
    protected OptimizerStep newStep() {
        return new OptimizerStep(OptimizerStep.Kind.ADAM, (float) beta1, (float) beta2, (float) epsilon, false, false);
    }

    @Override
    protected void prepare(OptimizerStep step, long t) {
        double correction = Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        step.learningRate((float) (learningRate * correction)).decay((float) (learningRate * weightDecay()));
    }

    @Override
    protected void hyperParameters(java.util.Map<String, Object> c) {
        c.put("beta_1", beta1);
        c.put("beta_2", beta2);
        c.put("epsilon", epsilon);
        if (weightDecay() > 0 || this instanceof AdamW) c.put("weight_decay", weightDecay());
    }

    /** The decoupled weight decay per unit of learning rate; none for Adam. */
    protected double weightDecay() {
        return 0;
    }

    @Override
    public String name() {
        return "adam";
    }
}

package org.neurite.train;

import org.neurite.backend.OptimizerStep;

/**
 * Keras' RMSprop (learning rate 0.001, rho 0.9, no momentum, epsilon 1e-7 added to the mean
 * square under the root); {@code centered} divides by the gradient's estimated variance instead.
 */
public final class RMSprop extends Optimizer {
    private final double rho, momentum, epsilon;
    private final boolean centered;

    public RMSprop() {
        this(0.001);
    }

    public RMSprop(double learningRate) {
        this(learningRate, 0.9, 0, 1e-7, false);
    }

    public RMSprop(double learningRate, double rho, double momentum, double epsilon, boolean centered) {
        super(learningRate);
        this.rho = checkUnit("rmsprop", "rho", rho);
        this.momentum = checkUnit("rmsprop", "momentum", momentum);
        this.epsilon = checkPositive("rmsprop", "epsilon", epsilon);
        this.centered = centered;
    }

    @Override
    protected OptimizerStep newStep() {
        return new OptimizerStep(OptimizerStep.Kind.RMSPROP, (float) rho, (float) momentum, (float) epsilon, false, centered);
    }

    @Override
    protected void hyperParameters(java.util.Map<String, Object> c) {
        c.put("rho", rho);
        c.put("momentum", momentum);
        c.put("epsilon", epsilon);
        c.put("centered", centered);
    }

    @Override
    public String name() {
        return "rmsprop";
    }
}

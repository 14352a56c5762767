package org.neurite.train;

import org.neurite.backend.OptimizerStep;

/** Keras' SGD: learning rate 0.01, no momentum by default; with momentum, optionally Nesterov's. */
public final class SGD extends Optimizer {
    private final double momentum;
    private final boolean nesterov;

    public SGD() {
        this(0.01);
    }

    public SGD(double learningRate) {
        this(learningRate, 0, false);
    }

    public SGD(double learningRate, double momentum, boolean nesterov) {
        super(learningRate);
        this.momentum = checkUnit("sgd", "momentum", momentum);
        this.nesterov = nesterov;
    }

    @Override
    protected OptimizerStep newStep() {
        return new OptimizerStep(OptimizerStep.Kind.SGD, (float) momentum, 0f, 0f, nesterov, false);
    }

    @Override
    protected void hyperParameters(java.util.Map<String, Object> c) {
        c.put("momentum", momentum);
        c.put("nesterov", nesterov);
    }

    @Override
    public String name() {
        return "sgd";
    }
}

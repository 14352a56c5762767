package org.neurite.layers;

import org.neurite.Activation;
import org.neurite.Tensor;

/**
 * Applies an activation on its own (Keras' {@code Activation} layer); softmax runs over the
 * last axis. Prefer the fused {@code activation} of Conv and Dense layers where there is one.
 *
 * <pre>{@code
 * model.add(new ActivationLayer(Activation.GELU));
 * }</pre>
 */
public final class ActivationLayer extends Layer {
    final Activation activation;
    final float alpha;

    public ActivationLayer(Activation activation) {
        this(activation, Activation.DEFAULT_LEAKY_ALPHA);
    }

    public ActivationLayer(Activation activation, float alpha) {
        this.activation = activation;
        this.alpha = alpha;
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        return in;
    }

    @Override
    protected Tensor run(Tensor input, Tensor out, int threads) {
        if (activation == Activation.SOFTMAX) backend.softmax(input, out, threads);
        else backend.activation(activation, alpha, input, out, threads);
        return out;
    }

    @Override
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        if (!inputGradient) return null;
        Tensor dInput = inputGradient(ctx);
        if (activation == Activation.SOFTMAX) backend.softmaxBackward(ctx.output, dOutput, dInput, ctx.threads());
        else backend.activationBackward(activation, alpha, ctx.input, ctx.output, dOutput, dInput, ctx.threads());
        return dInput;
    }

    @Override
    public Activation outputActivation() {
        return activation;
    }

    /** The gradient at the activation's input is the input's gradient. */
    @Override
    protected Tensor backpropFromPreActivation(Context ctx, Tensor dPre, boolean inputGradient) {
        return inputGradient ? dPre : null;
    }

    /** Element-wise, so each time step keeps its mask (Keras' Activation supports masking). */
    @Override
    public Tensor computeMask(Tensor input, Tensor inputMask) {
        return inputMask;
    }
}

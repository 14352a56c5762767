package org.neurite.layers;

import org.neurite.Tensor;

/**
 * Flattens each sample to one axis, keeping the NHWC order (as Keras does with
 * channels-last data), so a Dense layer after it sees the features Keras would.
 *
 * <pre>{@code
 * model.add(new Flatten());
 * }</pre>
 */
public final class Flatten extends Layer {
    @Override
    protected int[] outputShapeFor(int[] in) {
        long size = 1;
        for (int d : in) size *= d;
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException(describe() + ": " + size + " features is too many");
        return new int[] {(int) size};
    }

    /** A view: flattening moves no data. */
    @Override
    public boolean producesView() {
        return true;
    }

    @Override
    protected Tensor run(Tensor input, Tensor output, int threads) {
        return input.reshape(input.dim(0), outputShape()[0]);
    }

    @Override
    protected Tensor train(Context ctx, Tensor input, Tensor mask, Tensor output) {
        return ctx.view(Context.Slot.OUTPUT_VIEW, input, input.dim(0), builtOutputShape());
    }

    @Override
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        return inputGradient ? ctx.view(Context.Slot.INPUT_GRADIENT_VIEW, dOutput, dOutput.dim(0), builtInputShape()) : null;
    }
}

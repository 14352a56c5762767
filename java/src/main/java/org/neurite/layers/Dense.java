package org.neurite.layers;

import org.neurite.Activation;
import org.neurite.Tensor;
import org.neurite.backend.DenseGeometry;
import org.neurite.backend.KernelOp;

/**
 * A fully connected layer, as Keras' {@code Dense}: {@code y = act(x W + b)}, kernel
 * {@code [in, units]}. On inputs of higher rank it applies to the last axis, as Keras does.
 *
 * <pre>{@code
 * model.add(new Dense(10, Activation.SOFTMAX));
 * }</pre>
 */
public final class Dense extends KernelLayer<Dense> {
    final int units;
    Activation activation = Activation.LINEAR;
    float alpha = Activation.DEFAULT_LEAKY_ALPHA;
    private DenseGeometry geometry;

    public Dense(int units) {
        if (units <= 0) throw new IllegalArgumentException("Dense: units must be positive, got " + units);
        this.units = units;
    }

    public Dense(int units, Activation activation) {
        this(units);
        this.activation = activation;
    }

    public Dense activation(Activation activation) {
        ensureNotBuilt();
        this.activation = activation;
        return this;
    }

    /** The negative slope of {@link Activation#LEAKY_RELU}. */
    public Dense alpha(float alpha) {
        ensureNotBuilt();
        this.alpha = alpha;
        return this;
    }

    public DenseGeometry geometry() {
        return geometry;
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        if (in.length < 1) throw badInput("[batch, ..., features]", in);
        int[] out = in.clone();
        out[out.length - 1] = units;
        return out;
    }

    /** Works on each time step's features alone, so each step keeps its mask (Keras' Dense supports masking). */
    @Override
    public Tensor computeMask(Tensor input, Tensor inputMask) {
        return input.rank() >= 3 ? inputMask : null;
    }

    @Override
    protected void configure(int[] inputShape) {
        geometry = new DenseGeometry(inputShape[inputShape.length - 1], units, fusable(activation, alpha), alpha);
    }

    @Override
    protected int biasSize() {
        return units;
    }

    @Override
    protected double fanSum() {
        return geometry.in() + geometry.out();
    }

    @Override
    protected int[] kernelShape() {
        return new int[] {geometry.in(), units};
    }

    @Override
    protected KernelOp newOp() {
        return backend.dense(geometry);
    }

    @Override
    protected Activation activation() {
        return activation;
    }

    @Override
    protected float alpha() {
        return alpha;
    }

    /** Keras applies Dense to the last axis: the op sees every other axis as rows. */
    @Override
    protected Tensor opView(Tensor t) {
        return t.rank() == 2 ? t : t.reshape(Math.toIntExact(t.size() / t.dim(-1)), t.dim(-1));
    }
}

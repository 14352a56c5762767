package org.neurite.layers;

import java.util.Random;
import org.neurite.Activation;
import org.neurite.Parameter;
import org.neurite.Tensor;
import org.neurite.backend.KernelOp;

/**
 * A layer with a kernel and an optional bias (Dense and the convolutions): Keras' default
 * initialisation (Glorot-uniform kernel, zero bias), weights kept in Keras layout, and the
 * backend's prepared op holding the packed copy its kernels read, repacked in place only
 * when the kernel changes.
 *
 * <pre>{@code
 * dense.setWeights(kernel, bias); // Keras layout: kernel [in, units], bias [units]
 * }</pre>
 */
public abstract class KernelLayer<L extends KernelLayer<L>> extends Layer {
    boolean useBias = true;
    private Parameter kernel, bias;
    private KernelOp op;
    private volatile int packedVersion;

    /** Whether the layer adds a bias (default true). */
    /** This layer as its own type, so that setters chain into the subclass's. */
    @SuppressWarnings("unchecked")
    protected final L self() {
        return (L) this;
    }

    public L useBias(boolean useBias) {
        ensureNotBuilt();
        this.useBias = useBias;
        return self();
    }

    /** The kernel's shape in Keras layout, once the geometry is known. */
    protected abstract int[] kernelShape();

    /** Bias size in floats (the output channels). */
    protected abstract int biasSize();

    /** Glorot's fan_in + fan_out for this kernel. */
    protected abstract double fanSum();

    /** The backend's op for this layer's geometry. */
    protected abstract KernelOp newOp();

    /** Fixes the layer's geometry for its input shape, before the weights are made. */
    protected abstract void configure(int[] inputShape);

    @Override
    protected void prepare(int[] inputShape, Random random) {
        configure(inputShape);
        float limit = (float) Math.sqrt(6.0 / fanSum());
        int[] shape = kernelShape();
        float[] k = new float[values("kernel", java.util.Arrays.stream(shape).asLongStream().toArray())];
        for (int i = 0; i < k.length; i++) k[i] = (random.nextFloat() * 2f - 1f) * limit;
        kernel = addParameter("kernel", k, shape);
        if (useBias) bias = addParameter("bias", new float[biasSize()], biasSize());
        op = newOp();
        op.setKernel(kernel.value());
        packedVersion = kernel.version();
    }

    /** The layer's activation, fused into the op where {@link #fusable} allows. */
    protected abstract Activation activation();

    /** The negative slope of a leaky ReLU. */
    protected abstract float alpha();

    /** A tensor as the op sees it; Dense flattens the leading axes into rows. */
    protected Tensor opView(Tensor t) {
        return t;
    }

    /**
     * The activation an op runs fused: the layer's own where backward can take its derivative
     * from the output, so training keeps nothing more; else none, and the layer applies it apart.
     */
    protected static Activation fusable(Activation activation, float alpha) {
        return activation.derivativeFromOutput(alpha) ? activation : Activation.LINEAR;
    }

    private boolean fused() {
        return fusable(activation(), alpha()) == activation();
    }

    @Override
    protected Tensor run(Tensor input, Tensor out, int threads) {
        runOp(input, out, threads);
        applyUnfused(out, out, threads);
        return out;
    }

    /** Keeps the activation's input where its derivative needs it. */
    @Override
    protected Tensor train(Context ctx, Tensor input, Tensor mask, Tensor out) {
        if (fused() || activation() == Activation.SOFTMAX) return run(input, out, ctx.threads());
        Tensor pre = ctx.buffer(backend, Context.Slot.SAVED, out);
        runOp(input, pre, ctx.threads());
        applyUnfused(pre, out, ctx.threads());
        return out;
    }

    @Override
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        int threads = ctx.threads();
        Tensor dPre = ctx.buffer(backend, Context.Slot.PRE_GRADIENT, dOutput);
        Activation activation = activation();
        if (activation == Activation.SOFTMAX) {
            backend.softmaxBackward(ctx.output, dOutput, dPre, threads);
        } else {
            Tensor pre = fused() ? null : ctx.buffer(backend, Context.Slot.SAVED, dOutput);
            backend.activationBackward(activation, alpha(), pre, ctx.output, dOutput, dPre, threads);
        }
        return backpropKernel(ctx, dPre, inputGradient);
    }

    @Override
    public Activation outputActivation() {
        return activation();
    }

    @Override
    protected Tensor backpropFromPreActivation(Context ctx, Tensor dPre, boolean inputGradient) {
        return backpropKernel(ctx, dPre, inputGradient);
    }

    // The kernel's and bias' gradients, and the input's if asked, from dPre, the gradient at the kernel's output.
    private Tensor backpropKernel(Context ctx, Tensor dPre, boolean inputGradient) {
        int threads = ctx.threads();
        op.backwardWeights(opView(ctx.input), opView(dPre), kernel.gradient(), bias == null ? null : bias.gradient(),
                threads);
        if (!inputGradient) return null;
        Tensor dInput = inputGradient(ctx);
        op.backwardData(kernel.value(), opView(dPre), opView(dInput), threads);
        return dInput;
    }

    // The activation the op did not fuse, from pre into out (which may be pre).
    private void applyUnfused(Tensor pre, Tensor out, int threads) {
        Activation activation = activation();
        if (activation == Activation.SOFTMAX) backend.softmax(pre, out, threads);
        else if (!fused()) backend.activation(activation, alpha(), pre, out, threads);
    }

    // Runs the op, repacking the kernel first if it changed.
    private void runOp(Tensor input, Tensor output, int threads) {
        if (packedVersion != kernel.version()) repack();
        op.forward(opView(input), bias == null ? null : bias.value(), opView(output), threads);
    }

    private synchronized void repack() {
        int version = kernel.version();
        if (version == packedVersion) return;
        op.setKernel(kernel.value());
        packedVersion = version;
    }

    @Override
    public void close() {
        super.close();
        if (op != null) op.close();
        op = null;
    }
}

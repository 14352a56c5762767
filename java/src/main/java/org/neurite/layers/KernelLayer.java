package org.neurite.layers;

import java.util.Random;
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
public abstract class KernelLayer extends Layer {
    private boolean useBias = true;
    private Parameter kernel, bias;
    private KernelOp op;
    private volatile int packedVersion;

    /** Whether the layer adds a bias (default true). */
    public KernelLayer useBias(boolean useBias) {
        ensureNotBuilt();
        this.useBias = useBias;
        return this;
    }

    /** The kernel's shape in Keras layout, once the geometry is known. */
    protected abstract int[] kernelShape();

    /** Bias size in floats (the output channels). */
    protected abstract int biasSize();

    /** Glorot's fan_in + fan_out for this kernel. */
    protected abstract double fanSum();

    /** The backend's op for this layer's geometry. */
    protected abstract KernelOp newOp();

    @Override
    protected void prepare(int[] inputShape, Random random) {
        float limit = (float) Math.sqrt(6.0 / fanSum());
        int[] shape = kernelShape();
        float[] k = new float[Math.toIntExact(Tensor.checkedShape(shape))];
        for (int i = 0; i < k.length; i++) k[i] = (random.nextFloat() * 2f - 1f) * limit;
        kernel = addParameter("kernel", k, shape);
        if (useBias) bias = addParameter("bias", new float[biasSize()], biasSize());
        op = newOp();
        op.setKernel(kernel.value());
        packedVersion = kernel.version();
    }

    /** Runs the op on a checked input, repacking the kernel first if it changed. */
    protected final void runOp(Tensor input, Tensor output, int threads) {
        if (packedVersion != kernel.version()) repack();
        op.forward(input, bias == null ? null : bias.value(), output, threads);
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

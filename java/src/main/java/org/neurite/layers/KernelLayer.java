package org.neurite.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.neurite.Tensor;

/**
 * A layer with a kernel and an optional bias (Dense and the convolutions): Keras' default
 * initialisation (Glorot-uniform kernel, zero bias), weights kept in Keras layout, and the
 * packed copy the backend's kernels read, rebuilt only when the weights change.
 *
 * <pre>{@code
 * dense.setWeights(kernel, bias); // Keras layout: kernel [in, units], bias [units]
 * }</pre>
 */
public abstract class KernelLayer extends Layer {
    private boolean useBias = true;
    private float[] kernel, bias;
    private Tensor packedKernel, biasTensor;

    /** Whether the layer adds a bias (default true). */
    public KernelLayer useBias(boolean useBias) {
        ensureNotBuilt();
        this.useBias = useBias;
        return this;
    }

    /** Kernel size in floats, once the geometry is known. */
    protected abstract int kernelSize();

    /** Bias size in floats (the output channels). */
    protected abstract int biasSize();

    /** Glorot's fan_in + fan_out for this kernel. */
    protected abstract double fanSum();

    /** "[3, 3, 1, 32]", for messages. */
    protected abstract String kernelShape();

    /** Packs a kernel in Keras layout for the backend. */
    protected abstract Tensor pack(Tensor kernel);

    protected final Tensor packedKernel() {
        return packedKernel;
    }

    protected final Tensor biasTensor() {
        return biasTensor;
    }

    @Override
    protected void createWeights(int[] inputShape, Random random) {
        float limit = (float) Math.sqrt(6.0 / fanSum());
        float[] k = new float[kernelSize()];
        for (int i = 0; i < k.length; i++) k[i] = (random.nextFloat() * 2f - 1f) * limit;
        store(k, useBias ? new float[biasSize()] : null);
    }

    private void store(float[] newKernel, float[] newBias) {
        Tensor packed;
        try (Tensor k = backend.allocate(newKernel.length).copyFrom(newKernel)) {
            packed = pack(k);
        }
        close();
        kernel = newKernel;
        bias = newBias;
        packedKernel = packed;
        biasTensor = newBias == null ? null : backend.allocate(newBias.length).copyFrom(newBias);
    }

    @Override
    public List<float[]> getWeights() {
        List<float[]> weights = new ArrayList<>();
        if (kernel != null) weights.add(kernel.clone());
        if (bias != null) weights.add(bias.clone());
        return weights;
    }

    @Override
    public void setWeights(float[]... weights) {
        if (!isBuilt()) throw new IllegalStateException(describe() + ": build the model before setting weights");
        int expected = useBias ? 2 : 1;
        if (weights.length != expected) {
            throw new IllegalArgumentException(describe() + ": expected " + expected + " weight arrays (kernel"
                    + (useBias ? ", bias" : "") + "), got " + weights.length);
        }
        checkWeight("kernel " + kernelShape(), weights[0], kernelSize());
        if (useBias) checkWeight("bias [" + biasSize() + "]", weights[1], biasSize());
        store(weights[0].clone(), useBias ? weights[1].clone() : null);
    }

    @Override
    public void close() {
        if (packedKernel != null) packedKernel.close();
        if (biasTensor != null) biasTensor.close();
        packedKernel = biasTensor = null;
    }
}

package org.neurite.backend;

import org.neurite.Activation;
import org.neurite.RowGradient;
import org.neurite.Tensor;

/**
 * Every operation in plain Java, used where the native library cannot load or when asked
 * for ({@code -Dneurite.backend=java}). Tensors live on the heap. Each operation lives in a
 * class named after its native reference kernel ({@link JavaConv2d} beside
 * {@code conv2d_nhwc_f32_ref.cpp}, and so on).
 *
 * <pre>{@code
 * Backend java = Backends.java();
 * try (Sequential model = seedCnn().backend(java)) { ... }
 * }</pre>
 */
final class JavaBackend implements Backend {
    static final JavaBackend INSTANCE = new JavaBackend();

    private JavaBackend() {}

    @Override
    public String name() {
        return "java";
    }

    /** Reads heap tensors in place and copies off-heap ones. */
    @Override
    public boolean accepts(Tensor t) {
        return true;
    }

    @Override
    public Tensor allocate(int... shape) {
        return Tensor.heap(shape);
    }

    @Override
    public Tensor allocateIds(int... shape) {
        return Tensor.heapIds(shape);
    }

    @Override
    public ConvOp conv(ConvGeometry g) {
        return new JavaConv2d(g);
    }

    @Override
    public PoolOp pool(PoolGeometry g) {
        return new JavaPool2d(g);
    }

    @Override
    public DenseOp dense(DenseGeometry g) {
        return new JavaDense(g);
    }

    @Override
    public RnnOp rnn(RnnGeometry g) {
        return new JavaRnn(g);
    }

    @Override
    public void activation(Activation activation, float alpha, Tensor input, Tensor output, int threads) {
        JavaEltwise.activation(activation, alpha, input, output, threads);
    }

    @Override
    public void activationBackward(Activation activation, float alpha, Tensor input, Tensor output, Tensor dOutput,
                                   Tensor dInput, int threads) {
        JavaEltwise.activationBackward(activation, alpha, input, output, dOutput, dInput, threads);
    }

    @Override
    public void softmax(Tensor input, Tensor output, int threads) {
        JavaEltwise.softmax(input, output, threads);
    }

    @Override
    public void softmaxBackward(Tensor output, Tensor dOutput, Tensor dInput, int threads) {
        JavaEltwise.softmaxBackward(output, dOutput, dInput, threads);
    }

    @Override
    public void maskedMean(Tensor input, Tensor mask, Tensor output, int threads) {
        JavaPool2d.maskedMean(input, mask, output, threads);
    }

    @Override
    public void maskedMeanBackward(Tensor mask, Tensor dOutput, Tensor dInput, int threads) {
        JavaPool2d.maskedMeanBackward(mask, dOutput, dInput, threads);
    }

    @Override
    public void dropoutMask(float rate, long seed, Tensor mask, int threads) {
        JavaEltwise.dropoutMask(rate, seed, mask, threads);
    }

    @Override
    public float loss(LossKind loss, LossKind.Input input, Tensor output, Tensor target, Tensor rowWeights, Tensor dOutput,
                      int threads) {
        return JavaLoss.loss(loss, input, output, target, rowWeights, dOutput);
    }

    @Override
    public void optimizerUpdate(OptimizerStep step, Tensor value, Tensor gradient, Tensor slot0, Tensor slot1, Tensor slot2,
                                int threads) {
        JavaOptimizer.update(step, value, gradient, slot0, slot1, slot2, threads);
    }

    @Override
    public void optimizerUpdate(OptimizerStep step, Tensor value, RowGradient gradient, Tensor slot0, Tensor slot1,
                                Tensor slot2, int threads) {
        JavaOptimizer.update(step, value, gradient, slot0, slot1, slot2, threads);
    }

    @Override
    public double sumOfSquares(Tensor x, long size, int threads) {
        return JavaOptimizer.sumOfSquares(x, size);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor output, int threads) {
        JavaEltwise.binary(op, a, b, output, threads);
    }

    @Override
    public void embedding(int vocabulary, Tensor ids, Tensor table, Tensor output, int threads) {
        JavaEmbedding.embedding(vocabulary, ids, table, output, threads);
    }

    @Override
    public void embeddingBackward(int vocabulary, Tensor ids, Tensor mask, Tensor dOutput, RowGradient dTable, int threads) {
        JavaEmbedding.embeddingBackward(vocabulary, ids, mask, dOutput, dTable);
    }

    @Override
    public void nonZeroMask(Tensor ids, Tensor mask) {
        JavaEmbedding.nonZeroMask(ids, mask);
    }

    // The storage's 32-bit slots as floats (an ids tensor's hold int32 bits).
    static float[] read(Tensor t) {
        float[] array = t.heapArray();
        if (array != null) return array;
        float[] copy = new float[Math.toIntExact(t.size())];
        t.buffer().get(copy);
        return copy;
    }

    static float[] writable(Tensor t) {
        float[] array = t.heapArray();
        return array != null ? array : new float[Math.toIntExact(t.size())];
    }

    static void commit(Tensor t, float[] values) {
        if (t.heapArray() != values) t.copyFrom(values);
    }
}

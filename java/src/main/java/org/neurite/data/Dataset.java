package org.neurite.data;

import java.util.Arrays;
import org.neurite.Tensor;

/**
 * Samples and their targets, read a batch at a time: {@code fit} and {@code evaluate} ask for
 * the samples of a batch by index, so a dataset never copies the whole set per epoch and may
 * keep it in any form (MNIST stays bytes until a batch is made).
 *
 * <pre>{@code
 * Dataset train = Dataset.of(images, labels); // [n, 28, 28, 1] and [n]
 * model.fit(train, Fit.epochs(5).batchSize(32).validationSplit(0.1));
 * }</pre>
 */
public interface Dataset {
    int size();

    /** One sample's shape, e.g. 28, 28, 1. */
    int[] inputShape();

    /** One sample's target shape: empty for a class id, e.g. 10 for a one-hot row. */
    int[] targetShape();

    /**
     * Writes the samples {@code indices[from .. from + count)}, in that order, into {@code inputs}
     * (count times the input size) and their targets into {@code targets}.
     */
    void read(int[] indices, int from, int count, float[] inputs, float[] targets);

    /**
     * Whether {@link #read} writes int32 token ids (each id's bits, as
     * {@code Float.intBitsToFloat} gives them) rather than floats: the inputs then go to the
     * model as {@link Tensor#ids} tensors.
     */
    default boolean inputsAreIds() {
        return false;
    }

    /** The class id of sample i, where targets are class ids (class weights use it); -1 otherwise. */
    default int label(int i) {
        return -1;
    }

    /** Floats per sample. */
    default int inputSize() {
        return product(inputShape());
    }

    /** Floats per target. */
    default int targetSize() {
        return product(targetShape());
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Samples {@code [from, to)} of this dataset, without copying. */
    default Dataset slice(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") of a dataset of " + size() + " samples");
        }
        Dataset whole = this;
        return new Dataset() {
            @Override public int size() { return to - from; }
            @Override public int[] inputShape() { return whole.inputShape(); }
            @Override public int[] targetShape() { return whole.targetShape(); }
            @Override public int label(int i) { return whole.label(from + i); }
            @Override public boolean inputsAreIds() { return whole.inputsAreIds(); }

            @Override
            public void read(int[] indices, int start, int count, float[] inputs, float[] targets) {
                int[] shifted = new int[count];
                for (int k = 0; k < count; k++) shifted[k] = from + indices[start + k];
                whole.read(shifted, 0, count, inputs, targets);
            }
        };
    }

    /** Samples and targets held in two tensors, {@code [n, ...]} each (targets {@code [n]} for class ids). */
    static Dataset of(Tensor inputs, Tensor targets) {
        return new TensorDataset(inputs, targets);
    }

    /** As {@link #of(Tensor, Tensor)}, over arrays. */
    static Dataset of(float[] inputs, int[] inputShape, float[] targets, int... targetShape) {
        int n = inputs.length / Math.max(1, product(inputShape));
        int[] x = new int[inputShape.length + 1], y = new int[targetShape.length + 1];
        x[0] = y[0] = n;
        System.arraycopy(inputShape, 0, x, 1, inputShape.length);
        System.arraycopy(targetShape, 0, y, 1, targetShape.length);
        return new TensorDataset(Tensor.of(inputs, x), Tensor.of(targets, y));
    }

    /** Shapes of a dataset, for messages. */
    static String describe(Dataset d) {
        return d.size() + " samples of " + Arrays.toString(d.inputShape()) + " -> " + Arrays.toString(d.targetShape());
    }
}

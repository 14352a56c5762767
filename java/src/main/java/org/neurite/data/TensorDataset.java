package org.neurite.data;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.neurite.Tensor;

/** A dataset over two tensors, read sample by sample with bulk copies. */
final class TensorDataset implements Dataset {
    private final Tensor inputs, targets;
    private final int[] inputShape, targetShape;
    private final int inputSize, targetSize, size;

    TensorDataset(Tensor inputs, Tensor targets) {
        if (inputs == null || targets == null) throw new IllegalArgumentException("Dataset.of: inputs and targets are required");
        if (inputs.rank() < 2) throw new IllegalArgumentException("Dataset.of: inputs need a sample axis and a sample shape, got "
                + Arrays.toString(inputs.shape()));
        if (targets.dim(0) != inputs.dim(0)) {
            throw new IllegalArgumentException("Dataset.of: " + inputs.dim(0) + " samples but " + targets.dim(0) + " targets (inputs "
                    + Arrays.toString(inputs.shape()) + ", targets " + Arrays.toString(targets.shape()) + ")");
        }
        this.inputs = inputs;
        this.targets = targets;
        int[] x = inputs.shape(), y = targets.shape();
        size = x[0];
        inputShape = Arrays.copyOfRange(x, 1, x.length);
        targetShape = Arrays.copyOfRange(y, 1, y.length);
        inputSize = Math.toIntExact(inputs.size() / size);
        targetSize = Math.toIntExact(targets.size() / size);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    @Override
    public int[] targetShape() {
        return targetShape.clone();
    }

    @Override
    public boolean inputsAreIds() {
        return inputs.holdsIds();
    }

    @Override
    public int label(int i) {
        return targetSize == 1 && targetShape.length == 0 ? (int) targets.get(i) : -1;
    }

    @Override
    public void read(int[] indices, int from, int count, float[] x, float[] y) {
        FloatBuffer in = inputs.sharedBuffer(), out = targets.sharedBuffer();
        for (int k = 0; k < count; k++) {
            int i = indices[from + k];
            if (i < 0 || i >= size) throw new IndexOutOfBoundsException("sample " + i + " of a dataset of " + size);
            in.get(i * inputSize, x, k * inputSize, inputSize);
            out.get(i * targetSize, y, k * targetSize, targetSize);
        }
    }
}

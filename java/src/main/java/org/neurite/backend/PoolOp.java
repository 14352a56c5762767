package org.neurite.backend;

import org.neurite.Tensor;

/**
 * Max or average pooling prepared for one geometry.
 *
 * <pre>{@code
 * try (PoolOp pool = backend.pool(geometry)) { pool.forward(input, output, threads); }
 * }</pre>
 */
public interface PoolOp extends AutoCloseable {
    PoolGeometry geometry();

    void forward(Tensor input, Tensor output, int threads);

    /** Floats {@link #forwardTraining} saves for a batch: for max pooling, where each output's max lies in its window. */
    long workspaceSize(int batch);

    /** As {@link #forward}, saving what {@link #backward} needs in {@code workspace}. */
    void forwardTraining(Tensor input, Tensor output, Tensor workspace, int threads);

    /**
     * The input's gradient, overwriting {@code dInput}: max pooling routes each output's
     * gradient to its window's first maximum (row-major, as Keras and PyTorch), average pooling
     * spreads it over the window's cells inside the input. {@code reluOutput}, for max pooling
     * over a ReLU's output, folds the ReLU's backward pass in: null, or the forward pass'
     * output, and then an output's gradient passes only where that output is positive, so that
     * {@code dInput} is the gradient at the ReLU's input.
     */
    void backward(Tensor dOutput, Tensor workspace, Tensor reluOutput, Tensor dInput, int threads);

    @Override
    void close();
}

package org.neurite.layers;

/**
 * 1D max pooling over {@code [batch, steps, channels]}, as Keras' {@code MaxPooling1D}.
 *
 * <pre>{@code
 * model.add(new MaxPool1D(2));
 * }</pre>
 */
public final class MaxPool1D extends PoolingLayer {
    public MaxPool1D(int poolSize) {
        super(1, true, 1, poolSize);
    }
}

package org.neurite.layers;

/**
 * 2D max pooling over NHWC, as Keras' {@code MaxPooling2D}.
 *
 * <pre>{@code
 * model.add(new MaxPool2D(2));
 * }</pre>
 */
public final class MaxPool2D extends PoolingLayer {
    public MaxPool2D(int poolSize) {
        this(poolSize, poolSize);
    }

    public MaxPool2D(int poolH, int poolW) {
        super(2, true, poolH, poolW);
    }
}

package org.neurite.layers;

/**
 * 2D average pooling over NHWC, as Keras' {@code AveragePooling2D}; cells in the padding are not counted.
 *
 * <pre>{@code
 * model.add(new AvgPool2D(2));
 * }</pre>
 */
public final class AvgPool2D extends PoolingLayer {
    public AvgPool2D(int poolSize) {
        this(poolSize, poolSize);
    }

    public AvgPool2D(int poolH, int poolW) {
        super(2, false, poolH, poolW);
    }
}

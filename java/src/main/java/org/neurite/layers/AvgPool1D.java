package org.neurite.layers;

/**
 * 1D average pooling over {@code [batch, steps, channels]}, as Keras' {@code AveragePooling1D}.
 *
 * <pre>{@code
 * model.add(new AvgPool1D(2));
 * }</pre>
 */
public final class AvgPool1D extends PoolingLayer {
    public AvgPool1D(int poolSize) {
        super(1, false, 1, poolSize);
    }
}

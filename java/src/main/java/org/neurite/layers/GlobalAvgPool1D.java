package org.neurite.layers;

/**
 * Mean over steps, as Keras' {@code GlobalAveragePooling1D}; output {@code [batch, channels]}.
 * Given a mask (from {@code Embedding(...).maskZero(true)}, say), the mean of the valid steps alone.
 *
 * <pre>{@code
 * model.add(new GlobalAvgPool1D());
 * }</pre>
 */
public final class GlobalAvgPool1D extends PoolingLayer {
    public GlobalAvgPool1D() {
        super(1, false);
    }
}

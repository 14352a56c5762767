package org.neurite.layers;

/**
 * Mean over height and width, as Keras' {@code GlobalAveragePooling2D}; output {@code [batch, channels]}.
 *
 * <pre>{@code
 * model.add(new GlobalAvgPool2D());
 * }</pre>
 */
public final class GlobalAvgPool2D extends PoolingLayer {
    public GlobalAvgPool2D() {
        super(2, false);
    }
}

package org.neurite.layers;

/**
 * Max over height and width, as Keras' {@code GlobalMaxPooling2D}; output {@code [batch, channels]}.
 *
 * <pre>{@code
 * model.add(new GlobalMaxPool2D());
 * }</pre>
 */
public final class GlobalMaxPool2D extends PoolingLayer {
    public GlobalMaxPool2D() {
        super(2, true);
    }
}

package org.neurite.layers;

/**
 * Max over steps, as Keras' {@code GlobalMaxPooling1D}; output {@code [batch, channels]}.
 *
 * <pre>{@code
 * model.add(new GlobalMaxPool1D());
 * }</pre>
 */
public final class GlobalMaxPool1D extends PoolingLayer {
    public GlobalMaxPool1D() {
        super(1, true);
    }
}

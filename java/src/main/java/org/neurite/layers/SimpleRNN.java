package org.neurite.layers;

import org.neurite.backend.RnnGeometry;

/**
 * The plain recurrent layer, as Keras' {@code SimpleRNN}: {@code h' = tanh(x W + h U + b)}.
 *
 * <pre>{@code
 * model.add(new SimpleRNN(32));
 * }</pre>
 */
public final class SimpleRNN extends RecurrentLayer<SimpleRNN> {
    public SimpleRNN(int units) {
        super(RnnGeometry.Cell.SIMPLE, units);
    }
}

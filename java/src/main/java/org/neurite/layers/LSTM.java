package org.neurite.layers;

import org.neurite.backend.RnnGeometry;

/**
 * Long short-term memory, as Keras' {@code LSTM}: gates i, f, c, o; the forget gate's bias
 * starts at 1 ({@code unit_forget_bias}). Runs on the fused native LSTM kernel, one call per
 * sequence.
 *
 * <pre>{@code
 * model.add(new Embedding(10000, 64)).add(new LSTM(64)).add(new Dense(10, Activation.SOFTMAX));
 * }</pre>
 */
public final class LSTM extends RecurrentLayer<LSTM> {
    public LSTM(int units) {
        super(RnnGeometry.Cell.LSTM, units);
    }

    /** Keras' {@code unit_forget_bias} (default true): the forget gate's bias starts at 1. */
    public LSTM unitForgetBias(boolean unitForgetBias) {
        ensureNotBuilt();
        this.unitForgetBias = unitForgetBias;
        return this;
    }
}

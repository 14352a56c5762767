package org.neurite.layers;

import org.neurite.backend.RnnGeometry;

/**
 * Gated recurrent unit, as Keras' {@code GRU}: gates z, r, h. By default
 * {@code reset_after=true} (Keras' default and PyTorch's form, bias {@code [2, 3 units]});
 * {@link #resetAfter(boolean) resetAfter(false)} gives the original form (bias {@code [3 units]}).
 *
 * <pre>{@code
 * model.add(new GRU(64).returnSequences(true));
 * }</pre>
 */
public final class GRU extends RecurrentLayer<GRU> {
    public GRU(int units) {
        super(RnnGeometry.Cell.GRU, units);
    }

    public GRU resetAfter(boolean resetAfter) {
        ensureNotBuilt();
        this.resetAfter = resetAfter;
        return this;
    }
}

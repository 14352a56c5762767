package org.neurite.testkit;

import java.util.ArrayList;
import java.util.List;
import org.neurite.Parameter;
import org.neurite.Tensor;
import org.neurite.layers.Layer;

/**
 * Weights made by tests and benchmarks, which hold them as arrays in Keras layout, shaped as
 * the layer's parameters for {@link Layer#setWeights}.
 */
public final class Weights {
    private Weights() {}

    /** {@code values[i]} shaped as the layer's i-th parameter (lengths must match). */
    public static List<Tensor> shaped(Layer layer, float[]... values) {
        List<Parameter> params = layer.parameters();
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(Tensor.heap(i < params.size() ? params.get(i).shape() : new int[] {values[i].length}).copyFrom(values[i]));
        }
        return out;
    }

    /** Another layer's weights, e.g. to run the same weights in two configurations. */
    public static void copy(Layer from, Layer to) {
        to.setWeights(from.getWeights());
    }
}

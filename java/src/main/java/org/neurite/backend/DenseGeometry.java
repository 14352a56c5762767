package org.neurite.backend;

import org.neurite.Activation;

/**
 * One dense problem, batch excluded: {@code y[out] = act(x[in] W[in, out] + b[out])}.
 *
 * <pre>{@code
 * DenseGeometry g = new DenseGeometry(576, 64, Activation.RELU, 0f);
 * }</pre>
 */
public record DenseGeometry(int in, int out, Activation activation, float alpha) {
    public DenseGeometry {
        if (!activation.isElementWise()) throw new IllegalArgumentException("dense cannot fuse " + activation);
    }
}

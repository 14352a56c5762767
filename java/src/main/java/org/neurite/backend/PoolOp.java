package org.neurite.backend;

import org.neurite.Tensor;

/**
 * Max or average pooling prepared for one geometry.
 *
 * <pre>{@code
 * try (PoolOp pool = backend.pool(geometry)) { pool.forward(input, output, threads); }
 * }</pre>
 */
public interface PoolOp extends AutoCloseable {
    PoolGeometry geometry();

    void forward(Tensor input, Tensor output, int threads);

    @Override
    void close();
}

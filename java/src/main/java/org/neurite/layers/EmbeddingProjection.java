package org.neurite.layers;

import org.neurite.Tensor;

/**
 * An {@link Embedding} and the recurrent layer after it, run as one for inference: the
 * embedding table times the layer's input kernel, plus its input bias, is computed once
 * ({@code [vocabulary, gates * units]}), so a call gathers projected rows instead of
 * embeddings and skips the projection GEMM over the whole sequence, about half of an LSTM's
 * arithmetic. The same sums as running the layers apart, in another order (float rounding
 * only). {@link org.neurite.Sequential} folds every such pair whose projected table stays
 * within {@link #MAX_FLOATS}; the table is redone when either layer's weights change.
 *
 * <pre>{@code
 * EmbeddingProjection fold = EmbeddingProjection.of(embedding, lstm); // null where it does not apply
 * }</pre>
 */
public final class EmbeddingProjection implements AutoCloseable {
    /** The largest projected table folded: 16 Mi floats (64 MiB), memory a model may spend to save the GEMM. */
    public static final long MAX_FLOATS = 1L << 24;

    private record Folded(Tensor table, int embeddingVersion, int layerVersion) {}

    private final Embedding embedding;
    private final RecurrentLayer<?> layer;
    private volatile Folded folded;

    private EmbeddingProjection(Embedding embedding, RecurrentLayer<?> layer) {
        this.embedding = embedding;
        this.layer = layer;
    }

    /** The fold of two built, consecutive layers, or null unless they are an Embedding and a recurrent layer that fit. */
    public static EmbeddingProjection of(Layer first, Layer second) {
        if (!(first instanceof Embedding e) || !(second instanceof RecurrentLayer<?> r)) return null;
        if ((long) e.vocabulary() * r.geometry().gatedUnits() > MAX_FLOATS) return null;
        return new EmbeddingProjection(e, r);
    }

    /** Scratch for {@link #forward}: the projected sequence of a batch, [batch, steps, gates * units]. */
    public Tensor newProjected(int batch) {
        return layer.backend.allocate(batch, embedding.inputShape()[0], layer.geometry().gatedUnits());
    }

    /** Checks the ids and their mask as {@link Layer#forward} would, before any backend call. */
    public void check(Tensor ids, Tensor mask) {
        embedding.checkInputAndMask(ids, mask);
    }

    /**
     * Runs the pair on checked ids: {@code layerMask} is the Embedding's output mask (see
     * {@link Embedding#computeMask}), {@code projected} a scratch tensor from
     * {@link #newProjected}, {@code output} the recurrent layer's output.
     */
    public void forward(Tensor ids, Tensor layerMask, Tensor projected, Tensor output, int threads) {
        embedding.gather(ids, table(threads), projected, threads);
        layer.runProjected(projected, layerMask, output, threads);
    }

    private Tensor table(int threads) {
        Folded f = folded;
        if (f == null || f.embeddingVersion() != embedding.weightsVersion() || f.layerVersion() != layer.weightsVersion()) {
            f = refold(threads);
        }
        return f.table();
    }

    private synchronized Folded refold(int threads) {
        Folded f = folded;
        int embeddingVersion = embedding.weightsVersion(), layerVersion = layer.weightsVersion();
        if (f != null && f.embeddingVersion() == embeddingVersion && f.layerVersion() == layerVersion) return f;
        Tensor table = layer.backend.allocate(embedding.vocabulary(), layer.geometry().gatedUnits());
        layer.project(embedding.table(), table, threads);
        if (f != null) f.table().close();
        folded = f = new Folded(table, embeddingVersion, layerVersion);
        return f;
    }

    @Override
    public synchronized void close() {
        if (folded != null) folded.table().close();
        folded = null;
    }
}

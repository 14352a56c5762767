package org.neurite.layers;

import java.util.Random;
import org.neurite.Parameter;
import org.neurite.Tensor;
import org.neurite.backend.BinaryOp;

/**
 * Turns ids into vectors, as Keras' {@code Embedding}: input {@code [batch, steps]} of ids,
 * int32 ({@link Tensor#ids}) or held as floats (exact below 2^24, so a larger vocabulary takes
 * int32 ids only), output {@code [batch, steps, dim]}, table
 * {@code [vocabulary, dim]}. With {@link #maskZero(boolean) maskZero}, id 0 is padding: the
 * recurrent layers after it skip those steps. An id outside the vocabulary is refused with
 * its value and position, before any native call.
 *
 * <pre>{@code
 * model.add(new Embedding(10000, 64).maskZero(true));
 * }</pre>
 */
public final class Embedding extends Layer {
    final int vocabulary, dim;
    boolean maskZero;
    private Parameter table;

    public Embedding(int vocabulary, int dim) {
        if (vocabulary <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: vocabulary " + vocabulary + " and dim " + dim + " must be positive");
        }
        this.vocabulary = vocabulary;
        this.dim = dim;
    }

    /** Treats id 0 as padding, masked in the layers that follow (Keras' {@code mask_zero}). */
    public Embedding maskZero(boolean maskZero) {
        ensureNotBuilt();
        this.maskZero = maskZero;
        return this;
    }

    /** Float ids are exact up to 2^24: past that, only int32 ids name every row. */
    private static final int EXACT_FLOAT_IDS = 1 << 24;

    @Override
    protected boolean takesIds() {
        return true;
    }

    // Float ids are checked only here: the backends check every id of either kind.
    private void checkIdKind(Tensor ids) {
        if (!ids.holdsIds() && vocabulary > EXACT_FLOAT_IDS) {
            throw new IllegalArgumentException(describe() + ": a vocabulary of " + vocabulary
                    + " needs int32 ids (Tensor.ids): float ids are exact only up to 2^24");
        }
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        if (in.length != 1) throw badInput("[batch, steps] of ids", in);
        return new int[] {in[0], dim};
    }

    @Override
    protected void prepare(int[] inputShape, Random random) {
        float[] t = new float[values("embeddings", vocabulary, dim)];
        for (int i = 0; i < t.length; i++) t[i] = (random.nextFloat() * 2f - 1f) * 0.05f; // Keras' uniform(-0.05, 0.05)
        table = addParameter("embeddings", t, vocabulary, dim);
    }

    @Override
    protected Tensor run(Tensor input, Tensor output, int threads) {
        gather(input, table.value(), output, threads);
        return output;
    }

    /**
     * Only the table gets a gradient, as rows (see {@link org.neurite.RowGradient}): those of the
     * ids at the positions the output mask keeps. Ids have none.
     */
    @Override
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        Tensor mask = maskZero ? computeMask(ctx, ctx.input, ctx.mask) : ctx.mask;
        backend.embeddingBackward(vocabulary, ctx.input, mask, dOutput, table.rowGradient(Math.toIntExact(ctx.input.size())),
                ctx.threads());
        return null;
    }

    /** The output mask of {@link #computeMask(Tensor, Tensor)}, made in the context's storage. */
    @Override
    public Tensor computeMask(Context ctx, Tensor input, Tensor inputMask) {
        if (!maskZero) return inputMask;
        Tensor mask = ctx.buffer(backend, Context.Slot.MASK, input);
        backend.nonZeroMask(input, mask);
        if (inputMask != null) backend.binary(BinaryOp.MUL, mask, inputMask, mask, 1);
        return mask;
    }

    /** output[i] = rows[ids[i]] for a [vocabulary, width] table of rows: the embeddings, or a projection of them. */
    void gather(Tensor ids, Tensor rows, Tensor output, int threads) {
        checkIdKind(ids);
        try {
            backend.embedding(vocabulary, ids, rows, output, threads); // checks every id first
        } catch (IllegalArgumentException e) {
            throw badId(ids, e);
        }
    }

    // The backend found a bad id; name the layer and the id's [sample, step], as a user counts them.
    private IllegalArgumentException badId(Tensor input, IllegalArgumentException cause) {
        int steps = input.dim(1);
        if (input.holdsIds()) {
            int[] ids = input.toIntArray();
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= vocabulary) return badId(Integer.toString(ids[i]), i, steps, cause);
            }
        } else {
            float[] ids = input.toArray();
            for (int i = 0; i < ids.length; i++) {
                float id = ids[i];
                if (!(id >= 0 && id < vocabulary) || id != Math.floor(id)) return badId(Float.toString(id), i, steps, cause);
            }
        }
        return new IllegalArgumentException(describe() + ": " + cause.getMessage(), cause);
    }

    private IllegalArgumentException badId(String id, int position, int steps, IllegalArgumentException cause) {
        return new IllegalArgumentException(describe() + ": id " + id + " at position [" + position / steps + ", "
                + position % steps + "] is not in the vocabulary [0, " + vocabulary + ")", cause);
    }

    /**
     * The mask given with the ids (explicit sequence lengths, say) and, with maskZero, 0 where
     * the id is 0: a step is valid only if both say so.
     */
    @Override
    public Tensor computeMask(Tensor input, Tensor inputMask) {
        if (!maskZero) return inputMask;
        Tensor mask = backend.allocate(input.dim(0), input.dim(1));
        backend.nonZeroMask(input, mask);
        if (inputMask != null) backend.binary(BinaryOp.MUL, mask, inputMask, mask, 1);
        return mask;
    }

    int vocabulary() {
        return vocabulary;
    }

    Tensor table() {
        return table.value();
    }
}

package org.neurite.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.neurite.Tensor;
import org.neurite.backend.Backend;

/**
 * One layer's state across a training step: what its forward pass saved for the backward
 * pass, and the buffers both use, kept from step to step while the batch size stays, so a
 * steady training loop allocates nothing. One context per layer and per concurrent step.
 *
 * <pre>{@code
 * try (Context ctx = new Context(threads)) {
 *     Tensor y = layer.forwardTraining(ctx, x, null);
 *     Tensor dx = layer.backward(ctx, dy); // also writes the layer's parameter gradients
 * }
 * }</pre>
 */
public final class Context implements AutoCloseable {
    /** The buffer slots a layer may use. */
    enum Slot { OUTPUT, INPUT_GRADIENT, SAVED, PRE_GRADIENT, MASK, OUTPUT_VIEW, INPUT_GRADIENT_VIEW, H_GRADIENT, C_GRADIENT, FINAL_H,
        FINAL_C }

    /** Keeps a tensor the context then owns (closing the one it replaces), e.g. a new mask. */
    Tensor keep(Slot slot, Tensor t) {
        return replace(slot, t);
    }

    /** A one-dimensional buffer of {@code floats} (a workspace). */
    Tensor flat(Backend backend, Slot slot, int floats) {
        Tensor t = buffers[slot.ordinal()];
        return t != null && t.rank() == 1 && t.size() == floats ? t : replace(slot, backend.allocate(floats));
    }

    private final int threads;
    private final Tensor[] buffers = new Tensor[Slot.values().length];
    private final List<Context> children = new ArrayList<>();
    Tensor input, mask, output;
    // A recurrent layer's initial states: given for the next forward pass, then those of the last one.
    Tensor pendingH, pendingC, initialH, initialC;
    boolean stateGradients;
    // A recurrent layer's final states: asked for in the next forward pass, then those it wrote; their gradients in backward.
    boolean pendingFinalStates;
    Tensor finalH, finalC, dFinalH, dFinalC;
    // A recurrent layer's backward pass ran since its training forward pass: it overwrote what that pass saved.
    boolean savedSpent;

    /** A context whose layers use {@code threads} threads (0: all cores). */
    public Context(int threads) {
        this.threads = threads;
    }

    public int threads() {
        return threads;
    }

    /**
     * The slot's buffer of {@code like}'s shape, reused (allocating nothing) while the shape
     * stays; zero-filled when new, else as the last use left it.
     */
    Tensor buffer(Backend backend, Slot slot, Tensor like) {
        Tensor t = buffers[slot.ordinal()];
        return t != null && t.hasShapeOf(like) ? t : replace(slot, backend.allocate(like.shape()));
    }

    /** As {@link #buffer(Backend, Slot, Tensor)} for {@code batch} samples of {@code sampleShape}. */
    Tensor buffer(Backend backend, Slot slot, int batch, int[] sampleShape) {
        Tensor t = buffers[slot.ordinal()];
        if (t != null && t.hasShape(batch, sampleShape)) return t;
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = batch;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return replace(slot, backend.allocate(shape));
    }

    /** {@code source} seen as {@code batch} samples of {@code sampleShape}, the view kept in the slot while it fits. */
    Tensor view(Slot slot, Tensor source, int batch, int[] sampleShape) {
        Tensor t = buffers[slot.ordinal()];
        if (t != null && t.isViewOf(source) && t.hasShape(batch, sampleShape)) return t;
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = batch;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return replace(slot, source.reshape(shape));
    }

    // Closing a view frees nothing: its source's owner keeps the storage.
    private Tensor replace(Slot slot, Tensor next) {
        Tensor old = buffers[slot.ordinal()];
        if (old != null) old.close();
        return buffers[slot.ordinal()] = next;
    }

    /** The context of the {@code index}th layer a wrapper runs (Bidirectional's two), made at first use. */
    Context child(int index) {
        while (children.size() <= index) children.add(new Context(threads));
        return children.get(index);
    }

    @Override
    public void close() {
        for (Context c : children) c.close();
        for (Tensor t : buffers) if (t != null) t.close();
        Arrays.fill(buffers, null);
        input = mask = output = null;
    }
}

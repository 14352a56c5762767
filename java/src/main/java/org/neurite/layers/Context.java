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
    enum Slot { OUTPUT, INPUT_GRADIENT, SAVED, PRE_GRADIENT, MASK }

    private final int threads;
    private final Tensor[] buffers = new Tensor[Slot.values().length];
    private final List<Context> children = new ArrayList<>();
    Tensor input, mask, output;

    /** A context whose layers use {@code threads} threads (0: all cores). */
    public Context(int threads) {
        this.threads = threads;
    }

    public int threads() {
        return threads;
    }

    /** The slot's buffer, reused while its shape stays; zero-filled when new, else as the last use left it. */
    Tensor buffer(Backend backend, Slot slot, int... shape) {
        Tensor t = buffers[slot.ordinal()];
        if (t == null || !Arrays.equals(t.shape(), shape)) {
            if (t != null) t.close();
            t = buffers[slot.ordinal()] = backend.allocate(shape);
        }
        return t;
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

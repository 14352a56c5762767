package org.neurite;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.neurite.backend.Backend;

/**
 * A trainable weight of a layer: its value in Keras layout, its gradient and the optimizer's
 * slots (moments), all in the backend's storage. Layers repack what their kernels read from
 * the value whenever its {@link #version} moves, so whoever writes the value in place (an
 * optimizer step) calls {@link #changed()} afterwards.
 *
 * <pre>{@code
 * for (Parameter p : layer.parameters()) {
 *     sgdStep(p.value(), p.gradient(), learningRate);
 *     p.changed();
 * }
 * }</pre>
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final int[] shape;
    private final Backend backend;
    private final Tensor value;
    private final Map<String, Tensor> slots = new LinkedHashMap<>();
    private Tensor gradient;
    private RowGradient rowGradient;
    private boolean gradientIsRows; // the last backward pass gave rows, not yet made dense
    private volatile int version;

    /** A parameter holding {@code initial} (Keras layout, {@code shape}), e.g. "kernel", [3, 3, 1, 32]. */
    public Parameter(String name, Backend backend, float[] initial, int... shape) {
        if (Tensor.checkedShape(shape) != initial.length) {
            throw new IllegalArgumentException(name + ": " + initial.length + " values for shape " + Arrays.toString(shape));
        }
        this.name = name;
        this.shape = shape.clone();
        this.backend = backend;
        this.value = backend.allocate(shape).copyFrom(initial);
    }

    /** "kernel", "recurrent kernel", "bias" or "embeddings". */
    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public long size() {
        return value.size();
    }

    /** The value the layer reads; after writing it in place, call {@link #changed()}. */
    public Tensor value() {
        return value;
    }

    /** A copy of the value. */
    public float[] get() {
        return value.toArray();
    }

    /** Replaces the value; {@code values} must hold {@link #size()} floats. */
    public void set(float[] values) {
        value.copyFrom(values);
        changed();
    }

    /**
     * The gradient of the last backward pass, zero until one ran. A gradient given as rows
     * (see {@link #rowGradient()}) is written out whole here, and this tensor is the gradient
     * from then on: what is written into it is what an optimizer applies.
     */
    public synchronized Tensor gradient() {
        if (gradient == null) gradient = backend.allocate(shape);
        if (gradientIsRows) {
            rowGradient.scatterInto(gradient);
            gradientIsRows = false;
        }
        return gradient;
    }

    /** The gradient of the last backward pass as rows, or null where it is dense (see {@link #gradient()}). */
    public synchronized RowGradient rowGradient() {
        return gradientIsRows ? rowGradient : null;
    }

    /**
     * Storage for a backward pass that gives this [rows, width] parameter's gradient as at most
     * {@code capacity} rows, an embedding table's: once written, it is the gradient.
     */
    public synchronized RowGradient rowGradient(int capacity) {
        if (shape.length != 2) throw new IllegalStateException(describe() + " is not a table of rows");
        if (rowGradient == null) rowGradient = new RowGradient(backend, shape[1]);
        rowGradient.reserve(capacity);
        gradientIsRows = true;
        return rowGradient;
    }

    /** An optimizer's per-parameter state of the value's shape (e.g. Adam's "m" and "v"), zero-filled at first use. */
    public synchronized Tensor slot(String slotName) {
        Tensor slot = slots.get(slotName); // not computeIfAbsent: its lambda would cost an object per optimizer step
        if (slot == null) slots.put(slotName, slot = backend.allocate(shape));
        return slot;
    }

    /** Frees every slot: the next optimizer to use one finds it zero-filled again. */
    public synchronized void clearSlots() {
        for (Tensor t : slots.values()) t.close();
        slots.clear();
    }

    /** The names of the slots created so far, in creation order. */
    public synchronized java.util.List<String> slotNames() {
        return java.util.List.copyOf(slots.keySet());
    }

    /** Marks the value as changed in place, so the layer repacks it before its next run. */
    public void changed() {
        version++;
    }

    /** Moves with every change of the value. */
    public int version() {
        return version;
    }

    /** "kernel [3, 3, 1, 32]", for messages. */
    public String describe() {
        return name + " " + Arrays.toString(shape);
    }

    @Override
    public synchronized void close() {
        value.close();
        if (gradient != null) gradient.close();
        if (rowGradient != null) rowGradient.close();
        clearSlots();
    }
}

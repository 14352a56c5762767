package org.neurite;

import java.util.Arrays;
import org.neurite.backend.Backend;

/**
 * A gradient that is zero but on some rows of a {@code [rows, width]} parameter, as Keras'
 * {@code IndexedSlices}: an embedding table's, of which a batch touches a few rows. Its size
 * follows the batch, not the vocabulary, and plain SGD updates those rows alone.
 *
 * <pre>{@code
 * RowGradient g = embeddingTable.rowGradient(); // null when the gradient is dense
 * int[] rows = g.rowIds();                       // ascending
 * float[] values = g.rowValues();                // rows.length * width, row after row
 * }</pre>
 */
public final class RowGradient implements AutoCloseable {
    private final Backend backend;
    private final int width;
    private Tensor rows, values;
    private int count;

    RowGradient(Backend backend, int width) {
        this.backend = backend;
        this.width = width;
    }

    /** Makes room for {@code capacity} rows, keeping the storage when it already has that much. */
    void reserve(int capacity) {
        if (rows != null && rows.dim(0) >= capacity) return;
        close();
        rows = backend.allocateIds(capacity);
        values = backend.allocate(capacity, width);
        count = 0;
    }

    /** The row ids, int32 in the first {@link #count()} slots, ascending: for backends. */
    public Tensor rows() {
        return rows;
    }

    /** The rows' gradients, {@code [capacity, width]}, of which the first {@link #count()} rows count: for backends. */
    public Tensor values() {
        return values;
    }

    /** Sets how many rows the last backward pass wrote. */
    public void count(int count) {
        if (count < 0 || count > rows.dim(0)) {
            throw new IllegalArgumentException("row gradient: " + count + " rows in room for " + rows.dim(0));
        }
        this.count = count;
    }

    /** How many rows have a gradient. */
    public int count() {
        return count;
    }

    /** The width of a row. */
    public int width() {
        return width;
    }

    /** A copy of the row ids, ascending. */
    public int[] rowIds() {
        return Arrays.copyOf(rows.toIntArray(), count);
    }

    /** A copy of the rows' gradients, {@code count() * width()} floats, row after row. */
    public float[] rowValues() {
        return Arrays.copyOf(values.toArray(), count * width);
    }

    /** Writes the whole gradient into {@code dense} ({@code [rows, width]}): zero but on the rows. */
    void scatterInto(Tensor dense) {
        float[] all = new float[Math.toIntExact(dense.size())];
        float[] rowValues = rowValues();
        int[] ids = rowIds();
        for (int k = 0; k < count; k++) System.arraycopy(rowValues, k * width, all, ids[k] * width, width);
        dense.copyFrom(all);
    }

    @Override
    public void close() {
        if (rows != null) {
            rows.close();
            values.close();
        }
    }
}

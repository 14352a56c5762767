package org.neurite;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.neurite.backend.Backends;
import org.neurite.bindings.NeuriteNative;

/**
 * A dense float array with a shape, stored row-major (NHWC for images, [batch, time,
 * features] for sequences). The native backend keeps tensors off-heap in 64-byte aligned
 * direct buffers handed to the kernels without copying; the Java backend keeps them on the
 * heap, where the JIT vectorises its loops. Off-heap memory is freed by {@link #close()},
 * and by the garbage collector for a tensor that was never closed.
 *
 * <pre>{@code
 * try (Tensor images = Tensor.of(pixels, 32, 28, 28, 1)) {
 *     Tensor probabilities = model.predict(images);
 * }
 * }</pre>
 */
public final class Tensor implements AutoCloseable {
    private static final int ALIGNMENT = 64;

    private final int[] shape;
    private final long size;
    private final FloatBuffer data;
    private final Cleaner.Cleanable offHeap; // frees the storage this tensor owns, or null (heap storage or a view)
    private final Tensor viewOf;
    private final boolean ids; // int32 token ids in the same 32-bit slots, not floats
    private volatile boolean closed;

    private Tensor(int[] shape, FloatBuffer data, Cleaner.Cleanable offHeap, Tensor viewOf, boolean ids) {
        this.shape = shape;
        this.size = checkedShape(shape);
        this.data = data;
        this.offHeap = offHeap;
        this.viewOf = viewOf;
        this.ids = ids;
    }

    /** Off-heap bytes held by open tensors now, and at most so far (see {@link Neurite#memoryStats()}). */
    static long[] offHeapBytes() {
        return new long[] {OffHeap.IN_USE.get(), OffHeap.PEAK.get()};
    }

    /**
     * Zeros in off-heap, 64-byte aligned storage from the native library's allocator.
     *
     * @throws IllegalStateException where the native library cannot load
     */
    public static Tensor direct(int... shape) {
        return direct(false, shape);
    }

    /** As {@link #direct}, holding int32 ids (all 0) rather than floats: see {@link #ids(int[], int...)}. */
    public static Tensor directIds(int... shape) {
        return direct(true, shape);
    }

    private static Tensor direct(boolean ids, int... shape) {
        long bytes = checkedShape(shape) * Float.BYTES;
        if (bytes > Integer.MAX_VALUE - ALIGNMENT) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " exceeds 2 GiB");
        }
        // malloc aligns to 16 bytes: one spare 64-byte unit holds the shift to the next 64-byte boundary.
        OffHeap memory = OffHeap.zeros(bytes + ALIGNMENT);
        ByteBuffer raw = memory.buffer();
        ByteBuffer aligned = raw.slice(memory.offsetTo(ALIGNMENT), (int) bytes).order(ByteOrder.nativeOrder());
        // Every view of raw (aligned, its float buffer, their slices) keeps raw reachable, so the
        // cleaner frees the memory only once no buffer over it remains.
        return new Tensor(shape.clone(), aligned.asFloatBuffer(), memory.freeWhenUnreachable(raw), null, ids);
    }

    /** Zeros on the Java heap. */
    public static Tensor heap(int... shape) {
        return heap(false, shape);
    }

    /** As {@link #heap}, holding int32 ids (all 0) rather than floats: see {@link #ids(int[], int...)}. */
    public static Tensor heapIds(int... shape) {
        return heap(true, shape);
    }

    private static Tensor heap(boolean ids, int... shape) {
        long size = checkedShape(shape);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " exceeds 2^31 floats");
        }
        return new Tensor(shape.clone(), FloatBuffer.wrap(new float[(int) size]), null, null, ids);
    }

    /** Zeros in the storage the active backend prefers. */
    public static Tensor zeros(int... shape) {
        return Backends.get().allocate(shape);
    }

    /** A copy of {@code values} with the given shape, in the storage the active backend prefers. */
    public static Tensor of(float[] values, int... shape) {
        long size = checkedShape(shape);
        if (values.length != size) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + size + " values, got " + values.length);
        }
        Tensor t = zeros(shape);
        t.copyFrom(values);
        return t;
    }

    /**
     * A copy of int32 token ids with the given shape (e.g. {@code [batch, steps]}), in the
     * storage the active backend prefers, as an {@link org.neurite.layers.Embedding} takes
     * them: no conversion to floats, so any id below 2^31 is exact (float ids are exact below
     * 2^24). Only an Embedding reads such a tensor; {@link #toIntArray} reads it back.
     */
    public static Tensor ids(int[] values, int... shape) {
        return ids(IntBuffer.wrap(values), shape);
    }

    /** As {@link #ids(int[], int...)}, from the buffer's remaining ids (its position does not move). */
    public static Tensor ids(IntBuffer values, int... shape) {
        long size = checkedShape(shape);
        if (values.remaining() != size) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + size + " ids, got " + values.remaining());
        }
        Tensor t = Backends.get().allocateIds(shape);
        for (int i = 0, at = values.position(); i < size; i++) t.data.put(i, Float.intBitsToFloat(values.get(at + i)));
        return t;
    }

    /** Whether this tensor holds int32 token ids ({@link #ids(int[], int...)}) rather than floats. */
    public boolean holdsIds() {
        return ids;
    }

    /** The int32 ids of a tensor made by {@link #ids(int[], int...)}. */
    public int[] toIntArray() {
        ensureOpen();
        if (!ids) throw new IllegalStateException("Tensor" + Arrays.toString(shape) + " holds floats, not int32 ids");
        int[] values = new int[Math.toIntExact(size)];
        for (int i = 0; i < values.length; i++) values[i] = Float.floatToRawIntBits(data.get(i));
        return values;
    }

    // The float accessors: an ids tensor's bits are not floats.
    private void ensureFloats() {
        if (ids) throw new IllegalStateException("Tensor" + Arrays.toString(shape) + " holds int32 ids: read them with toIntArray()");
    }

    /**
     * A {@code [lengths.length, steps]} mask with 1 on the first {@code lengths[b]} steps of
     * sample b and 0 after: explicit sequence lengths for {@link Sequential#predict(Tensor, Tensor)}.
     */
    public static Tensor sequenceMask(int steps, int... lengths) {
        float[] mask = new float[lengths.length * steps];
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException("length " + lengths[b] + " of sample " + b + " is outside [0, " + steps + "]");
            }
            java.util.Arrays.fill(mask, b * steps, b * steps + lengths[b], 1f);
        }
        return of(mask, lengths.length, steps);
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public long size() {
        return size;
    }

    public boolean isDirect() {
        return data.isDirect();
    }

    public boolean isClosed() {
        return closed || (viewOf != null && viewOf.isClosed());
    }

    /** The storage, positioned at 0. Fails on a closed tensor, whose memory may be gone. */
    public FloatBuffer buffer() {
        ensureOpen();
        return data.duplicate().clear();
    }

    /**
     * The storage itself, one object shared by every caller and by this tensor's views, for
     * code that reads and writes it by index only (the native backend hands it to the
     * kernels): never change its position or limit. Fails on a closed tensor.
     */
    public FloatBuffer sharedBuffer() {
        ensureOpen();
        return data;
    }

    /** Whether {@code other} has this tensor's shape (without copying either). */
    public boolean hasShapeOf(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** Whether this tensor is {@code batch} samples of {@code sampleShape} (without copying either). */
    public boolean hasShape(int batch, int[] sampleShape) {
        return shape.length == sampleShape.length + 1 && shape[0] == batch
                && Arrays.equals(shape, 1, shape.length, sampleShape, 0, sampleShape.length);
    }

    /** Whether this tensor is a view made by {@link #reshape} of {@code other}. */
    public boolean isViewOf(Tensor other) {
        return viewOf == other;
    }

    /** The heap array behind this tensor, or null for off-heap storage. */
    public float[] heapArray() {
        ensureOpen();
        return data.hasArray() ? data.array() : null;
    }

    public float get(long index) {
        ensureOpen();
        ensureFloats();
        return data.get(Math.toIntExact(index));
    }

    public float[] toArray() {
        ensureFloats();
        float[] values = new float[Math.toIntExact(size)];
        buffer().get(values);
        return values;
    }

    /** Copies the values into the start of {@code into}, which must hold at least {@link #size()} floats. */
    public float[] copyTo(float[] into) {
        if (into.length < size) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " holds " + size
                    + " values, more than the " + into.length + " of the array");
        }
        ensureFloats();
        buffer().get(into, 0, Math.toIntExact(size));
        return into;
    }

    public Tensor copyFrom(float[] values) {
        if (values.length != size) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " holds " + size
                    + " values, got " + values.length);
        }
        ensureFloats();
        buffer().put(values);
        return this;
    }

    /** Copies {@code rows} samples (first-axis rows) of {@code from}, starting at row {@code fromRow}, into {@code to} from row {@code toRow}. */
    public static void copyRows(Tensor from, int fromRow, Tensor to, int toRow, int rows) {
        long rowSize = from.size / from.shape[0];
        if (to.size / to.shape[0] != rowSize || fromRow < 0 || toRow < 0 || rows < 0 || fromRow + rows > from.shape[0]
                || toRow + rows > to.shape[0]) {
            throw new IllegalArgumentException("cannot copy rows [" + fromRow + ", " + (fromRow + rows) + ") of " + from + " to row "
                    + toRow + " of " + to);
        }
        if (from.ids != to.ids) throw new IllegalArgumentException("cannot copy rows of " + from + " to " + to);
        FloatBuffer source = from.buffer(), target = to.buffer();
        source.position(Math.toIntExact(fromRow * rowSize)).limit(Math.toIntExact((fromRow + rows) * rowSize));
        target.position(Math.toIntExact(toRow * rowSize));
        target.put(source);
    }

    /** Copies another tensor of the same size into this one. */
    public Tensor copyFrom(Tensor source) {
        if (source.size() != size) {
            throw new IllegalArgumentException("cannot copy " + source + " into " + this + ": sizes differ");
        }
        if (source.ids != ids) throw new IllegalArgumentException("cannot copy " + source + " into " + this);
        ensureOpen();
        source.ensureOpen();
        data.put(0, source.data, 0, (int) size); // absolute: no buffer duplicates, so a call allocates nothing
        return this;
    }

    /**
     * The same storage seen with another shape of the same size. Closing the view frees
     * nothing; closing this tensor invalidates the view.
     */
    public Tensor reshape(int... newShape) {
        ensureOpen();
        if (checkedShape(newShape) != size) {
            throw new IllegalArgumentException(
                    "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(newShape.clone(), data, null, this, ids);
    }

    /** Throws {@link IllegalStateException} naming {@code user} if this tensor is closed. */
    public void ensureOpen(String user) {
        if (isClosed()) throw new IllegalStateException(user + ": tensor " + Arrays.toString(shape) + " is closed");
    }

    private void ensureOpen() {
        ensureOpen("Tensor");
    }

    /** Frees off-heap storage now. Using the tensor afterwards throws; closing twice is harmless. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        if (offHeap != null) offHeap.clean();
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (ids ? " int32 ids" : "") + (isDirect() ? " off-heap" : " heap")
                + (isClosed() ? " closed" : "");
    }

    /** The number of elements, checking that every dimension is positive and the product fits a long. */
    public static long checkedShape(int... shape) {
        if (shape == null || shape.length == 0) throw new IllegalArgumentException("a tensor needs at least one dimension");
        long size = 1;
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("dimensions must be positive: " + Arrays.toString(shape));
            if (size > Long.MAX_VALUE / d) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many values");
            size *= d;
        }
        return size;
    }

    /**
     * Off-heap memory through JavaCPP (malloc and free in the native library's process), so that
     * {@link #close} frees it at once: a JDK buffer could only be freed early through
     * sun.misc.Unsafe, which JDK 24+ warns about. Each block is also freed by a cleaner once its
     * buffer is unreachable, the safety net for tensors nobody closed.
     */
    private static final class OffHeap implements Runnable {
        static final AtomicLong IN_USE = new AtomicLong(), PEAK = new AtomicLong();
        private static final Cleaner CLEANER = Cleaner.create();
        private static final Throwable UNAVAILABLE = load();
        private final Pointer memory;
        private final long bytes;

        private OffHeap(Pointer memory, long bytes) {
            this.memory = memory;
            this.bytes = bytes;
        }

        private static Throwable load() {
            try {
                Loader.load(NeuriteNative.class); // JavaCPP's own functions, malloc among them, come with our library
                return null;
            } catch (LinkageError | RuntimeException e) {
                return e;
            }
        }

        static OffHeap zeros(long bytes) {
            if (UNAVAILABLE != null) {
                throw new IllegalStateException("off-heap tensors need the native library, which cannot load: " + UNAVAILABLE,
                        UNAVAILABLE);
            }
            Pointer memory = Pointer.calloc(bytes, 1);
            if (memory == null || memory.isNull()) throw new OutOfMemoryError("cannot allocate " + bytes + " off-heap bytes");
            PEAK.accumulateAndGet(IN_USE.addAndGet(bytes), Math::max);
            return new OffHeap(memory, bytes);
        }

        /** A buffer over the whole block (which it does not keep alive: see {@link #freeWhenUnreachable}). */
        ByteBuffer buffer() {
            return memory.capacity(bytes).asByteBuffer();
        }

        /** How many bytes into the block its first {@code alignment}-byte aligned address lies. */
        int offsetTo(int alignment) {
            return (int) (-memory.address() & (alignment - 1));
        }

        /** Frees the block when {@code buffer} becomes unreachable, or when the result is cleaned, whichever is first. */
        Cleaner.Cleanable freeWhenUnreachable(ByteBuffer buffer) {
            return CLEANER.register(buffer, this);
        }

        @Override
        public void run() { // once: a Cleanable runs its action at most once, from close or from the cleaner
            Pointer.free(memory);
            IN_USE.addAndGet(-bytes);
        }
    }
}

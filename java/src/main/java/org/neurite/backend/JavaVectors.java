package org.neurite.backend;

import java.util.Arrays;

/**
 * The inner loops of the Java kernels, and the row buffers they run over. C2 (JDK 17) vectorises a loop only when
 * every array in it is indexed by the same expression: {@code y[k] += a * x[k]} over rows at offset 0 of their own
 * arrays runs 3 to 4 times faster than the same loop over rows of flat matrices at different offsets, which stays
 * scalar. So the kernels keep the matrices they multiply as arrays of rows, and copy rows of flat tensors into rows
 * of their own where a loop needs them.
 *
 * <p>Scratch rows belong to a thread and a slot, and are kept between calls, so that a steady training step
 * allocates none; each row grows to the widest use it has had, so a slot holds about the largest of its uses (the
 * thread that runs a convolution's backward pass keeps a copy of its largest output gradient). A slot's rows serve
 * one use at a time: the calling thread's slots ({@link Slot#KERNEL}, {@link Slot#RECURRENT}, {@link Slot#GRADIENT},
 * {@link Slot#OUTPUT_GRADIENT}) live across its parallel work, which reads them; a task's ({@link Slot#TASK}) live
 * from its start to its end, and a thread runs no other task meanwhile; {@link Slot#ACTIVATION}'s live within one
 * call of {@link FloatMath}, made by any of the others.
 */
final class JavaVectors {
    private JavaVectors() {
    }

    /**
     * A kernel's transpose; a recurrent kernel's; a weight gradient's sums; an output gradient's rows; a task's rows;
     * an activation's (FloatMath, within any of the others).
     */
    enum Slot { KERNEL, RECURRENT, GRADIENT, OUTPUT_GRADIENT, TASK, ACTIVATION }

    private static final ThreadLocal<float[][][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[Slot.values().length][0][0]);

    /** This thread's rows of {@code slot}: at least {@code rows} of at least {@code width} floats, contents left over. */
    static float[][] scratch(Slot slot, int rows, int width) {
        float[][][] slots = SCRATCH.get();
        float[][] held = slots[slot.ordinal()];
        if (held.length < rows) {
            held = Arrays.copyOf(held, rows);
            slots[slot.ordinal()] = held;
        }
        for (int r = 0; r < rows; r++) {
            if (held[r] == null || held[r].length < width) held[r] = new float[width];
        }
        return held;
    }

    /** The [rows, width] matrix at m[from...] as rows, in {@code into} where it has exactly that shape (else new rows). */
    static float[][] rowsOf(float[] m, int from, int rows, int width, float[][] into) {
        if (into == null || into.length != rows || rows > 0 && into[0].length != width) into = new float[rows][width];
        return rowsInto(m, from, rows, width, into);
    }

    /** The [rows, width] matrix at m[from...] into the first rows of {@code into}, which it returns. */
    static float[][] rowsInto(float[] m, int from, int rows, int width, float[][] into) {
        for (int r = 0; r < rows; r++) System.arraycopy(m, from + r * width, into[r], 0, width);
        return into;
    }

    /** The transpose [width, rows] of the [rows, width] matrix at m[from...] into the rows of t from tFrom. */
    static void transposeInto(float[] m, int from, int rows, int width, float[][] t, int tFrom) {
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < width; k++) t[tFrom + k][r] = m[from + r * width + k];
        }
    }

    /** y[k] += a x[k] for k in [from, to). */
    static void axpy(float a, float[] x, float[] y, int from, int to) {
        for (int k = from; k < to; k++) y[k] += a * x[k];
    }

    /** y[at + k] += a x[from + k] for k < count: rows at different offsets, so a scalar loop; for short or rare sums. */
    static void axpy(float a, float[] x, int from, float[] y, int at, int count) {
        for (int k = 0; k < count; k++) y[at + k] += a * x[from + k];
    }

    /** r_p[k] += a_p w[k] for the four rows p and k in [from, to): each load of w feeds four FMAs. */
    static void axpy4(float a0, float a1, float a2, float a3, float[] w, float[] r0, float[] r1, float[] r2, float[] r3,
                      int from, int to) {
        for (int k = from; k < to; k++) {
            float wk = w[k];
            r0[k] += a0 * wk;
            r1[k] += a1 * wk;
            r2[k] += a2 * wk;
            r3[k] += a3 * wk;
        }
    }

    /** y[k] += a0 m0[k] + a1 m1[k] + a2 m2[k] + a3 m3[k] for k in [from, to): y read and written once per four rows. */
    static void addRows4(float a0, float a1, float a2, float a3, float[] m0, float[] m1, float[] m2, float[] m3, float[] y,
                         int from, int to) {
        for (int k = from; k < to; k++) y[k] += a0 * m0[k] + a1 * m1[k] + a2 * m2[k] + a3 * m3[k];
    }

    /** y[from, to) += a[aFrom, aFrom + count) times rows m[mFrom, mFrom + count): the vector-matrix product, four rows a pass. */
    static void addVectorTimesRows(float[] a, int aFrom, float[][] m, int mFrom, int count, float[] y, int from, int to) {
        int j = 0;
        for (; j + 4 <= count; j += 4) {
            addRows4(a[aFrom + j], a[aFrom + j + 1], a[aFrom + j + 2], a[aFrom + j + 3], m[mFrom + j], m[mFrom + j + 1],
                    m[mFrom + j + 2], m[mFrom + j + 3], y, from, to);
        }
        for (; j < count; j++) axpy(a[aFrom + j], m[mFrom + j], y, from, to);
    }
}

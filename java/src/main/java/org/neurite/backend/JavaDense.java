package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;

import java.util.Arrays;
import org.neurite.Tensor;

/**
 * The fully connected layer and the matrix product in plain Java, the counterpart of
 * {@code native/src/ref/dense_f32_ref.cpp}. The kernel stays in Keras' {@code [in, out]} layout.
 */
final class JavaDense implements DenseOp {
    /** Rows (or output pixels) computed together: each weight loaded once feeds this many FMAs. */
    static final int PIXELS = 4;

    // Each thread's accumulator rows and pixel offsets, kept between calls so that a steady call allocates none. A task
    // uses them from its start to its end and runs no other task meanwhile, so one set per thread is enough.
    private static final ThreadLocal<float[][]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[PIXELS][0]);
    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[PIXELS]);
    // Each thread's transposed kernels (two at once: a recurrent layer's input and recurrent kernels), written by the
    // calling thread before its parallel work reads them, and kept between calls.
    private static final ThreadLocal<float[][]> TRANSPOSED = ThreadLocal.withInitial(() -> new float[2][0]);

    /** This thread's {@link #PIXELS} accumulator rows of at least {@code width} floats (their contents are left over). */
    static float[][] accumulators(int width) {
        float[][] rows = ACCUMULATORS.get();
        if (rows[0].length < width) {
            rows = new float[PIXELS][width];
            ACCUMULATORS.set(rows);
        }
        return rows;
    }

    /** This thread's {@link #PIXELS} ints (their contents are left over). */
    static int[] offsets() {
        return OFFSETS.get();
    }

    private final DenseGeometry g;
    private float[] w;

    JavaDense(DenseGeometry g) {
        this.g = g;
    }

    @Override
    public DenseGeometry geometry() {
        return g;
    }

    @Override
    public void setKernel(Tensor kernel) {
        w = JavaBackend.copyInto(w, kernel);
    }

    @Override
    public void forward(Tensor input, Tensor bias, Tensor output, int threads) {
        float[] y = writable(output);
        int rows = input.dim(0);
        matmul(read(input), rows, g.in(), w, g.out(), bias == null ? null : read(bias), y, 0, threads);
        for (int r = 0; r < rows; r++) JavaEltwise.activate(g.activation(), g.alpha(), y, r * g.out(), (r + 1) * g.out());
        commit(output, y);
    }

    /** dx[r] = dPre[r] w^T. */
    @Override
    public void backwardData(Tensor kernel, Tensor dPre, Tensor dInput, int threads) {
        float[] dx = writable(dInput);
        timesTransposed(read(dPre), 0, dInput.dim(0), g.out(), read(kernel), g.in(), dx, threads);
        commit(dInput, dx);
    }

    /**
     * y[r] = a[r] m^T for the rows r of a [rows, width] from aFrom, with m [cols, width] (a kernel in Keras layout)
     * and y [rows, cols]: over m^T's rows, so that the sums vectorise where dot products of m's rows would not.
     */
    static void timesTransposed(float[] a, int aFrom, int rows, int width, float[] m, int cols, float[] y, int threads) {
        final float[] mT = transpose(m, cols, width, 0);  // slot 0: a recurrent layer holds U^T in slot 1 meanwhile
        Parallel.forRange(rows, threads, (begin, end) -> {
            for (int r = begin; r < end; r++) {
                Arrays.fill(y, r * cols, (r + 1) * cols, 0f);
                addVectorTimesMatrix(a, aFrom + r * width, width, mT, 0, cols, y, r * cols, cols);
            }
        });
    }

    /** m^T [cols, rows] of m [rows, cols], in this thread's transposition buffer {@code slot} (0 or 1). */
    static float[] transpose(float[] m, int rows, int cols, int slot) {
        float[] t = transposeBuffer(slot, rows * cols);
        transpose(m, 0, rows, cols, t, 0);
        return t;
    }

    /** This thread's transposition buffer {@code slot} (0 or 1), of at least {@code size} floats. */
    static float[] transposeBuffer(int slot, int size) {
        float[][] buffers = TRANSPOSED.get();
        if (buffers[slot].length < size) buffers[slot] = new float[size];
        return buffers[slot];
    }

    /** t[at...] = the transpose [cols, rows] of m [rows, cols] from {@code from}. */
    static void transpose(float[] m, int from, int rows, int cols, float[] t, int at) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) t[at + j * rows + i] = m[from + i * cols + j];
        }
    }

    @Override
    public void backwardWeights(Tensor input, Tensor dPre, Tensor dKernel, Tensor dBias, int threads) {
        outerProductSum(read(input), 0, read(dPre), 0, dPre.dim(0), g.in(), g.out(), dKernel, dBias, threads);
    }

    /**
     * dw[in, out] = x[rows, in]^T dy[rows, out] and db = the sum of dy's rows, overwriting them.
     * Each thread owns rows of dw and sums over all rows in order: the same bits for any thread count.
     */
    static void outerProductSum(float[] x, int xFrom, float[] dy, int dyFrom, int rows, int in, int out, Tensor dKernel,
                                Tensor dBias, int threads) {
        final float[] dw = writable(dKernel);
        Parallel.forRange(in, threads, (begin, end) -> {
            Arrays.fill(dw, begin * out, end * out, 0f);
            int r = 0;
            for (; r + 4 <= rows; r += 4) { // four rows of dy per pass over a row of dw
                int x0 = xFrom + r * in, y0 = dyFrom + r * out;
                for (int i = begin; i < end; i++) {
                    axpy4Rows(x[x0 + i], x[x0 + in + i], x[x0 + 2 * in + i], x[x0 + 3 * in + i], dy, y0, y0 + out,
                            y0 + 2 * out, y0 + 3 * out, dw, i * out, out);
                }
            }
            for (; r < rows; r++) {
                for (int i = begin; i < end; i++) axpy(x[xFrom + r * in + i], dy, dyFrom + r * out, dw, i * out, out);
            }
        });
        commit(dKernel, dw);
        if (dBias != null) sumRows(dy, dyFrom, rows, out, dBias);
    }

    /** db = the sum of dy's rows [rows, cols], in row order, overwriting it. */
    static void sumRows(float[] dy, int from, int rows, int cols, Tensor dBias) {
        float[] db = writable(dBias);
        Arrays.fill(db, 0f);
        for (int r = 0; r < rows; r++) axpy(1f, dy, from + r * cols, db, 0, cols);
        commit(dBias, db);
    }

    /**
     * y[at, at + count) += a[from, from + rows) m, where m's rows are {@code stride} floats apart from mFrom and
     * their first {@code count} count: four rows of m per pass over y. The vector-matrix product in a form C2
     * vectorises (a dot product, a reduction, it does not).
     */
    static void addVectorTimesMatrix(float[] a, int from, int rows, float[] m, int mFrom, int stride, float[] y, int at,
                                     int count) {
        int j = 0;
        for (; j + 4 <= rows; j += 4) {
            int row = mFrom + j * stride;
            axpy4Rows(a[from + j], a[from + j + 1], a[from + j + 2], a[from + j + 3], m, row, row + stride,
                    row + 2 * stride, row + 3 * stride, y, at, count);
        }
        for (; j < rows; j++) axpy(a[from + j], m, mFrom + j * stride, y, at, count);
    }

    /** y[at + k] += a0 m[row0 + k] + a1 m[row1 + k] + a2 m[row2 + k] + a3 m[row3 + k] for k < count: y read and written once per four rows. */
    static void axpy4Rows(float a0, float a1, float a2, float a3, float[] m, int row0, int row1, int row2, int row3,
                          float[] y, int at, int count) {
        for (int k = 0; k < count; k++) {
            y[at + k] += a0 * m[row0 + k] + a1 * m[row1 + k] + a2 * m[row2 + k] + a3 * m[row3 + k];
        }
    }

    /** y[at + k] += a * x[from + k] for k < count. */
    static void axpy(float a, float[] x, int from, float[] y, int at, int count) {
        for (int k = 0; k < count; k++) y[at + k] += a * x[from + k];
    }

    /** y[rows, out] = x[rows, in] w[in, out] (+ bias[out]), four rows per weight load. */
    static void matmul(float[] x, int rows, int in, float[] w, int out, float[] bias, float[] y, int yFrom, int threads) {
        int blocks = (rows + PIXELS - 1) / PIXELS;
        Parallel.forRange(blocks, threads, (begin, end) -> {
            float[][] acc = accumulators(out);
            for (int block = begin; block < end; block++) {
                int first = block * PIXELS, count = Math.min(PIXELS, rows - first);
                for (float[] row : acc) {
                    if (bias == null) Arrays.fill(row, 0, out, 0f);
                    else System.arraycopy(bias, 0, row, 0, out);
                }
                for (int i = 0; i < in; i++) {
                    axpy4(x[first * in + i], count > 1 ? x[(first + 1) * in + i] : 0f, count > 2 ? x[(first + 2) * in + i] : 0f,
                            count > 3 ? x[(first + 3) * in + i] : 0f, w, i * out, acc, 0, out);
                }
                for (int r = 0; r < count; r++) System.arraycopy(acc[r], 0, y, yFrom + (first + r) * out, out);
            }
        });
    }

    /**
     * acc[p][at + k] += a_p * w[from + k] for the 4 rows p and k < count: one weight load feeds
     * four FMAs. Separate row arrays indexed alike keep the loop free of possible overlap, so
     * C2 vectorises it.
     */
    static void axpy4(float a0, float a1, float a2, float a3, float[] w, int from, float[][] acc, int at,
                              int count) {
        float[] r0 = acc[0], r1 = acc[1], r2 = acc[2], r3 = acc[3];
        for (int k = at; k < at + count; k++) {
            float wk = w[from - at + k];
            r0[k] += a0 * wk;
            r1[k] += a1 * wk;
            r2[k] += a2 * wk;
            r3[k] += a3 * wk;
        }
    }

    @Override
    public void close() {
        w = null;
    }
}

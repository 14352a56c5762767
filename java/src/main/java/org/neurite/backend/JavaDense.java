package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;
import static org.neurite.backend.JavaVectors.Slot;
import static org.neurite.backend.JavaVectors.scratch;

import java.util.Arrays;
import org.neurite.Tensor;

/**
 * The fully connected layer and the matrix products in plain Java, the counterpart of
 * {@code native/src/ref/dense_f32_ref.cpp}. The kernel is kept as its Keras {@code [in, out]} rows
 * (see {@link JavaVectors} for why rows).
 */
final class JavaDense implements DenseOp {
    /** Rows (or output pixels) computed together: each weight loaded once feeds this many FMAs. */
    static final int PIXELS = 4;

    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[PIXELS]);

    /** This thread's {@link #PIXELS} ints (their contents are left over). */
    static int[] offsets() {
        return OFFSETS.get();
    }

    private final DenseGeometry g;
    private float[][] w;

    JavaDense(DenseGeometry g) {
        this.g = g;
    }

    @Override
    public DenseGeometry geometry() {
        return g;
    }

    @Override
    public void setKernel(Tensor kernel) {
        w = JavaVectors.rowsOf(read(kernel), 0, g.in(), g.out(), w);
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
     * and y [rows, cols]: a vector-matrix product over m^T's rows.
     */
    static void timesTransposed(float[] a, int aFrom, int rows, int width, float[] m, int cols, float[] y, int threads) {
        final float[][] mT = scratch(Slot.KERNEL, width, cols);
        JavaVectors.transposeInto(m, 0, cols, width, mT, 0);
        Parallel.forRange(rows, threads, (begin, end) -> {
            float[] acc = scratch(Slot.TASK, 1, cols)[0];
            for (int r = begin; r < end; r++) {
                Arrays.fill(acc, 0, cols, 0f);
                JavaVectors.addVectorTimesRows(a, aFrom + r * width, mT, 0, width, acc, 0, cols);
                System.arraycopy(acc, 0, y, r * cols, cols);
            }
        });
    }

    @Override
    public void backwardWeights(Tensor input, Tensor dPre, Tensor dKernel, Tensor dBias, int threads) {
        outerProductSum(read(input), 0, read(dPre), 0, dPre.dim(0), g.in(), g.out(), dKernel, dBias, threads);
    }

    /**
     * dw[in, out] = x[rows, in]^T dy[rows, out] and db = the sum of dy's rows, overwriting them.
     * Each thread owns rows of dw and sums over all rows in order, four at a time: the same bits for any thread count.
     */
    static void outerProductSum(float[] x, int xFrom, float[] dy, int dyFrom, int rows, int in, int out, Tensor dKernel,
                                Tensor dBias, int threads) {
        final float[][] sums = scratch(Slot.GRADIENT, in, out);
        Parallel.forRange(in, threads, (begin, end) -> {
            for (int i = begin; i < end; i++) Arrays.fill(sums[i], 0, out, 0f);
            // Four rows of dy at a time, copied into rows of this task's own: each pass over a row of sums adds four.
            float[][] d = scratch(Slot.TASK, 4, out);
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                for (int q = 0; q < 4; q++) System.arraycopy(dy, dyFrom + (r + q) * out, d[q], 0, out);
                int x0 = xFrom + r * in;
                for (int i = begin; i < end; i++) {
                    JavaVectors.addRows4(x[x0 + i], x[x0 + in + i], x[x0 + 2 * in + i], x[x0 + 3 * in + i], d[0], d[1],
                            d[2], d[3], sums[i], 0, out);
                }
            }
            for (; r < rows; r++) {
                System.arraycopy(dy, dyFrom + r * out, d[0], 0, out);
                for (int i = begin; i < end; i++) JavaVectors.axpy(x[xFrom + r * in + i], d[0], sums[i], 0, out);
            }
        });
        float[] dw = writable(dKernel);
        for (int i = 0; i < in; i++) System.arraycopy(sums[i], 0, dw, i * out, out);
        commit(dKernel, dw);
        if (dBias != null) sumRows(dy, dyFrom, rows, out, dBias);
    }

    /** db = the sum of dy's rows [rows, cols], in row order, overwriting it. */
    static void sumRows(float[] dy, int from, int rows, int cols, Tensor dBias) {
        float[] db = writable(dBias);
        Arrays.fill(db, 0f);
        for (int r = 0; r < rows; r++) JavaVectors.axpy(1f, dy, from + r * cols, db, 0, cols);
        commit(dBias, db);
    }

    /** y[rows, out] = x[rows, in] w (+ bias[out]), w as its [in] rows: four rows of x per weight load. */
    static void matmul(float[] x, int rows, int in, float[][] w, int out, float[] bias, float[] y, int yFrom, int threads) {
        int blocks = (rows + PIXELS - 1) / PIXELS;
        Parallel.forRange(blocks, threads, (begin, end) -> {
            float[][] acc = scratch(Slot.TASK, PIXELS, out);
            for (int block = begin; block < end; block++) {
                int first = block * PIXELS, count = Math.min(PIXELS, rows - first);
                for (int p = 0; p < PIXELS; p++) {
                    if (bias == null) Arrays.fill(acc[p], 0, out, 0f);
                    else System.arraycopy(bias, 0, acc[p], 0, out);
                }
                for (int i = 0; i < in; i++) {
                    JavaVectors.axpy4(x[first * in + i], count > 1 ? x[(first + 1) * in + i] : 0f,
                            count > 2 ? x[(first + 2) * in + i] : 0f, count > 3 ? x[(first + 3) * in + i] : 0f, w[i],
                            acc[0], acc[1], acc[2], acc[3], 0, out);
                }
                for (int r = 0; r < count; r++) System.arraycopy(acc[r], 0, y, yFrom + (first + r) * out, out);
            }
        });
    }

    @Override
    public void close() {
        w = null;
    }
}

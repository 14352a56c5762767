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

    /** dx[r, i] = sum over o of dPre[r, o] w[i, o]. */
    @Override
    public void backwardData(Tensor kernel, Tensor dPre, Tensor dInput, int threads) {
        final float[] dy = read(dPre), dx = writable(dInput), w = read(kernel);
        final int in = g.in(), out = g.out();
        Parallel.forRange(dInput.dim(0), threads, (begin, end) -> {
            for (int r = begin; r < end; r++) {
                for (int i = 0; i < in; i++) dx[r * in + i] = dot(dy, r * out, w, i * out, out);
            }
        });
        commit(dInput, dx);
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
            for (int r = 0; r < rows; r++) {
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

    static float dot(float[] a, int from, float[] b, int at, int count) {
        float sum = 0f;
        for (int k = 0; k < count; k++) sum += a[from + k] * b[at + k];
        return sum;
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

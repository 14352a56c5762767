package org.neurite.backend;

import org.neurite.Activation;
import org.neurite.Tensor;

/**
 * Every operation in plain Java, used where the native library cannot load or when asked
 * for ({@code -Dneurite.backend=java}). Tensors live on the heap; inner loops run over
 * contiguous output channels with no calls or branches inside, which C2 vectorises.
 *
 * <pre>{@code
 * Backend java = Backends.java();
 * try (Sequential model = seedCnn().backend(java)) { ... }
 * }</pre>
 */
final class JavaBackend implements Backend {
    static final JavaBackend INSTANCE = new JavaBackend();

    private JavaBackend() {}

    @Override
    public String name() {
        return "java";
    }

    /** Reads heap tensors in place and copies off-heap ones. */
    @Override
    public boolean accepts(Tensor t) {
        return true;
    }

    @Override
    public Tensor allocate(int... shape) {
        return Tensor.heap(shape);
    }

    /** The Java kernels read Keras' HWIO layout directly: output channels are innermost. */
    @Override
    public Tensor packConv(ConvGeometry g, Tensor hwioWeights) {
        return Tensor.heap(Math.toIntExact(g.weightCount())).copyFrom(hwioWeights.toArray());
    }

    /** Output pixels computed together: each weight loaded once feeds this many FMAs. */
    private static final int PIXELS = 4;

    @Override
    public void conv(ConvGeometry g, Tensor input, Tensor packedWeights, Tensor bias, Tensor output, int threads) {
        final float[] x = read(input), w = read(packedWeights), b = bias == null ? null : read(bias);
        final float[] y = writable(output);
        final int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), outC = g.outC();
        final int kh = g.kernelH(), kw = g.kernelW(), icg = g.inPerGroup(), ocg = g.outPerGroup(), groups = g.groups();
        final boolean depthwise = icg == 1 && ocg == 1;
        Parallel.forRange(input.dim(0) * outH, threads, (begin, end) -> {
            float[][] acc = new float[PIXELS][outC];
            int[] at = new int[PIXELS];
            for (int row = begin; row < end; row++) {
                int n = row / outH, oh = row % outH;
                for (int ow0 = 0; ow0 < outW; ow0 += PIXELS) {
                    int pixels = Math.min(PIXELS, outW - ow0);
                    for (float[] pixel : acc) {
                        if (b == null) java.util.Arrays.fill(pixel, 0f);
                        else System.arraycopy(b, 0, pixel, 0, outC);
                    }
                    for (int i = 0; i < kh; i++) {
                        int ih = oh * g.strideH() + i * g.dilationH() - g.padTop();
                        if (ih < 0 || ih >= inH) continue;
                        for (int j = 0; j < kw; j++) {
                            // Input offset of each pixel's tap, or -1 where it falls in the padding.
                            for (int p = 0; p < PIXELS; p++) {
                                int iw = (ow0 + p) * g.strideW() + j * g.dilationW() - g.padLeft();
                                at[p] = p < pixels && iw >= 0 && iw < inW ? ((n * inH + ih) * inW + iw) * inC : -1;
                            }
                            int tap = (i * kw + j) * icg;
                            if (depthwise) {
                                for (int p = 0; p < pixels; p++) {
                                    if (at[p] >= 0) depthwiseTap(x, at[p], w, tap * outC, acc[p], outC);
                                }
                                continue;
                            }
                            for (int grp = 0; grp < groups; grp++) {
                                for (int c = 0; c < icg; c++) {
                                    int channel = grp * icg + c;
                                    axpy4(at[0] < 0 ? 0f : x[at[0] + channel], at[1] < 0 ? 0f : x[at[1] + channel],
                                            at[2] < 0 ? 0f : x[at[2] + channel], at[3] < 0 ? 0f : x[at[3] + channel],
                                            w, (tap + c) * outC + grp * ocg, acc, grp * ocg, ocg);
                                }
                            }
                        }
                    }
                    for (int p = 0; p < pixels; p++) {
                        int out = (row * outW + ow0 + p) * outC;
                        System.arraycopy(acc[p], 0, y, out, outC);
                        activate(g.activation(), g.alpha(), y, out, out + outC);
                    }
                }
            }
        });
        commit(output, y);
    }

    /**
     * acc[p][at + k] += a_p * w[from + k] for the 4 rows p and k < count: one weight load feeds
     * four FMAs. Separate row arrays indexed alike keep the loop free of possible overlap, so
     * C2 vectorises it.
     */
    private static void axpy4(float a0, float a1, float a2, float a3, float[] w, int from, float[][] acc, int at,
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

    private static void depthwiseTap(float[] x, int in, float[] w, int from, float[] acc, int channels) {
        for (int c = 0; c < channels; c++) acc[c] += x[in + c] * w[from + c];
    }

    @Override
    public void pool(PoolGeometry g, Tensor input, Tensor output, int threads) {
        final float[] x = read(input);
        final float[] y = writable(output);
        final int c = g.channels(), outH = g.outH(), outW = g.outW();
        Parallel.forRange(input.dim(0) * outH, threads, (begin, end) -> {
            for (int row = begin; row < end; row++) {
                int n = row / outH, oh = row % outH;
                int h0 = oh * g.strideH() - g.padTop();
                int hBegin = Math.max(h0, 0), hEnd = Math.min(h0 + g.poolH(), g.inH());
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = ow * g.strideW() - g.padLeft();
                    int wBegin = Math.max(w0, 0), wEnd = Math.min(w0 + g.poolW(), g.inW());
                    int out = (row * outW + ow) * c;
                    java.util.Arrays.fill(y, out, out + c, g.max() ? -Float.MAX_VALUE : 0f);
                    for (int h = hBegin; h < hEnd; h++) {
                        for (int w = wBegin; w < wEnd; w++) {
                            int in = ((n * g.inH() + h) * g.inW() + w) * c;
                            if (g.max()) {
                                for (int k = 0; k < c; k++) y[out + k] = Math.max(y[out + k], x[in + k]);
                            } else {
                                for (int k = 0; k < c; k++) y[out + k] += x[in + k];
                            }
                        }
                    }
                    int count = (hEnd - hBegin) * (wEnd - wBegin);
                    if (count == 0) {
                        java.util.Arrays.fill(y, out, out + c, 0f);
                    } else if (!g.max()) {
                        for (int k = 0; k < c; k++) y[out + k] /= count;
                    }
                }
            }
        });
        commit(output, y);
    }

    @Override
    public Tensor packDense(DenseGeometry g, Tensor weights) {
        return Tensor.heap(g.in() * g.out()).copyFrom(weights.toArray());
    }

    @Override
    public void dense(DenseGeometry g, Tensor input, Tensor packedWeights, Tensor bias, Tensor output, int threads) {
        float[] y = writable(output);
        int rows = input.dim(0);
        matmul(read(input), rows, g.in(), read(packedWeights), g.out(), bias == null ? null : read(bias), y, threads);
        for (int r = 0; r < rows; r++) activate(g.activation(), g.alpha(), y, r * g.out(), (r + 1) * g.out());
        commit(output, y);
    }

    /** y[rows, out] = x[rows, in] w[in, out] (+ bias[out]), four rows per weight load. */
    private static void matmul(float[] x, int rows, int in, float[] w, int out, float[] bias, float[] y, int threads) {
        int blocks = (rows + PIXELS - 1) / PIXELS;
        Parallel.forRange(blocks, threads, (begin, end) -> {
            float[][] acc = new float[PIXELS][out];
            for (int block = begin; block < end; block++) {
                int first = block * PIXELS, count = Math.min(PIXELS, rows - first);
                for (float[] row : acc) {
                    if (bias == null) java.util.Arrays.fill(row, 0f);
                    else System.arraycopy(bias, 0, row, 0, out);
                }
                for (int i = 0; i < in; i++) {
                    axpy4(x[first * in + i], count > 1 ? x[(first + 1) * in + i] : 0f, count > 2 ? x[(first + 2) * in + i] : 0f,
                            count > 3 ? x[(first + 3) * in + i] : 0f, w, i * out, acc, 0, out);
                }
                for (int r = 0; r < count; r++) System.arraycopy(acc[r], 0, y, (first + r) * out, out);
            }
        });
    }

    @Override
    public void activation(Activation activation, float alpha, Tensor input, Tensor output, int threads) {
        float[] x = read(input);
        float[] y = writable(output);
        if (y != x) System.arraycopy(x, 0, y, 0, x.length);
        Parallel.forRange(y.length, threads, (begin, end) -> activate(activation, alpha, y, begin, end));
        commit(output, y);
    }

    @Override
    public void softmax(Tensor input, Tensor output, int threads) {
        float[] x = read(input);
        float[] y = writable(output);
        int cols = input.dim(-1), rows = x.length / cols;
        Parallel.forRange(rows, threads, (begin, end) -> {
            for (int r = begin; r < end; r++) {
                int at = r * cols;
                float max = -Float.MAX_VALUE;
                for (int c = 0; c < cols; c++) max = Math.max(max, x[at + c]);
                float sum = 0f;
                for (int c = 0; c < cols; c++) sum += (y[at + c] = FloatMath.exp(x[at + c] - max));
                float scale = 1f / sum;
                for (int c = 0; c < cols; c++) y[at + c] *= scale;
            }
        });
        commit(output, y);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor output, int threads) {
        float[] x = read(a), z = read(b);
        float[] y = writable(output);
        Parallel.forRange(y.length, threads, (begin, end) -> {
            switch (op) {
                case ADD -> { for (int i = begin; i < end; i++) y[i] = x[i] + z[i]; }
                case MUL -> { for (int i = begin; i < end; i++) y[i] = x[i] * z[i]; }
                case AVERAGE -> { for (int i = begin; i < end; i++) y[i] = (x[i] + z[i]) * 0.5f; }
            }
        });
        commit(output, y);
    }

    /** The Java kernels read Keras' layouts directly. */
    @Override
    public Tensor[] packRnn(RnnGeometry g, Tensor kernel, Tensor recurrentKernel) {
        return new Tensor[] {Tensor.heap(Math.toIntExact(kernel.size())).copyFrom(kernel),
                Tensor.heap(Math.toIntExact(recurrentKernel.size())).copyFrom(recurrentKernel)};
    }

    @Override
    public void rnn(RnnGeometry g, Tensor input, Tensor mask, Tensor packedKernel, Tensor packedRecurrent, Tensor bias,
                    Tensor initialH, Tensor initialC, Tensor output, int outputOffset, Tensor finalH, Tensor finalC,
                    int threads) {
        final int batch = input.dim(0), steps = input.dim(1), units = g.units(), gu = g.gatedUnits();
        final float[] m = mask == null ? null : read(mask), u = read(packedRecurrent);
        final float[] b = bias == null ? null : read(bias);
        final float[] h0 = initialH == null ? null : read(initialH), c0 = initialC == null ? null : read(initialC);
        final float[] y = writable(output), hT = finalH == null ? null : writable(finalH);
        final float[] cT = finalC == null ? null : writable(finalC);
        // The input projection of the whole sequence, with the input bias (GRU reset_after: its first row).
        final float[] projected;
        if (packedKernel == null) {
            projected = read(input);
        } else {
            projected = new float[batch * steps * gu];
            matmul(read(input), batch * steps, g.inputSize(), read(packedKernel), gu, b, projected, threads);
        }
        final boolean splitBias = g.cell() == RnnGeometry.Cell.GRU && g.resetAfter();
        Parallel.forRange(batch, threads, (begin, end) -> {
            float[] h = new float[units], next = new float[units], c = new float[units], rec = new float[gu];
            float[] rh = new float[units];
            for (int row = begin; row < end; row++) {
                for (int j = 0; j < units; j++) {
                    h[j] = h0 == null ? 0f : h0[row * units + j];
                    c[j] = c0 == null ? 0f : c0[row * units + j];
                }
                for (int s = 0; s < steps; s++) {
                    int t = g.goBackwards() ? steps - 1 - s : s;
                    int out = outputOffset + (row * steps + (g.reverseOutput() ? steps - 1 - s : s)) * g.outputStride();
                    if (m != null && m[row * steps + t] == 0f) {
                        if (g.returnSequences()) java.util.Arrays.fill(y, out, out + units, 0f);
                        continue;
                    }
                    int x = (row * steps + t) * gu;
                    recurrentStep(g, projected, x, u, splitBias ? b : null, h, c, next, rec, rh);
                    float[] swap = h;
                    h = next;
                    next = swap;
                    if (g.returnSequences()) System.arraycopy(h, 0, y, out, units);
                }
                if (!g.returnSequences()) System.arraycopy(h, 0, y, outputOffset + row * g.outputStride(), units);
                if (hT != null) System.arraycopy(h, 0, hT, row * units, units);
                if (cT != null) System.arraycopy(c, 0, cT, row * units, units);
            }
        });
        commit(output, y);
        if (finalH != null) commit(finalH, hT);
        if (finalC != null) commit(finalC, cT);
    }

    /**
     * One step of one sequence: next (and c, in place, for LSTM) from h and the projected
     * input x = projected[at...]. Equations: native/include/neurite.h.
     */
    private static void recurrentStep(RnnGeometry g, float[] projected, int at, float[] u, float[] splitBias, float[] h,
                                      float[] c, float[] next, float[] rec, float[] rh) {
        int units = g.units(), gu = g.gatedUnits();
        Activation a = g.activation(), ra = g.recurrentActivation();
        boolean twoPass = g.cell() == RnnGeometry.Cell.GRU && !g.resetAfter();
        // rec = h U (for GRU without reset_after: the z and r columns only, the h columns from r h below)
        java.util.Arrays.fill(rec, 0f);
        int columns = twoPass ? 2 * units : gu;
        for (int k = 0; k < units; k++) {
            float hk = h[k];
            for (int j = 0; j < columns; j++) rec[j] += hk * u[k * gu + j];
        }
        if (splitBias != null) for (int j = 0; j < gu; j++) rec[j] += splitBias[gu + j];
        for (int j = 0; j < gu; j++) rec[j] += projected[at + j]; // now x W + b + h U, per gate
        switch (g.cell()) {
            case SIMPLE -> {
                System.arraycopy(rec, 0, next, 0, units);
                activate(a, 0f, next, 0, units);
            }
            case LSTM -> {
                activate(ra, 0f, rec, 0, 2 * units);
                activate(a, 0f, rec, 2 * units, 3 * units);
                activate(ra, 0f, rec, 3 * units, 4 * units);
                for (int j = 0; j < units; j++) {
                    c[j] = rec[units + j] * c[j] + rec[j] * rec[2 * units + j];
                    next[j] = c[j];
                }
                activate(a, 0f, next, 0, units);
                for (int j = 0; j < units; j++) next[j] *= rec[3 * units + j];
            }
            case GRU -> {
                activate(ra, 0f, rec, 0, 2 * units);
                if (g.resetAfter()) {
                    // rec[2u..] holds xh + (h Uh + bh'); n needs xh + r (h Uh + bh'): recompute the split
                    for (int j = 0; j < units; j++) {
                        float xh = projected[at + 2 * units + j];
                        next[j] = xh + rec[units + j] * (rec[2 * units + j] - xh);
                    }
                } else {
                    for (int j = 0; j < units; j++) rh[j] = rec[units + j] * h[j];
                    for (int j = 0; j < units; j++) next[j] = 0f;
                    for (int k = 0; k < units; k++) {
                        float v = rh[k];
                        for (int j = 0; j < units; j++) next[j] += v * u[k * gu + 2 * units + j];
                    }
                    for (int j = 0; j < units; j++) next[j] += projected[at + 2 * units + j];
                }
                activate(a, 0f, next, 0, units);
                for (int j = 0; j < units; j++) next[j] = next[j] + rec[j] * (h[j] - next[j]);
            }
        }
    }

    @Override
    public void embedding(int vocabulary, Tensor ids, Tensor table, Tensor output, int threads) {
        float[] id = read(ids);
        for (int i = 0; i < id.length; i++) {
            if (!(id[i] >= 0 && id[i] < vocabulary) || id[i] != Math.floor(id[i])) {
                throw new IllegalArgumentException("embedding: id " + id[i] + " at position " + i + " is not in [0, " + vocabulary + ")");
            }
        }
        float[] w = read(table), y = writable(output);
        int dim = table.dim(-1);
        for (int i = 0; i < id.length; i++) System.arraycopy(w, (int) id[i] * dim, y, i * dim, dim);
        commit(output, y);
    }

    @Override
    public void nonZeroMask(Tensor ids, Tensor mask) {
        float[] id = read(ids), m = writable(mask);
        for (int i = 0; i < id.length; i++) m[i] = id[i] != 0f ? 1f : 0f;
        commit(mask, m);
    }

    /** Applies an element-wise activation in place; one loop per kind keeps each one vectorisable. */
    static void activate(Activation activation, float alpha, float[] y, int begin, int end) {
        switch (activation) {
            case LINEAR -> { }
            case RELU -> { for (int i = begin; i < end; i++) y[i] = Math.max(y[i], 0f); }
            case RELU6 -> { for (int i = begin; i < end; i++) y[i] = Math.min(Math.max(y[i], 0f), 6f); }
            case SIGMOID -> { for (int i = begin; i < end; i++) y[i] = FloatMath.sigmoid(y[i]); }
            case TANH -> { for (int i = begin; i < end; i++) y[i] = FloatMath.tanh(y[i]); }
            case LEAKY_RELU -> { for (int i = begin; i < end; i++) y[i] = y[i] > 0f ? y[i] : alpha * y[i]; }
            case GELU -> { for (int i = begin; i < end; i++) y[i] = (float) (0.5 * y[i] * (1.0 + Erf.erf(y[i] * 0.7071067811865476))); }
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not element-wise");
        }
    }

    private static float[] read(Tensor t) {
        float[] array = t.heapArray();
        return array != null ? array : t.toArray();
    }

    private static float[] writable(Tensor t) {
        float[] array = t.heapArray();
        return array != null ? array : new float[Math.toIntExact(t.size())];
    }

    private static void commit(Tensor t, float[] values) {
        if (t.heapArray() != values) t.copyFrom(values);
    }
}

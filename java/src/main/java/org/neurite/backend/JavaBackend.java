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

    @Override
    public void conv(ConvGeometry g, Tensor input, Tensor packedWeights, Tensor bias, Tensor output, int threads) {
        final float[] x = read(input), w = read(packedWeights), b = bias == null ? null : read(bias);
        final float[] y = writable(output);
        final int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), outC = g.outC();
        final int kh = g.kernelH(), kw = g.kernelW(), icg = g.inPerGroup(), ocg = g.outPerGroup(), groups = g.groups();
        final int rows = input.dim(0) * outH;
        Parallel.forRange(rows, threads, (begin, end) -> {
            float[] acc = new float[outC];
            for (int row = begin; row < end; row++) {
                int n = row / outH, oh = row % outH;
                for (int ow = 0; ow < outW; ow++) {
                    if (b == null) java.util.Arrays.fill(acc, 0f);
                    else System.arraycopy(b, 0, acc, 0, outC);
                    for (int i = 0; i < kh; i++) {
                        int ih = oh * g.strideH() + i * g.dilationH() - g.padTop();
                        if (ih < 0 || ih >= inH) continue;
                        for (int j = 0; j < kw; j++) {
                            int iw = ow * g.strideW() + j * g.dilationW() - g.padLeft();
                            if (iw < 0 || iw >= inW) continue;
                            int in = ((n * inH + ih) * inW + iw) * inC;
                            int tap = (i * kw + j) * icg;
                            if (icg == 1 && ocg == 1) {
                                depthwiseTap(x, in, w, tap * outC, acc, outC);
                                continue;
                            }
                            for (int grp = 0; grp < groups; grp++) {
                                for (int c = 0; c < icg; c++) {
                                    axpy(x[in + grp * icg + c], w, (tap + c) * outC + grp * ocg, acc, grp * ocg, ocg);
                                }
                            }
                        }
                    }
                    int out = (row * outW + ow) * outC;
                    System.arraycopy(acc, 0, y, out, outC);
                    activate(g.activation(), g.alpha(), y, out, out + outC);
                }
            }
        });
        commit(output, y);
    }

    /** acc[at + k] += a * w[from + k] for k < count: the loop C2 turns into FMAs over vectors. */
    private static void axpy(float a, float[] w, int from, float[] acc, int at, int count) {
        for (int k = 0; k < count; k++) acc[at + k] += a * w[from + k];
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
        final float[] x = read(input), w = read(packedWeights), b = bias == null ? null : read(bias);
        final float[] y = writable(output);
        final int in = g.in(), out = g.out(), batch = input.dim(0);
        Parallel.forRange(batch, threads, (begin, end) -> {
            for (int r = begin; r < end; r++) {
                int at = r * out;
                if (b == null) java.util.Arrays.fill(y, at, at + out, 0f);
                else System.arraycopy(b, 0, y, at, out);
                for (int i = 0; i < in; i++) axpy(x[r * in + i], w, i * out, y, at, out);
                activate(g.activation(), g.alpha(), y, at, at + out);
            }
        });
        commit(output, y);
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
                for (int c = 0; c < cols; c++) sum += (y[at + c] = (float) Math.exp(x[at + c] - max));
                float scale = 1f / sum;
                for (int c = 0; c < cols; c++) y[at + c] *= scale;
            }
        });
        commit(output, y);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor output, int threads) {
        float[] x = read(a), z = read(b);
        float[] y = writable(output);
        Parallel.forRange(y.length, threads, (begin, end) -> {
            for (int i = begin; i < end; i++) y[i] = x[i] + z[i];
        });
        commit(output, y);
    }

    /** Applies an element-wise activation in place; one loop per kind keeps each one vectorisable. */
    static void activate(Activation activation, float alpha, float[] y, int begin, int end) {
        switch (activation) {
            case LINEAR -> { }
            case RELU -> { for (int i = begin; i < end; i++) y[i] = Math.max(y[i], 0f); }
            case RELU6 -> { for (int i = begin; i < end; i++) y[i] = Math.min(Math.max(y[i], 0f), 6f); }
            case SIGMOID -> { for (int i = begin; i < end; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-y[i]))); }
            case TANH -> { for (int i = begin; i < end; i++) y[i] = (float) Math.tanh(y[i]); }
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

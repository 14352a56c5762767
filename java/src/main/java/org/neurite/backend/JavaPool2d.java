package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;

import java.util.Arrays;
import org.neurite.Tensor;

/** Max and average pooling in plain Java, the counterpart of {@code native/src/ref/pool2d_nhwc_f32_ref.cpp}. */
final class JavaPool2d implements PoolOp {
    private final PoolGeometry g;

    JavaPool2d(PoolGeometry g) {
        this.g = g;
    }

    @Override
    public PoolGeometry geometry() {
        return g;
    }

    @Override
    public void forward(Tensor input, Tensor output, int threads) {
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
                    Arrays.fill(y, out, out + c, g.max() ? Float.NEGATIVE_INFINITY : 0f);
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
                        Arrays.fill(y, out, out + c, 0f);
                    } else if (!g.max()) {
                        for (int k = 0; k < c; k++) y[out + k] /= count;
                    }
                }
            }
        });
        commit(output, y);
    }

    @Override
    public long workspaceSize(int batch) {
        return g.max() ? (long) batch * g.outH() * g.outW() * g.channels() : 0;
    }

    /**
     * Max pooling keeps where in its window each output's first maximum lies (or its first
     * NaN), found in the same pass: a channel at a time over the window's cells, the running
     * maximum and its cell in locals. A max pass and then a search for the first equal cell
     * took 1.4x the time (the seed CNN's first pooling, 2.8 against 2.0 ms on 2 threads).
     */
    @Override
    public void forwardTraining(Tensor input, Tensor output, Tensor workspace, int threads) {
        if (!g.max()) {
            forward(input, output, threads);
            return;
        }
        final float[] x = read(input), y = writable(output), at = writable(workspace);
        final int c = g.channels(), outH = g.outH(), outW = g.outW();
        Parallel.forRange(input.dim(0) * outH, threads, (begin, end) -> {
            Window window = WINDOW.get().fit(g.poolH() * g.poolW());
            int[] offsets = window.offsets;
            float[] cells = window.cells;
            for (int row = begin; row < end; row++) {
                int n = row / outH, oh = row % outH, h0 = oh * g.strideH() - g.padTop();
                int hBegin = Math.max(h0, 0), hEnd = Math.min(h0 + g.poolH(), g.inH());
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = ow * g.strideW() - g.padLeft(), out = (row * outW + ow) * c;
                    int count = 0;
                    for (int h = hBegin; h < hEnd; h++) {
                        for (int w = Math.max(w0, 0); w < Math.min(w0 + g.poolW(), g.inW()); w++) {
                            offsets[count] = ((n * g.inH() + h) * g.inW() + w) * c;
                            cells[count++] = (h - h0) * g.poolW() + (w - w0);
                        }
                    }
                    if (count == 0) { // a window wholly in the padding
                        Arrays.fill(y, out, out + c, 0f);
                        Arrays.fill(at, out, out + c, -1f);
                        continue;
                    }
                    for (int k = 0; k < c; k++) {
                        float max = x[offsets[0] + k], cell = cells[0];
                        for (int i = 1; i < count; i++) {
                            float v = x[offsets[i] + k];
                            boolean take = v > max || v != v && max == max;
                            max = take ? v : max;
                            cell = take ? cells[i] : cell;
                        }
                        y[out + k] = max;
                        at[out + k] = cell;
                    }
                }
            }
        });
        commit(output, y);
        commit(workspace, at);
    }

    @Override
    public void backward(Tensor dOutput, Tensor workspace, Tensor reluOutput, Tensor dInput, int threads) {
        if (reluOutput != null && !g.max()) throw new IllegalArgumentException("pool2d backward: a ReLU folds into max pooling alone");
        final float[] dy = read(dOutput), dx = writable(dInput), at = g.max() ? read(workspace) : null;
        final float[] relu = reluOutput == null ? null : read(reluOutput);
        final int c = g.channels(), outH = g.outH(), outW = g.outW(), sample = g.inH() * g.inW() * c;
        // Where each window cell lies from the window's origin, in floats: no division per value.
        final int[] cellOffset = new int[g.poolH() * g.poolW()];
        for (int cell = 0; cell < cellOffset.length; cell++) cellOffset[cell] = (cell / g.poolW() * g.inW() + cell % g.poolW()) * c;
        // One sample per task: overlapping windows add into the same input cells in one fixed order.
        Parallel.forRange(dInput.dim(0), threads, (first, last) -> {
            Arrays.fill(dx, first * sample, last * sample, 0f);
            for (int n = first; n < last; n++) {
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = oh * g.strideH() - g.padTop(), hBegin = Math.max(h0, 0);
                    int hEnd = Math.min(h0 + g.poolH(), g.inH());
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = ow * g.strideW() - g.padLeft(), wBegin = Math.max(w0, 0);
                        int wEnd = Math.min(w0 + g.poolW(), g.inW());
                        int out = ((n * outH + oh) * outW + ow) * c;
                        if (g.max()) {
                            int origin = ((n * g.inH() + h0) * g.inW() + w0) * c; // may lie in the padding; the cells do not
                            for (int k = 0; k < c; k++) {
                                int cell = (int) at[out + k];
                                if (cell >= 0 && (relu == null || relu[out + k] > 0)) dx[origin + cellOffset[cell] + k] += dy[out + k];
                            }
                            continue;
                        }
                        int count = (hEnd - hBegin) * (wEnd - wBegin);
                        if (count == 0) continue;
                        float share = 1f / count;
                        for (int h = hBegin; h < hEnd; h++) {
                            for (int w = wBegin; w < wEnd; w++) {
                                int in = ((n * g.inH() + h) * g.inW() + w) * c;
                                for (int k = 0; k < c; k++) dx[in + k] += dy[out + k] * share;
                            }
                        }
                    }
                }
            }
        });
        commit(dInput, dx);
    }

    @Override
    public void close() {}

    /** A window's cells inside the input (their offsets there, and their numbers in the window), in order. */
    private static final class Window {
        int[] offsets = new int[0];
        float[] cells = new float[0];

        Window fit(int size) {
            if (offsets.length < size) {
                offsets = new int[size];
                cells = new float[size];
            }
            return this;
        }
    }

    // Each thread's window, kept between calls so that a steady training pass allocates none.
    private static final ThreadLocal<Window> WINDOW = ThreadLocal.withInitial(Window::new);

    /** {@link Backend#maskedMean}, as {@code nrt_masked_mean_forward}: masked steps times 0, in step order, then one division. */
    static void maskedMean(Tensor input, Tensor mask, Tensor output, int threads) {
        final float[] x = read(input), m = read(mask), y = writable(output);
        final int steps = input.dim(1), c = input.dim(2);
        Parallel.forRange(input.dim(0), threads, (begin, end) -> {
            for (int b = begin; b < end; b++) {
                Arrays.fill(y, b * c, (b + 1) * c, 0f);
                for (int t = 0; t < steps; t++) JavaVectors.axpy(valid(m, b * steps + t), x, (b * steps + t) * c, y, b * c, c);
                float count = validSteps(m, b, steps);
                for (int k = b * c; k < (b + 1) * c; k++) y[k] /= count;
            }
        });
        commit(output, y);
    }

    /** {@link Backend#maskedMeanBackward}. */
    static void maskedMeanBackward(Tensor mask, Tensor dOutput, Tensor dInput, int threads) {
        final float[] m = read(mask), dy = read(dOutput), dx = writable(dInput);
        final int steps = dInput.dim(1), c = dInput.dim(2);
        Parallel.forRange(dInput.dim(0), threads, (begin, end) -> {
            for (int b = begin; b < end; b++) {
                float count = validSteps(m, b, steps);
                for (int t = 0; t < steps; t++) {
                    int at = (b * steps + t) * c;
                    float factor = valid(m, b * steps + t);
                    for (int k = 0; k < c; k++) dx[at + k] = dy[b * c + k] / count * factor;
                }
            }
        });
        commit(dInput, dx);
    }

    private static float valid(float[] mask, int at) {
        return mask[at] != 0f ? 1f : 0f;
    }

    private static float validSteps(float[] mask, int b, int steps) {
        int count = 0;
        for (int t = 0; t < steps; t++) count += mask[b * steps + t] != 0f ? 1 : 0;
        return count;
    }
}

package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;
import static org.neurite.backend.JavaDense.PIXELS;
import static org.neurite.backend.JavaEltwise.activate;
import static org.neurite.backend.JavaVectors.Slot;
import static org.neurite.backend.JavaVectors.scratch;

import java.util.Arrays;
import org.neurite.Tensor;

/**
 * Convolution in plain Java, the counterpart of {@code native/src/ref/conv2d_nhwc_f32_ref.cpp}.
 * It keeps Keras' HWIO kernel as its rows, one per tap and input channel: output channels are
 * innermost, so the inner loops run over contiguous output channels of a row (see {@link JavaVectors}).
 */
final class JavaConv2d implements ConvOp {
    private final ConvGeometry g;
    private float[][] w;

    JavaConv2d(ConvGeometry g) {
        this.g = g;
    }

    @Override
    public ConvGeometry geometry() {
        return g;
    }

    @Override
    public void setKernel(Tensor hwio) {
        w = JavaVectors.rowsOf(read(hwio), 0, g.kernelH() * g.kernelW() * g.inPerGroup(), g.outC(), w);
    }

    @Override
    public void forward(Tensor input, Tensor bias, Tensor output, int threads) {
        final float[][] w = this.w;
        final float[] x = read(input), b = bias == null ? null : read(bias);
        final float[] y = writable(output);
        final int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), outC = g.outC();
        final int kh = g.kernelH(), kw = g.kernelW(), icg = g.inPerGroup(), ocg = g.outPerGroup(), groups = g.groups();
        final boolean depthwise = icg == 1 && ocg == 1;
        Parallel.forRange(input.dim(0) * outH, threads, (begin, end) -> {
            float[][] acc = scratch(Slot.TASK, PIXELS, outC);
            int[] at = JavaDense.offsets();
            for (int row = begin; row < end; row++) {
                int n = row / outH, oh = row % outH;
                for (int ow0 = 0; ow0 < outW; ow0 += PIXELS) {
                    int pixels = Math.min(PIXELS, outW - ow0);
                    for (int p = 0; p < PIXELS; p++) {
                        if (b == null) Arrays.fill(acc[p], 0, outC, 0f);
                        else System.arraycopy(b, 0, acc[p], 0, outC);
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
                                    if (at[p] >= 0) depthwiseTap(x, at[p], w[tap], acc[p], outC);
                                }
                                continue;
                            }
                            for (int grp = 0; grp < groups; grp++) {
                                for (int c = 0; c < icg; c++) {
                                    int channel = grp * icg + c;
                                    JavaVectors.axpy4(at[0] < 0 ? 0f : x[at[0] + channel], at[1] < 0 ? 0f : x[at[1] + channel],
                                            at[2] < 0 ? 0f : x[at[2] + channel], at[3] < 0 ? 0f : x[at[3] + channel],
                                            w[tap + c], acc[0], acc[1], acc[2], acc[3], grp * ocg, (grp + 1) * ocg);
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

    @Override
    public void backwardData(Tensor kernel, Tensor dPre, Tensor dInput, int threads) {
        final float[] dy = read(dPre), dx = writable(dInput), w = read(kernel);
        final int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), outC = g.outC();
        final int icg = g.inPerGroup(), ocg = g.outPerGroup(), sample = inH * inW * inC, taps = g.kernelH() * g.kernelW();
        // Each tap's [icg, outC] slab transposed, a row per (tap, output channel): a group's input gradient at a tap
        // is then the output gradient times ocg of these rows.
        final float[][] wT = scratch(Slot.KERNEL, taps * outC, icg);
        for (int tap = 0; tap < taps; tap++) JavaVectors.transposeInto(w, tap * icg * outC, icg, outC, wT, tap * outC);
        // One sample per task: overlapping windows add into the same input cells in one fixed order.
        Parallel.forRange(dInput.dim(0), threads, (first, last) -> {
            float[] acc = scratch(Slot.TASK, 1, icg)[0];
            Arrays.fill(dx, first * sample, last * sample, 0f);
            for (int n = first; n < last; n++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int out = ((n * outH + oh) * outW + ow) * outC;
                        for (int i = 0; i < g.kernelH(); i++) {
                            int ih = oh * g.strideH() + i * g.dilationH() - g.padTop();
                            if (ih < 0 || ih >= inH) continue;
                            for (int j = 0; j < g.kernelW(); j++) {
                                int iw = ow * g.strideW() + j * g.dilationW() - g.padLeft();
                                if (iw < 0 || iw >= inW) continue;
                                int at = ((n * inH + ih) * inW + iw) * inC, tap = (i * g.kernelW() + j) * outC;
                                for (int grp = 0; grp < g.groups(); grp++) {
                                    Arrays.fill(acc, 0, icg, 0f);
                                    JavaVectors.addVectorTimesRows(dy, out + grp * ocg, wT, tap + grp * ocg, ocg, acc, 0, icg);
                                    int into = at + grp * icg;
                                    for (int c = 0; c < icg; c++) dx[into + c] += acc[c];
                                }
                            }
                        }
                    }
                }
            }
        });
        commit(dInput, dx);
    }

    /**
     * Each thread owns whole (tap, input channel) rows of the kernel's gradient, each summed over the output pixels
     * in order, four at a time within a block of output rows (blocks depend on the shape only, so the bits do not
     * depend on the thread count), from the output gradient's pixels copied into rows first.
     */
    @Override
    public void backwardWeights(Tensor input, Tensor dPre, Tensor dKernel, Tensor dBias, int threads) {
        final float[] x = read(input), dy = read(dPre);
        final int inC = g.inC(), outC = g.outC(), icg = g.inPerGroup(), ocg = g.outPerGroup(), batch = input.dim(0);
        final int items = g.kernelH() * g.kernelW() * inC, pixels = batch * g.outH() * g.outW();
        final float[][] dyRows = JavaVectors.rowsInto(dy, 0, pixels, outC, scratch(Slot.OUTPUT_GRADIENT, pixels, outC));
        final float[][] sums = scratch(Slot.GRADIENT, items, outC);
        // A block of output rows at a time, every item of the thread's share over it: the block's
        // gradient then stays in cache for all of them, where an item that ran over every pixel
        // alone streamed the whole output gradient again (the seed CNN's conv2 took 1.3x-1.6x longer).
        final int outputRows = batch * g.outH(), blockRows = Math.max(1, BLOCK_FLOATS / (g.outW() * outC));
        Parallel.forRange(items, threads, (begin, end) -> {
            for (int item = begin; item < end; item++) {
                int from = item % inC / icg * ocg;
                Arrays.fill(sums[item], from, from + ocg, 0f);
            }
            for (int first = 0; first < outputRows; first += blockRows) {
                int last = Math.min(outputRows, first + blockRows);
                for (int item = begin; item < end; item++) accumulateKernelGradient(item, first, last, x, dyRows, sums[item]);
            }
        });
        float[] dw = writable(dKernel);
        for (int item = 0; item < items; item++) {
            int tap = item / inC, ch = item % inC, from = ch / icg * ocg;
            System.arraycopy(sums[item], from, dw, (tap * icg + ch % icg) * outC + from, ocg);
        }
        commit(dKernel, dw);
        if (dBias != null) JavaDense.sumRows(dy, 0, pixels, outC, dBias);
    }

    /** The output gradient's floats a block of backwardWeights holds: 32 KB, an L1 cache's worth. */
    private static final int BLOCK_FLOATS = 8192;

    /**
     * sum[the item's group of output channels] += the input value under the kernel item (a tap and
     * input channel) times the output gradient, over the output rows [first, last) (n * outH + oh):
     * pixels in order, four at a time.
     */
    private void accumulateKernelGradient(int item, int first, int last, float[] x, float[][] dyRows, float[] sum) {
        final int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), kw = g.kernelW();
        int tap = item / inC, ch = item % inC, i = tap / kw, j = tap % kw, from = ch / g.inPerGroup() * g.outPerGroup();
        int to = from + g.outPerGroup();
        // The last pixels seen, waiting to be added four at a time, and how many wait.
        float v0 = 0f, v1 = 0f, v2 = 0f;
        int p0 = 0, p1 = 0, p2 = 0, waiting = 0;
        for (int row = first; row < last; row++) {
            int n = row / outH, oh = row % outH, ih = oh * g.strideH() + i * g.dilationH() - g.padTop();
            if (ih < 0 || ih >= inH) continue;
            for (int ow = 0; ow < outW; ow++) {
                int iw = ow * g.strideW() + j * g.dilationW() - g.padLeft();
                if (iw < 0 || iw >= inW) continue;
                float v = x[((n * inH + ih) * inW + iw) * inC + ch];
                int pixel = row * outW + ow;
                switch (waiting++) {
                    case 0 -> { v0 = v; p0 = pixel; }
                    case 1 -> { v1 = v; p1 = pixel; }
                    case 2 -> { v2 = v; p2 = pixel; }
                    default -> {
                        JavaVectors.addRows4(v0, v1, v2, v, dyRows[p0], dyRows[p1], dyRows[p2], dyRows[pixel], sum, from, to);
                        waiting = 0;
                    }
                }
            }
        }
        if (waiting > 0) JavaVectors.axpy(v0, dyRows[p0], sum, from, to);
        if (waiting > 1) JavaVectors.axpy(v1, dyRows[p1], sum, from, to);
        if (waiting > 2) JavaVectors.axpy(v2, dyRows[p2], sum, from, to);
    }

    private static void depthwiseTap(float[] x, int in, float[] w, float[] acc, int channels) {
        for (int c = 0; c < channels; c++) acc[c] += x[in + c] * w[c];
    }

    @Override
    public void close() {
        w = null;
    }
}

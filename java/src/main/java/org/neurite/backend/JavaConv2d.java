package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;
import static org.neurite.backend.JavaDense.PIXELS;
import static org.neurite.backend.JavaEltwise.activate;

import java.util.Arrays;
import org.neurite.Tensor;

/**
 * Convolution in plain Java, the counterpart of {@code native/src/ref/conv2d_nhwc_f32_ref.cpp}.
 * It reads Keras' HWIO kernel directly: output channels are innermost, so the inner loops
 * run over contiguous output channels with no calls or branches, which C2 vectorises.
 */
final class JavaConv2d implements ConvOp {
    private final ConvGeometry g;
    private float[] w;

    JavaConv2d(ConvGeometry g) {
        this.g = g;
    }

    @Override
    public ConvGeometry geometry() {
        return g;
    }

    @Override
    public void setKernel(Tensor hwio) {
        w = JavaBackend.copyInto(w, hwio);
    }

    @Override
    public void forward(Tensor input, Tensor bias, Tensor output, int threads) {
        final float[] w = this.w;
        final float[] x = read(input), b = bias == null ? null : read(bias);
        final float[] y = writable(output);
        final int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), outC = g.outC();
        final int kh = g.kernelH(), kw = g.kernelW(), icg = g.inPerGroup(), ocg = g.outPerGroup(), groups = g.groups();
        final boolean depthwise = icg == 1 && ocg == 1;
        Parallel.forRange(input.dim(0) * outH, threads, (begin, end) -> {
            float[][] acc = JavaDense.accumulators(outC);
            int[] at = JavaDense.offsets();
            for (int row = begin; row < end; row++) {
                int n = row / outH, oh = row % outH;
                for (int ow0 = 0; ow0 < outW; ow0 += PIXELS) {
                    int pixels = Math.min(PIXELS, outW - ow0);
                    for (float[] pixel : acc) {
                        if (b == null) Arrays.fill(pixel, 0, outC, 0f);
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
                            for (int p = 0; p < pixels; p++) {
                                if (at[p] < 0) continue;
                                for (int grp = 0; grp < groups; grp++) {
                                    JavaDense.addVectorTimesMatrix(x, at[p] + grp * icg, icg, w, tap * outC + grp * ocg, outC,
                                            acc[p], grp * ocg, ocg);
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
        final int icg = g.inPerGroup(), ocg = g.outPerGroup(), sample = inH * inW * inC, tapFloats = icg * outC;
        // Each tap's [icg, outC] slab transposed to [outC, icg]: a group's input gradient at a tap is then the output
        // gradient times ocg rows of it, a sum C2 vectorises.
        final float[] wT = JavaDense.transposeBuffer(0, g.kernelH() * g.kernelW() * tapFloats);
        for (int tap = 0; tap < g.kernelH() * g.kernelW(); tap++) JavaDense.transpose(w, tap * tapFloats, icg, outC, wT, tap * tapFloats);
        // One sample per task: overlapping windows add into the same input cells in one fixed order.
        Parallel.forRange(dInput.dim(0), threads, (first, last) -> {
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
                                int at = ((n * inH + ih) * inW + iw) * inC, tap = (i * g.kernelW() + j) * tapFloats;
                                for (int grp = 0; grp < g.groups(); grp++) {
                                    JavaDense.addVectorTimesMatrix(dy, out + grp * ocg, ocg, wT, tap + grp * ocg * icg, icg,
                                            dx, at + grp * icg, icg);
                                }
                            }
                        }
                    }
                }
            }
        });
        commit(dInput, dx);
    }

    /** Each thread owns whole (tap, input channel) rows of the kernel's gradient and sums over every output pixel in order. */
    @Override
    public void backwardWeights(Tensor input, Tensor dPre, Tensor dKernel, Tensor dBias, int threads) {
        final float[] x = read(input), dy = read(dPre), dw = writable(dKernel);
        final int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), outC = g.outC();
        final int icg = g.inPerGroup(), ocg = g.outPerGroup(), kw = g.kernelW(), batch = input.dim(0);
        Parallel.forRange(g.kernelH() * kw * inC, threads, (begin, end) -> {
            for (int item = begin; item < end; item++) {
                int tap = item / inC, ch = item % inC, i = tap / kw, j = tap % kw, grp = ch / icg;
                int row = (tap * icg + ch % icg) * outC + grp * ocg;
                Arrays.fill(dw, row, row + ocg, 0f);
                // The pixels in order, four at a time (one pass over the row per four): the last pixels and offsets
                // seen, and how many of them wait.
                float v0 = 0f, v1 = 0f, v2 = 0f;
                int o0 = 0, o1 = 0, o2 = 0, waiting = 0;
                for (int n = 0; n < batch; n++) {
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * g.strideH() + i * g.dilationH() - g.padTop();
                        if (ih < 0 || ih >= inH) continue;
                        for (int ow = 0; ow < outW; ow++) {
                            int iw = ow * g.strideW() + j * g.dilationW() - g.padLeft();
                            if (iw < 0 || iw >= inW) continue;
                            float v = x[((n * inH + ih) * inW + iw) * inC + ch];
                            int o = ((n * outH + oh) * outW + ow) * outC + grp * ocg;
                            switch (waiting++) {
                                case 0 -> { v0 = v; o0 = o; }
                                case 1 -> { v1 = v; o1 = o; }
                                case 2 -> { v2 = v; o2 = o; }
                                default -> {
                                    JavaDense.axpy4Rows(v0, v1, v2, v, dy, o0, o1, o2, o, dw, row, ocg);
                                    waiting = 0;
                                }
                            }
                        }
                    }
                }
                if (waiting > 0) JavaDense.axpy(v0, dy, o0, dw, row, ocg);
                if (waiting > 1) JavaDense.axpy(v1, dy, o1, dw, row, ocg);
                if (waiting > 2) JavaDense.axpy(v2, dy, o2, dw, row, ocg);
            }
        });
        commit(dKernel, dw);
        if (dBias != null) JavaDense.sumRows(dy, 0, batch * outH * outW, outC, dBias);
    }

    private static void depthwiseTap(float[] x, int in, float[] w, int from, float[] acc, int channels) {
        for (int c = 0; c < channels; c++) acc[c] += x[in + c] * w[from + c];
    }

    @Override
    public void close() {
        w = null;
    }
}

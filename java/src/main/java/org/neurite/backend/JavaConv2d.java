package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;
import static org.neurite.backend.JavaDense.PIXELS;
import static org.neurite.backend.JavaEltwise.activate;
import static org.neurite.backend.JavaDense.axpy4;

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

    @Override
    public void backwardData(Tensor kernel, Tensor dPre, Tensor dInput, int threads) {
        final float[] dy = read(dPre), dx = writable(dInput), w = read(kernel);
        final int inH = g.inH(), inW = g.inW(), inC = g.inC(), outH = g.outH(), outW = g.outW(), outC = g.outC();
        final int icg = g.inPerGroup(), ocg = g.outPerGroup(), sample = inH * inW * inC;
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
                                int at = ((n * inH + ih) * inW + iw) * inC, tap = (i * g.kernelW() + j) * icg;
                                for (int ch = 0; ch < inC; ch++) {
                                    int grp = ch / icg;
                                    dx[at + ch] += JavaDense.dot(dy, out + grp * ocg, w, (tap + ch % icg) * outC + grp * ocg, ocg);
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
                for (int n = 0; n < batch; n++) {
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * g.strideH() + i * g.dilationH() - g.padTop();
                        if (ih < 0 || ih >= inH) continue;
                        for (int ow = 0; ow < outW; ow++) {
                            int iw = ow * g.strideW() + j * g.dilationW() - g.padLeft();
                            if (iw < 0 || iw >= inW) continue;
                            float v = x[((n * inH + ih) * inW + iw) * inC + ch];
                            JavaDense.axpy(v, dy, ((n * outH + oh) * outW + ow) * outC + grp * ocg, dw, row, ocg);
                        }
                    }
                }
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

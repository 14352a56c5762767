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
                    Arrays.fill(y, out, out + c, g.max() ? -Float.MAX_VALUE : 0f);
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
    public void close() {}
}

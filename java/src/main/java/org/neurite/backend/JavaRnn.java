package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;
import static org.neurite.backend.JavaEltwise.activate;

import java.util.Arrays;
import org.neurite.Activation;
import org.neurite.Tensor;

/**
 * SimpleRNN, LSTM and GRU in plain Java, the counterpart of {@code native/src/ref/rnn_f32_ref.cpp}.
 * The kernels stay in Keras' layouts; the input projection of the whole sequence is one matrix product.
 */
final class JavaRnn implements RnnOp {
    private final RnnGeometry g;
    private float[] kernel, recurrent;

    JavaRnn(RnnGeometry g) {
        this.g = g;
    }

    @Override
    public RnnGeometry geometry() {
        return g;
    }

    @Override
    public void setKernels(Tensor kernel, Tensor recurrentKernel) {
        this.kernel = JavaBackend.copyInto(this.kernel, kernel);
        this.recurrent = JavaBackend.copyInto(this.recurrent, recurrentKernel);
    }

    @Override
    public void project(Tensor input, Tensor inputBias, Tensor output, int threads) {
        float[] y = writable(output);
        JavaDense.matmul(read(input), input.dim(0), g.inputSize(), kernel, g.gatedUnits(),
                inputBias == null ? null : read(inputBias), y, threads);
        commit(output, y);
    }

    @Override
    public void forward(Tensor input, boolean projected, Tensor mask, Tensor bias, Tensor initialH, Tensor initialC,
                        Tensor output, int outputOffset, Tensor finalH, Tensor finalC, int threads) {
        final int batch = input.dim(0), steps = input.dim(1), units = g.units(), gu = g.gatedUnits();
        final float[] m = mask == null ? null : read(mask), u = recurrent;
        final float[] b = bias == null ? null : read(bias);
        final float[] h0 = initialH == null ? null : read(initialH), c0 = initialC == null ? null : read(initialC);
        final float[] y = writable(output), hT = finalH == null ? null : writable(finalH);
        final float[] cT = finalC == null ? null : writable(finalC);
        // The input projection of the whole sequence, with the input bias (GRU reset_after: its first row).
        final float[] xw;
        if (projected) {
            xw = read(input);
        } else {
            xw = new float[batch * steps * gu];
            JavaDense.matmul(read(input), batch * steps, g.inputSize(), kernel, gu, b, xw, threads);
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
                        if (g.returnSequences()) Arrays.fill(y, out, out + units, 0f);
                        continue;
                    }
                    int x = (row * steps + t) * gu;
                    recurrentStep(g, xw, x, u, splitBias ? b : null, h, c, next, rec, rh);
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
        Arrays.fill(rec, 0f);
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
    public void close() {
        kernel = recurrent = null;
    }
}

package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;
import static org.neurite.backend.JavaEltwise.activate;
import static org.neurite.backend.JavaEltwise.derivative;

import java.util.Arrays;
import org.neurite.Activation;
import org.neurite.Tensor;

/**
 * SimpleRNN, LSTM and GRU in plain Java, the counterpart of {@code native/src/ref/rnn_f32_ref.cpp}.
 * The kernels are kept as their Keras-layout rows (see {@link JavaVectors}); the input projection of the whole
 * sequence is one matrix product, and backward multiplies by U^T's rows, transposed once per call.
 */
final class JavaRnn implements RnnOp {
    private final RnnGeometry g;
    private float[][] kernel, recurrent;  // Keras' [input, G units] and [units, G units], as rows (see JavaVectors)

    JavaRnn(RnnGeometry g) {
        this.g = g;
    }

    @Override
    public RnnGeometry geometry() {
        return g;
    }

    @Override
    public void setKernels(Tensor kernel, Tensor recurrentKernel) {
        this.kernel = JavaVectors.rowsOf(read(kernel), 0, g.inputSize(), g.gatedUnits(), this.kernel);
        this.recurrent = JavaVectors.rowsOf(read(recurrentKernel), 0, g.units(), g.gatedUnits(), this.recurrent);
    }

    @Override
    public void project(Tensor input, Tensor inputBias, Tensor output, int threads) {
        float[] y = writable(output);
        JavaDense.matmul(read(input), input.dim(0), g.inputSize(), kernel, g.gatedUnits(),
                inputBias == null ? null : read(inputBias), y, 0, threads);
        commit(output, y);
    }

    @Override
    public void forward(Tensor input, boolean projected, Tensor mask, Tensor bias, Tensor initialH, Tensor initialC,
                        Tensor output, int outputOffset, Tensor finalH, Tensor finalC, int threads) {
        run(input, projected, mask, bias, initialH, initialC, output, outputOffset, finalH, finalC, null, threads);
    }

    @Override
    public long workspaceSize(int batch, int steps) {
        return (long) batch * steps * new Workspace(g, batch, steps).rowFloats;
    }

    @Override
    public void forwardTraining(Tensor input, Tensor mask, Tensor bias, Tensor initialH, Tensor initialC, Tensor output,
                                int outputOffset, Tensor workspace, Tensor finalH, Tensor finalC, int threads) {
        run(input, false, mask, bias, initialH, initialC, output, outputOffset, finalH, finalC, workspace, threads);
    }

    // The forward pass; with a workspace, also saving what backward needs.
    private void run(Tensor input, boolean projected, Tensor mask, Tensor bias, Tensor initialH, Tensor initialC,
                     Tensor output, int outputOffset, Tensor finalH, Tensor finalC, Tensor workspace, int threads) {
        final int batch = input.dim(0), steps = input.dim(1), units = g.units(), gu = g.gatedUnits();
        final float[] m = mask == null ? null : read(mask);
        final float[][] u = recurrent;
        final float[] b = bias == null ? null : read(bias);
        final float[] h0 = initialH == null ? null : read(initialH), c0 = initialC == null ? null : read(initialC);
        final float[] y = writable(output), hT = finalH == null ? null : writable(finalH);
        final float[] cT = finalC == null ? null : writable(finalC);
        final float[] ws = workspace == null ? null : writable(workspace);
        final Workspace at = new Workspace(g, batch, steps);
        // The input projection of the whole sequence, with the input bias (GRU reset_after: its first row). Training
        // keeps it where the steps then keep their gates, and backward their gradients, as the native kernels do.
        final float[] xw;
        final int xwFrom = ws != null && !projected ? at.gates(0) : 0;
        if (projected) {
            xw = read(input);
        } else {
            xw = ws != null ? ws : new float[batch * steps * gu];
            JavaDense.matmul(read(input), batch * steps, g.inputSize(), kernel, gu, b, xw, xwFrom, threads);
        }
        final boolean splitBias = g.cell() == RnnGeometry.Cell.GRU && g.resetAfter();
        Parallel.forRange(batch, threads, (begin, end) -> {
            float[][] buffers = stepBuffers(units, gu);
            float[] h = buffers[0], next = buffers[1], c = buffers[2], rec = buffers[3], rh = buffers[4];
            for (int row = begin; row < end; row++) {
                for (int j = 0; j < units; j++) {
                    h[j] = h0 == null ? 0f : h0[row * units + j];
                    c[j] = c0 == null ? 0f : c0[row * units + j];
                }
                for (int s = 0; s < steps; s++) {
                    int t = g.goBackwards() ? steps - 1 - s : s, r = row * steps + t;
                    int out = outputOffset + (row * steps + (g.reverseOutput() ? steps - 1 - s : s)) * g.outputStride();
                    if (m != null && m[r] == 0f) {
                        if (g.returnSequences()) Arrays.fill(y, out, out + units, 0f);
                        continue;
                    }
                    if (ws != null) {
                        System.arraycopy(h, 0, ws, at.h(r), units);
                        if (at.lstm) System.arraycopy(c, 0, ws, at.c(r), units);
                    }
                    recurrentStep(g, xw, xwFrom + r * gu, u, splitBias ? b : null, h, c, next, rec, rh, ws,
                            ws == null ? 0 : at.saved(r));
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
        applyMaskedOutputRule(g, batch, steps, m, y, outputOffset, false);
        commit(output, y);
        if (finalH != null) commit(finalH, hT);
        if (finalC != null) commit(finalC, cT);
        if (workspace != null) commit(workspace, ws);
    }

    @Override
    public void backward(Tensor kernelValue, Tensor recurrentValue, Tensor input, Tensor mask, Tensor workspace,
                         Tensor dOutput, int outputOffset, Tensor dInput, Tensor dKernel, Tensor dRecurrent, Tensor dBias,
                         Tensor dInitialH, Tensor dInitialC, Tensor dFinalH, Tensor dFinalC, int threads) {
        final int batch = input.dim(0), steps = input.dim(1), units = g.units(), gu = g.gatedUnits();
        final Workspace at = new Workspace(g, batch, steps);
        final float[] m = mask == null ? null : read(mask);
        // U^T [gu, units]: dh of the step before, and GRU's gradient at r h, are vector-matrix products with its rows.
        final float[][] uT = JavaVectors.scratch(JavaVectors.Slot.RECURRENT, gu, units);
        JavaVectors.transposeInto(read(recurrentValue), 0, units, gu, uT, 0);
        // The gradient of the outputs the recurrence wrote, Keras' rule for masked steps moved out (in a copy).
        final float[] dy = hasMaskedOutputRule(g, m) ? read(dOutput).clone() : read(dOutput);
        applyMaskedOutputRule(g, batch, steps, m, dy, outputOffset, true);
        final float[] ws = writable(workspace);
        final float[] dh0 = dInitialH == null ? null : writable(dInitialH), dc0 = dInitialC == null ? null : writable(dInitialC);
        final float[] dhT = dFinalH == null ? null : read(dFinalH), dcT = dFinalC == null ? null : read(dFinalC);
        final Activation a = g.activation(), ra = g.recurrentActivation();
        final float alpha = g.alpha();
        // Where the workspace kept what a took (Workspace), a gives it again: LSTM's g and cell, GRU's candidate.
        final boolean keepsInput = !a.derivativeFromOutput(alpha);
        // Back through time, one sequence per task: the gradients at each step's gate inputs.
        Parallel.forRange(batch, threads, (begin, end) -> {
            float[] dh = new float[units], dc = new float[units], dPrev = new float[units], dRh = new float[units];
            float[] gave = keepsInput ? new float[2 * units] : null;
            for (int row = begin; row < end; row++) {
                Arrays.fill(dh, 0f);
                Arrays.fill(dc, 0f);
                // BPTT starts from the output's gradient (without returnSequences) and the final states'.
                if (!g.returnSequences()) JavaVectors.axpy(1f, dy, outputOffset + row * g.outputStride(), dh, 0, units);
                if (dhT != null) JavaVectors.axpy(1f, dhT, row * units, dh, 0, units);
                if (dcT != null) System.arraycopy(dcT, row * units, dc, 0, units);
                for (int s = steps - 1; s >= 0; s--) {
                    int t = g.goBackwards() ? steps - 1 - s : s, r = row * steps + t;
                    // dx overwrites the gates, each value once read.
                    int dx = at.gates(r), dr = at.dRec(r), sv = at.saved(r), hp = at.h(r);
                    if (m != null && m[r] == 0f) { // the state passed through unchanged, and so does its gradient
                        Arrays.fill(ws, dx, dx + gu, 0f);
                        if (at.gru) Arrays.fill(ws, dr, dr + gu, 0f);
                        continue;
                    }
                    if (g.returnSequences()) {
                        int out = outputOffset + (row * steps + (g.reverseOutput() ? steps - 1 - s : s)) * g.outputStride();
                        JavaVectors.axpy(1f, dy, out, dh, 0, units);
                    }
                    Arrays.fill(dPrev, 0f);
                    switch (g.cell()) {
                        case SIMPLE -> {
                            for (int j = 0; j < units; j++) ws[dx + j] = dh[j] * derivative(a, alpha, ws[dx + j]);
                        }
                        case LSTM -> {
                            if (keepsInput) {
                                System.arraycopy(ws, dx + 2 * units, gave, 0, units);
                                System.arraycopy(ws, sv, gave, units, units);
                                activate(a, alpha, gave, 0, 2 * units);
                            }
                            for (int j = 0; j < units; j++) {
                                float i = ws[dx + j], f = ws[dx + units + j], cand = ws[dx + 2 * units + j];
                                float o = ws[dx + 3 * units + j], squashed = ws[sv + j];
                                float cPrev = ws[at.c(r) + j];
                                float dcj = dc[j] + dh[j] * o * derivative(a, alpha, squashed);
                                ws[dx + j] = dcj * (keepsInput ? gave[j] : cand) * derivative(ra, alpha, i);
                                ws[dx + units + j] = dcj * cPrev * derivative(ra, alpha, f);
                                ws[dx + 2 * units + j] = dcj * i * derivative(a, alpha, cand);
                                ws[dx + 3 * units + j] = dh[j] * (keepsInput ? gave[units + j] : squashed) * derivative(ra, alpha, o);
                                dc[j] = dcj * f;
                            }
                        }
                        case GRU -> {
                            if (keepsInput) {
                                System.arraycopy(ws, dx + 2 * units, gave, 0, units);
                                activate(a, alpha, gave, 0, units);
                            }
                            for (int j = 0; j < units; j++) {
                                float z = ws[dx + j], n = ws[dx + 2 * units + j];
                                float dn = dh[j] * (1f - z) * derivative(a, alpha, n);
                                ws[dx + j] = ws[dr + j] = dh[j] * (ws[hp + j] - (keepsInput ? gave[j] : n)) * derivative(ra, alpha, z);
                                ws[dx + 2 * units + j] = dn;
                                dPrev[j] = dh[j] * z;
                                if (g.resetAfter()) {
                                    float rr = ws[dx + units + j];
                                    ws[dx + units + j] = ws[dr + units + j] = dn * ws[sv + j] * derivative(ra, alpha, rr);
                                    ws[dr + 2 * units + j] = dn * rr;
                                } else {
                                    ws[dr + 2 * units + j] = 0f; // Un's gradient comes from r h, below
                                }
                            }
                            if (!g.resetAfter()) {
                                // n = a(x Wn + (r h) Un + b): the gradient at r h, then at r and h
                                Arrays.fill(dRh, 0f);
                                JavaVectors.addVectorTimesRows(ws, dx + 2 * units, uT, 2 * units, units, dRh, 0, units);
                                for (int j = 0; j < units; j++) {
                                    ws[dx + units + j] = ws[dr + units + j] = dRh[j] * ws[hp + j] * derivative(ra, alpha, ws[sv + j]);
                                    dPrev[j] += dRh[j] * ws[sv + j];
                                }
                            }
                        }
                    }
                    // dh of the step before: what flows through the recurrent kernel, plus any direct path
                    int recurrentGradient = at.gru ? dr : dx;
                    System.arraycopy(dPrev, 0, dh, 0, units);
                    JavaVectors.addVectorTimesRows(ws, recurrentGradient, uT, 0, gu, dh, 0, units);
                }
                // What is left flows into the initial states.
                if (dh0 != null) System.arraycopy(dh, 0, dh0, row * units, units);
                if (dc0 != null) System.arraycopy(dc, 0, dc0, row * units, units);
            }
        });
        if (dInitialH != null) commit(dInitialH, dh0);
        if (dInitialC != null) commit(dInitialC, dc0);
        // The weight gradients, each one product over every step of every sequence, read in place: each section
        // of the workspace holds its rows one after the other.
        final int rows = batch * steps, dX = at.gates(0), dRecRows = at.gru ? at.dRec(0) : dX;
        JavaDense.outerProductSum(read(input), 0, ws, dX, rows, g.inputSize(), gu, dKernel, null, threads);
        JavaDense.outerProductSum(ws, at.h(0), ws, dRecRows, rows, units, gu, dRecurrent, null, threads);
        if (at.gru && !g.resetAfter()) {
            // Un's gradient: (r h) of every step times the candidate's gradient
            float[] rh = new float[rows * units], dn = new float[rows * units];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < units; j++) {
                    rh[r * units + j] = ws[at.saved(r) + j] * ws[at.h(r) + j]; // r h
                    dn[r * units + j] = ws[at.gates(r) + 2 * units + j];
                }
            }
            try (Tensor dUn = Tensor.heap(units, units)) {
                JavaDense.outerProductSum(rh, 0, dn, 0, rows, units, units, dUn, null, threads);
                float[] dU = writable(dRecurrent), part = read(dUn);
                for (int k = 0; k < units; k++) System.arraycopy(part, k * units, dU, k * gu + 2 * units, units);
                commit(dRecurrent, dU);
            }
        }
        if (dBias != null) {
            float[] db = writable(dBias);
            Arrays.fill(db, 0f);
            for (int r = 0; r < rows; r++) JavaVectors.axpy(1f, ws, dX + r * gu, db, 0, gu);
            if (g.biasSize() > gu) for (int r = 0; r < rows; r++) JavaVectors.axpy(1f, ws, dRecRows + r * gu, db, gu, gu);
            commit(dBias, db);
        }
        if (dInput == null) return;
        float[] dx = writable(dInput);
        JavaDense.timesTransposed(ws, dX, rows, gu, read(kernelValue), g.inputSize(), dx, threads);
        commit(dInput, dx);
    }

    /**
     * Where a training step's saved values and gradients lie in the workspace, per row
     * {@code r = sequence * steps + input step}: the state before the step (LSTM: also the
     * cell before it); the value per unit the gates do not hold (LSTM: the activated cell;
     * GRU: h Uh + bh with reset_after, the reset gate without; SimpleRNN: none); the gates
     * (SimpleRNN: the new state), over their input projection, then their gradients over them;
     * and for GRU the gradient at their recurrent part; as {@code native/src/common/rnn_workspace.h}.
     * Where the activation's derivative does not follow from its output, what it took is kept
     * instead of what it gave (SimpleRNN's state, LSTM's g and cell, GRU's candidate).
     */
    private static final class Workspace {
        final boolean lstm, gru;
        final int rowFloats;
        private final int units, savedFloats, gatedUnits;
        private final long rows;

        Workspace(RnnGeometry g, int batch, int steps) {
            units = g.units();
            gatedUnits = g.gatedUnits();
            lstm = g.cell() == RnnGeometry.Cell.LSTM;
            gru = g.cell() == RnnGeometry.Cell.GRU;
            savedFloats = lstm || gru ? units : 0;
            rows = (long) batch * steps;
            rowFloats = units * (lstm ? 2 : 1) + savedFloats + gatedUnits * (gru ? 2 : 1);
        }

        int h(int r) {
            return Math.toIntExact((long) r * units);
        }

        int c(int r) {
            return Math.toIntExact(rows * units + (long) r * units);
        }

        int saved(int r) {
            return Math.toIntExact(rows * units * (lstm ? 2 : 1) + (long) r * savedFloats);
        }

        int gates(int r) {
            return Math.toIntExact(rows * (units * (lstm ? 2 : 1) + savedFloats) + (long) r * gatedUnits);
        }

        int dRec(int r) {
            return Math.toIntExact(rows * (units * (lstm ? 2 : 1) + savedFloats + gatedUnits) + (long) r * gatedUnits);
        }
    }

    // Each thread's step buffers (h, next h, c, the recurrent products, r h), kept between calls so that a steady
    // forward pass allocates none; a task holds them from its start to its end and runs no other task meanwhile.
    private static final ThreadLocal<float[][]> STEP_BUFFERS = ThreadLocal.withInitial(() -> new float[5][0]);

    private static float[][] stepBuffers(int units, int gatedUnits) {
        float[][] b = STEP_BUFFERS.get();
        if (b[0].length < units || b[3].length < gatedUnits) {
            int u = Math.max(units, b[0].length), gu = Math.max(gatedUnits, b[3].length);
            b = new float[][] {new float[u], new float[u], new float[u], new float[gu], new float[u]};
            STEP_BUFFERS.set(b);
        }
        return b;
    }

    /** Whether Keras' outputs for masked steps differ anywhere from what the recurrence writes. */
    static boolean hasMaskedOutputRule(RnnGeometry g, float[] m) {
        return m != null && !(g.returnSequences() && g.zeroOutputForMask());
    }

    /**
     * Keras' outputs for masked steps, in place over what the recurrence writes (zeros at a
     * sequence's masked steps, the last state otherwise), as nrt_rnn_forward applies them: with
     * returnSequences and not zeroOutputForMask a masked step repeats the output of the step
     * processed before it; without returnSequences the output is Keras' last output, zeros for
     * a sequence with no valid step (whatever its initial state) or, with zeroOutputForMask,
     * whose last processed step is masked. With {@code gradient}, {@code y} holds the output's
     * gradient and gets the transposed rule.
     */
    static void applyMaskedOutputRule(RnnGeometry g, int batch, int steps, float[] m, float[] y, int offset, boolean gradient) {
        if (!hasMaskedOutputRule(g, m)) return;
        int units = g.units(), stride = g.outputStride();
        for (int b = 0; b < batch; b++) {
            if (!g.returnSequences()) {
                boolean zeros = m[b * steps + (g.goBackwards() ? 0 : steps - 1)] == 0f;
                for (int t = 0; t < steps && zeros && !g.zeroOutputForMask(); t++) zeros = m[b * steps + t] == 0f;
                if (zeros) Arrays.fill(y, offset + b * stride, offset + b * stride + units, 0f);
                continue;
            }
            for (int k = 1; k < steps; k++) {
                // From the second step processed on, or from the last back for the gradient.
                int s = gradient ? steps - k : k;
                if (m[b * steps + (g.goBackwards() ? steps - 1 - s : s)] != 0f) continue;
                int at = offset + (b * steps + (g.reverseOutput() ? steps - 1 - s : s)) * stride;
                int before = offset + (b * steps + (g.reverseOutput() ? steps - s : s - 1)) * stride;
                if (!gradient) {
                    System.arraycopy(y, before, y, at, units);
                } else {
                    JavaVectors.axpy(1f, y, at, y, before, units);
                    Arrays.fill(y, at, at + units, 0f);
                }
            }
            // A masked first step outputs zeros: no gradient.
            if (gradient && m[b * steps + (g.goBackwards() ? steps - 1 : 0)] == 0f) {
                int first = offset + (b * steps + (g.reverseOutput() ? steps - 1 : 0)) * stride;
                Arrays.fill(y, first, first + units, 0f);
            }
        }
    }

    /**
     * One step of one sequence: next (and c, in place, for LSTM) from h and the projected
     * input x = projected[at...]. In training, {@code workspace} is projected's array: the
     * gates then go over x once read, and the value per unit they do not hold to
     * workspace[savedAt...]. Equations: native/include/neurite.h.
     */
    private static void recurrentStep(RnnGeometry g, float[] projected, int at, float[][] u, float[] splitBias, float[] h,
                                      float[] c, float[] next, float[] rec, float[] rh, float[] workspace, int savedAt) {
        int units = g.units(), gu = g.gatedUnits();
        Activation a = g.activation(), ra = g.recurrentActivation();
        float alpha = g.alpha();
        boolean twoPass = g.cell() == RnnGeometry.Cell.GRU && !g.resetAfter();
        // rec = h U (for GRU without reset_after: the z and r columns only, the h columns from r h below)
        Arrays.fill(rec, 0f);
        int columns = twoPass ? 2 * units : gu;
        JavaVectors.addVectorTimesRows(h, 0, u, 0, units, rec, 0, columns);
        if (splitBias != null) for (int j = 0; j < gu; j++) rec[j] += splitBias[gu + j];
        for (int j = 0; j < gu; j++) rec[j] += projected[at + j]; // now x W + b + h U, per gate
        // Training keeps what a gave, or what it took where its derivative needs that (Workspace).
        boolean keepsInput = workspace != null && !a.derivativeFromOutput(alpha);
        switch (g.cell()) {
            case SIMPLE -> {
                System.arraycopy(rec, 0, next, 0, units);
                if (keepsInput) System.arraycopy(next, 0, workspace, at, units);
                activate(a, alpha, next, 0, units);
                if (workspace != null && !keepsInput) System.arraycopy(next, 0, workspace, at, units);
            }
            case LSTM -> {
                activate(ra, alpha, rec, 0, 2 * units);
                if (keepsInput) System.arraycopy(rec, 2 * units, workspace, at + 2 * units, units);
                activate(a, alpha, rec, 2 * units, 3 * units);
                activate(ra, alpha, rec, 3 * units, 4 * units);
                if (workspace != null) {
                    System.arraycopy(rec, 0, workspace, at, 2 * units);
                    if (!keepsInput) System.arraycopy(rec, 2 * units, workspace, at + 2 * units, units);
                    System.arraycopy(rec, 3 * units, workspace, at + 3 * units, units);
                }
                for (int j = 0; j < units; j++) {
                    c[j] = rec[units + j] * c[j] + rec[j] * rec[2 * units + j];
                    next[j] = c[j];
                }
                if (keepsInput) System.arraycopy(next, 0, workspace, savedAt, units);
                activate(a, alpha, next, 0, units);
                if (workspace != null && !keepsInput) System.arraycopy(next, 0, workspace, savedAt, units);
                for (int j = 0; j < units; j++) next[j] *= rec[3 * units + j];
            }
            case GRU -> {
                activate(ra, alpha, rec, 0, 2 * units);
                if (g.resetAfter()) {
                    // rec[2u..] holds xh + (h Uh + bh'); n needs xh + r (h Uh + bh'): recompute the split
                    for (int j = 0; j < units; j++) {
                        float xh = projected[at + 2 * units + j], hn = rec[2 * units + j] - xh;
                        next[j] = xh + rec[units + j] * hn;
                        if (workspace != null) workspace[savedAt + j] = hn;
                    }
                } else {
                    for (int j = 0; j < units; j++) rh[j] = rec[units + j] * h[j];
                    // (r h) Uh into rec's h columns, which h U left alone: there the rows' columns line up with it
                    Arrays.fill(rec, 2 * units, gu, 0f);
                    JavaVectors.addVectorTimesRows(rh, 0, u, 0, units, rec, 2 * units, gu);
                    System.arraycopy(rec, 2 * units, next, 0, units);
                    for (int j = 0; j < units; j++) next[j] += projected[at + 2 * units + j];
                }
                if (keepsInput) System.arraycopy(next, 0, workspace, at + 2 * units, units);
                activate(a, alpha, next, 0, units);
                if (workspace != null) {
                    // r goes beside the gates without reset_after: backward overwrites its gate with dr before Un's
                    // gradient needs r h.
                    System.arraycopy(rec, 0, workspace, at, g.resetAfter() ? 2 * units : units);
                    if (!g.resetAfter()) System.arraycopy(rec, units, workspace, savedAt, units);
                    if (!keepsInput) System.arraycopy(next, 0, workspace, at + 2 * units, units);
                }
                for (int j = 0; j < units; j++) next[j] = next[j] + rec[j] * (h[j] - next[j]);
            }
        }
    }

    @Override
    public void close() {
        kernel = recurrent = null;
    }
}

package org.neurite.testkit;

import java.util.Random;
import org.neurite.Activation;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;
import org.neurite.layers.RecurrentLayer;
import org.neurite.layers.SimpleRNN;

/**
 * A recurrent problem of tests/shapes/rnn.txt: its sizes, options and mask, the layer a user
 * would write for it, and the independent double-precision reference of Keras' equations.
 */
public record RnnCase(Problem problem, String cell, int batch, int steps, int in, int units, boolean sequences,
                      boolean backwards, boolean resetAfter, String activation, String recurrentActivation, String mask,
                      boolean zeroOutput) {
    public static RnnCase of(Problem p) {
        return new RnnCase(p, p.text("cell", "lstm"), p.integer("mb", 1), p.integer("steps", 1), p.integer("in", 1),
                p.integer("units", 1), p.integer("sequences", 0) == 1, p.integer("backwards", 0) == 1,
                p.integer("reset_after", 1) == 1, p.text("act", "tanh"), p.text("ract", "sigmoid"), p.text("mask", "none"),
                p.integer("zero_output", 0) == 1);
    }

    /**
     * The two layers Keras' Bidirectional makes of this one: {@code backward} reads the other
     * way; both output zeros at masked steps exactly when they return sequences.
     */
    public RnnCase asBidirectionalHalf(boolean backward) {
        return new RnnCase(problem, cell, batch, steps, in, units, sequences, backwards != backward, resetAfter, activation,
                recurrentActivation, mask, sequences);
    }

    public int gates() {
        return cell.equals("lstm") ? 4 : cell.equals("gru") ? 3 : 1;
    }

    public int biasSize() {
        return cell.equals("gru") && resetAfter ? 2 * gates() * units : gates() * units;
    }

    public RecurrentLayer<?> layer() {
        RecurrentLayer<?> layer = switch (cell) {
            case "lstm" -> new LSTM(units);
            case "gru" -> new GRU(units).resetAfter(resetAfter);
            default -> new SimpleRNN(units);
        };
        return layer.returnSequences(sequences).goBackwards(backwards).zeroOutputForMask(zeroOutput)
                .activation(Activation.valueOf(activation.toUpperCase()))
                .recurrentActivation(Activation.valueOf(recurrentActivation.toUpperCase()));
    }

    /** [batch, steps] of 1 (valid) and 0 (masked), or null for no mask; "empty" is holes with sample 0 wholly masked. */
    public float[] maskValues(Random random) {
        if (mask.equals("none")) return null;
        float[] m = new float[batch * steps];
        for (int b = 0; b < batch; b++) {
            int length = 1 + (b * 7 + 3) % steps; // varying lengths, some full
            for (int t = 0; t < steps; t++) {
                m[b * steps + t] = mask.equals("tail") ? (t < length ? 1 : 0)
                        : mask.equals("empty") && b == 0 ? 0 : (random.nextInt(4) == 0 ? 0 : 1);
            }
        }
        return m;
    }

    /** Output ([batch, steps, units] or [batch, units]), final h and final c. */
    public record Output(double[] output, double[] h, double[] c) {}

    /**
     * Keras' equations, one sequence at a time, in double precision. Weights in Keras layout:
     * kernel [in, G units], recurrent [units, G units], bias [G units] or [2, 3 units].
     */
    public Output reference(float[] x, float[] maskValues, float[] kernel, float[] recurrent, float[] bias, float[] h0,
                            float[] c0) {
        int g = gates(), gu = g * units;
        double[] out = new double[sequences ? batch * steps * units : batch * units];
        double[] hT = new double[batch * units], cT = new double[batch * units];
        for (int b = 0; b < batch; b++) {
            double[] h = new double[units], c = new double[units];
            for (int j = 0; j < units; j++) {
                h[j] = h0 == null ? 0 : h0[b * units + j];
                c[j] = c0 == null ? 0 : c0[b * units + j];
            }
            for (int s = 0; s < steps; s++) {
                int t = backwards ? steps - 1 - s : s;
                if (maskValues != null && maskValues[b * steps + t] == 0) { // the state stays
                    // Keras' zero_output_for_mask=False: the output of the step processed before (zeros before any)
                    if (sequences && !zeroOutput && s > 0) {
                        System.arraycopy(out, (b * steps + s - 1) * units, out, (b * steps + s) * units, units);
                    }
                    continue;
                }
                double[] xw = new double[gu], hu = new double[gu];
                for (int col = 0; col < gu; col++) {
                    double sum = bias == null ? 0 : bias[col];
                    for (int i = 0; i < in; i++) sum += (double) x[(b * steps + t) * in + i] * kernel[i * gu + col];
                    xw[col] = sum;
                    double rec = bias != null && biasSize() == 2 * gu ? bias[gu + col] : 0;
                    for (int k = 0; k < units; k++) rec += h[k] * recurrent[k * gu + col];
                    hu[col] = rec;
                }
                double[] next = new double[units];
                for (int j = 0; j < units; j++) {
                    switch (cell) {
                        case "lstm" -> {
                            double i = ra(xw[j] + hu[j]), f = ra(xw[units + j] + hu[units + j]);
                            double cc = a(xw[2 * units + j] + hu[2 * units + j]), o = ra(xw[3 * units + j] + hu[3 * units + j]);
                            c[j] = f * c[j] + i * cc;
                            next[j] = o * a(c[j]);
                        }
                        case "gru" -> {
                            double z = ra(xw[j] + hu[j]), r = ra(xw[units + j] + hu[units + j]);
                            double n;
                            if (resetAfter) {
                                n = a(xw[2 * units + j] + r * hu[2 * units + j]);
                            } else {
                                double rhU = 0; // (r * h) Uh, r of every unit first
                                for (int k = 0; k < units; k++) {
                                    double rk = ra(xw[units + k] + hu[units + k]);
                                    rhU += rk * h[k] * recurrent[k * gu + 2 * units + j];
                                }
                                n = a(xw[2 * units + j] + rhU);
                            }
                            next[j] = z * h[j] + (1 - z) * n;
                        }
                        default -> next[j] = a(xw[j] + hu[j]);
                    }
                }
                h = next;
                if (sequences) System.arraycopy(h, 0, out, (b * steps + s) * units, units);
            }
            // Keras' last output: zeros where no step is valid (prev_output starts at zeros), or with
            // zero_output_for_mask where the last step processed is masked.
            boolean lastMasked = maskValues != null && maskValues[b * steps + (backwards ? 0 : steps - 1)] == 0;
            boolean noneValid = true;
            for (int t = 0; t < steps; t++) noneValid &= maskValues != null && maskValues[b * steps + t] == 0;
            if (!sequences && !(zeroOutput ? lastMasked : noneValid)) System.arraycopy(h, 0, out, b * units, units);
            System.arraycopy(h, 0, hT, b * units, units);
            System.arraycopy(c, 0, cT, b * units, units);
        }
        return new Output(out, hT, cT);
    }

    private double a(double v) {
        return Reference.activate(activation, v);
    }

    private double ra(double v) {
        return Reference.activate(recurrentActivation, v);
    }
}

package org.neurite.backend;

import org.neurite.Activation;

/**
 * One recurrent layer, batch and steps excluded: input {@code [batch, steps, inputSize]},
 * Keras' weights (kernel {@code [inputSize, gates * units]}, recurrent kernel
 * {@code [units, gates * units]}, gates side by side in Keras' order) and equations, as
 * {@code native/include/neurite.h} states them. Each output vector starts {@code outputStride}
 * floats after the previous one (two layers can then fill one concatenated output), in
 * reverse step order if {@code reverseOutput} (Keras' Bidirectional, for its backward layer).
 * {@code zeroOutputForMask} is Keras' option of that name: zeros at a sequence's masked steps,
 * where otherwise each repeats the output before it. {@code alpha} is the negative slope of
 * either activation where it is {@link Activation#LEAKY_RELU}.
 *
 * <pre>{@code
 * RnnGeometry lstm = new RnnGeometry(RnnGeometry.Cell.LSTM, 64, 64, Activation.TANH, Activation.SIGMOID, true, false,
 *         false, false, 64, false, Activation.DEFAULT_LEAKY_ALPHA);
 * }</pre>
 */
public record RnnGeometry(Cell cell, int inputSize, int units, Activation activation, Activation recurrentActivation,
                          boolean resetAfter, boolean goBackwards, boolean returnSequences, boolean reverseOutput,
                          int outputStride, boolean zeroOutputForMask, float alpha) {
    /** The cells, with their gates in Keras' order. */
    public enum Cell {
        SIMPLE(1), LSTM(4), GRU(3);

        public final int gates;

        Cell(int gates) {
            this.gates = gates;
        }
    }

    public RnnGeometry {
        if (!activation.isElementWise() || !recurrentActivation.isElementWise()) {
            throw new IllegalArgumentException("recurrent layers need element-wise activations");
        }
        if (outputStride < units) throw new IllegalArgumentException("output stride " + outputStride + " < units " + units);
        if (!Float.isFinite(alpha)) throw new IllegalArgumentException("leaky ReLU slope " + alpha + " is not finite");
    }

    public int gatedUnits() {
        return cell.gates * units;
    }

    /** Keras' bias length: GRU with reset_after has separate input and recurrent biases. */
    public int biasSize() {
        return cell == Cell.GRU && resetAfter ? 2 * gatedUnits() : gatedUnits();
    }
}

package org.neurite.backend;

import org.neurite.Tensor;

/**
 * A SimpleRNN, LSTM or GRU layer prepared for one geometry, with its own packed copies of the
 * kernel and the recurrent kernel, repacked in place whenever they change.
 * {@link #setKernels} must not overlap a run.
 *
 * <pre>{@code
 * try (RnnOp lstm = backend.rnn(geometry)) {
 *     lstm.setKernels(kernel, recurrentKernel);
 *     lstm.forward(input, false, null, bias, null, null, output, 0, null, null, threads);
 * }
 * }</pre>
 */
public interface RnnOp extends AutoCloseable {
    RnnGeometry geometry();

    /** Packs the kernel {@code [inputSize, gatedUnits]} and the recurrent kernel {@code [units, gatedUnits]}. */
    void setKernels(Tensor kernel, Tensor recurrentKernel);

    /**
     * The input projection {@code x W + inputBias} of rows {@code [rows, inputSize]} into
     * {@code [rows, gatedUnits]}; {@code inputBias} ({@code [gatedUnits]}) may be null.
     */
    void project(Tensor input, Tensor inputBias, Tensor output, int threads);

    /**
     * Runs over a whole sequence, writing outputs from {@code outputOffset} floats into
     * {@code output} with the geometry's stride. With {@code projected}, the input already
     * holds its {@link #project projection} ({@code [batch, steps, gatedUnits]}) and
     * {@code bias} serves only GRU's recurrent bias. {@code mask} ({@code [batch, steps]},
     * nonzero = valid), {@code bias}, the initial and the final states may be null.
     */
    void forward(Tensor input, boolean projected, Tensor mask, Tensor bias, Tensor initialH, Tensor initialC,
                 Tensor output, int outputOffset, Tensor finalH, Tensor finalC, int threads);

    /** Floats of workspace {@link #forwardTraining} and {@link #backward} need for a batch of sequences. */
    long workspaceSize(int batch, int steps);

    /**
     * As {@link #forward} (input not projected; final states where not null), saving what {@link #backward}
     * needs in {@code workspace}; the activations' derivatives must follow from their outputs
     * ({@link org.neurite.Activation#derivativeFromOutput}).
     */
    void forwardTraining(Tensor input, Tensor mask, Tensor bias, Tensor initialH, Tensor initialC, Tensor output,
                         int outputOffset, Tensor workspace, Tensor finalH, Tensor finalC, int threads);

    /**
     * Backpropagation through time after {@link #forwardTraining} on the same input, mask and
     * workspace, once: it overwrites the workspace's gates with their gradients. From {@code dOutput} (laid out as the output was, from {@code outputOffset}),
     * writes the input's gradient ({@code dInput} may be null: none) and those of the kernel, the recurrent kernel (Keras layout,
     * given unpacked) and the bias (may be null), and the initial states' where
     * {@code dInitialH} / {@code dInitialC} are not null, starting from the final states'
     * gradients {@code dFinalH} / {@code dFinalC} besides the output's (null: none). A masked step passes the state's
     * gradient through unchanged. Each weight gradient is one product over every step, summed in
     * a fixed order: the same bits for any thread count.
     */
    void backward(Tensor kernel, Tensor recurrentKernel, Tensor input, Tensor mask, Tensor workspace, Tensor dOutput,
                  int outputOffset, Tensor dInput, Tensor dKernel, Tensor dRecurrent, Tensor dBias, Tensor dInitialH,
                  Tensor dInitialC, Tensor dFinalH, Tensor dFinalC, int threads);

    @Override
    void close();
}

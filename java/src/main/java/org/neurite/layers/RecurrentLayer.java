package org.neurite.layers;

import java.util.Arrays;
import java.util.Random;
import org.neurite.Activation;
import org.neurite.Parameter;
import org.neurite.Tensor;
import org.neurite.backend.RnnGeometry;
import org.neurite.backend.RnnOp;

/**
 * What SimpleRNN, LSTM and GRU share, with Keras' options and weights: input
 * {@code [batch, steps, features]}; output {@code [batch, steps, units]} with
 * {@code returnSequences}, else the last state {@code [batch, units]}; kernel
 * {@code [features, gates * units]}, recurrent kernel {@code [units, gates * units]}, bias.
 * The whole sequence runs in one backend call. Masked steps (from an
 * {@code Embedding(maskZero)}) keep the state and, with {@code returnSequences}, repeat the
 * output before them, or output zeros with {@link #zeroOutputForMask}, as in Keras.
 *
 * <pre>{@code
 * model.add(new LSTM(64).returnSequences(true).goBackwards(true));
 * }</pre>
 */
public abstract class RecurrentLayer<L extends RecurrentLayer<L>> extends Layer {
    final RnnGeometry.Cell cell;
    private final int units;
    Activation activation = Activation.TANH;
    float alpha = Activation.DEFAULT_LEAKY_ALPHA;
    Activation recurrentActivation = Activation.SIGMOID;
    boolean returnSequences, goBackwards, useBias = true;
    boolean resetAfter = true;
    boolean unitForgetBias = true;
    boolean zeroOutputForMask;
    // Where outputs go, for the copies Bidirectional makes: in reverse step order, every outputStride floats.
    private boolean reverseOutput;
    private int outputStride;

    private RnnGeometry geometry;
    private Parameter kernel, recurrentKernel, bias;
    private RnnOp op;
    private volatile int packedVersion;

    RecurrentLayer(RnnGeometry.Cell cell, int units) {
        if (units <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": units must be positive, got " + units);
        this.cell = cell;
        this.units = units;
    }

    public L returnSequences(boolean returnSequences) {
        ensureNotBuilt();
        this.returnSequences = returnSequences;
        return self();
    }

    /** Reads the sequence from its last step; outputs stay in processing order, as Keras. */
    public L goBackwards(boolean goBackwards) {
        ensureNotBuilt();
        this.goBackwards = goBackwards;
        return self();
    }

    /**
     * Keras' {@code zero_output_for_mask}: with {@code returnSequences}, a masked step outputs
     * zeros; by default (false, as in Keras) it repeats the output of the step before it
     * (zeros before the first valid step). Without {@code returnSequences}, true gives zeros
     * for a sequence whose last step is masked, where false gives the last valid step's
     * output. {@link Bidirectional} sets it to {@code returnSequences} for both its layers.
     */
    public L zeroOutputForMask(boolean zeroOutputForMask) {
        ensureNotBuilt();
        this.zeroOutputForMask = zeroOutputForMask;
        return self();
    }

    public L activation(Activation activation) {
        ensureNotBuilt();
        this.activation = activation;
        return self();
    }

    /** The negative slope of {@link Activation#LEAKY_RELU} as either activation (Keras' default 0.2). */
    public L alpha(float alpha) {
        ensureNotBuilt();
        if (!Float.isFinite(alpha)) throw new IllegalArgumentException(describe() + ": leaky ReLU slope must be finite, got " + alpha);
        this.alpha = alpha;
        return self();
    }

    public L recurrentActivation(Activation recurrentActivation) {
        ensureNotBuilt();
        this.recurrentActivation = recurrentActivation;
        return self();
    }

    public L useBias(boolean useBias) {
        ensureNotBuilt();
        this.useBias = useBias;
        return self();
    }

    /** This layer as its own type, so that setters chain into the subclass's (new GRU(4).returnSequences(true).resetAfter(false)). */
    @SuppressWarnings("unchecked")
    protected final L self() {
        return (L) this;
    }

    public int units() {
        return units;
    }

    public boolean returnsSequences() {
        return returnSequences;
    }

    /**
     * A new, unbuilt layer configured as this one (Keras' Bidirectional copies the layer it
     * wraps the same way): reading the other way if {@code mirrored}, writing its outputs every
     * {@code outputStride} floats, in reverse step order if {@code reverseOutput}.
     */
    RecurrentLayer<?> copy(boolean mirrored, boolean reverseOutput, int outputStride) {
        RecurrentLayer<?> copy = switch (cell) {
            case LSTM -> new LSTM(units);
            case GRU -> new GRU(units);
            case SIMPLE -> new SimpleRNN(units);
        };
        copy.activation = activation;
        copy.alpha = alpha;
        copy.recurrentActivation = recurrentActivation;
        copy.returnSequences = returnSequences;
        copy.goBackwards = goBackwards != mirrored;
        copy.useBias = useBias;
        copy.resetAfter = resetAfter;
        copy.unitForgetBias = unitForgetBias;
        copy.reverseOutput = reverseOutput;
        copy.outputStride = outputStride;
        copy.zeroOutputForMask = returnSequences; // as Keras' Bidirectional forces it
        return copy;
    }

    /**
     * Runs into {@code output} from {@code offset} with this layer's stride (for Bidirectional),
     * from initial states (null: zeros) and into final states unless null; all already checked.
     */
    void runInto(Tensor input, Tensor mask, Tensor initialH, Tensor initialC, Tensor output, int offset, Tensor finalH,
            Tensor finalC, int threads) {
        ensurePacked().forward(input, false, mask, biasValue(), initialH, initialC, output, offset, finalH, finalC, threads);
    }

    private Tensor biasValue() {
        return bias == null ? null : bias.value();
    }

    /** The op, with the kernels repacked first if they changed. */
    private RnnOp ensurePacked() {
        if (packedVersion != kernelsVersion()) repack();
        return op;
    }

    private int kernelsVersion() {
        return kernel.version() + recurrentKernel.version();
    }

    private synchronized void repack() {
        int version = kernelsVersion();
        if (version == packedVersion) return;
        op.setKernels(kernel.value(), recurrentKernel.value());
        packedVersion = version;
    }

    public RnnGeometry geometry() {
        return geometry;
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        if (in.length != 2) throw badInput("[batch, steps, features]", in);
        if (!activation.isElementWise() || !recurrentActivation.isElementWise()) {
            throw new IllegalArgumentException(describe() + ": activations must be element-wise, not softmax");
        }
        return returnSequences ? new int[] {in[0], units} : new int[] {units};
    }

    @Override
    protected void prepare(int[] inputShape, Random random) {
        long gated = (long) cell.gates * units;
        values("recurrent kernel", units, gated);
        values("kernel", inputShape[1], gated);
        values("bias", 2, gated);
        geometry = new RnnGeometry(cell, inputShape[1], units, activation, recurrentActivation, resetAfter, goBackwards,
                returnSequences, reverseOutput, outputStride > 0 ? outputStride : units, zeroOutputForMask, alpha);
        int gu = geometry.gatedUnits();
        float limit = (float) Math.sqrt(6.0 / (geometry.inputSize() + gu));
        float[] k = new float[geometry.inputSize() * gu];
        for (int i = 0; i < k.length; i++) k[i] = (random.nextFloat() * 2f - 1f) * limit;
        kernel = addParameter("kernel", k, geometry.inputSize(), gu);
        recurrentKernel = addParameter("recurrent kernel", orthogonalRows(units, gu, random), units, gu);
        if (useBias) {
            float[] b = new float[geometry.biasSize()];
            if (cell == RnnGeometry.Cell.LSTM && unitForgetBias) Arrays.fill(b, units, 2 * units, 1f);
            bias = addParameter("bias", b, geometry.biasSize() == gu ? new int[] {gu} : new int[] {2, gu});
        }
        op = backend.rnn(geometry);
        op.setKernels(kernel.value(), recurrentKernel.value());
        packedVersion = kernelsVersion();
    }

    /** Keras' orthogonal initializer for a [rows, columns] matrix with rows <= columns: orthonormal rows. */
    private static float[] orthogonalRows(int rows, int columns, Random random) {
        double[][] q = new double[rows][columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) q[r][c] = random.nextGaussian();
            for (int p = 0; p < r; p++) { // modified Gram-Schmidt
                double dot = 0;
                for (int c = 0; c < columns; c++) dot += q[r][c] * q[p][c];
                for (int c = 0; c < columns; c++) q[r][c] -= dot * q[p][c];
            }
            double norm = 0;
            for (int c = 0; c < columns; c++) norm += q[r][c] * q[r][c];
            norm = Math.sqrt(norm);
            for (int c = 0; c < columns; c++) q[r][c] /= norm;
        }
        float[] flat = new float[rows * columns];
        for (int r = 0; r < rows; r++) for (int c = 0; c < columns; c++) flat[r * columns + c] = (float) q[r][c];
        return flat;
    }

    /** Writes {@code rows} x kernel + input bias into {@code output}: the input projection of any rows. */
    void project(Tensor rows, Tensor output, int threads) {
        int gu = geometry.gatedUnits();
        // The bias added to x W: all of it, or for GRU with reset_after its first row.
        try (Tensor inputBias = bias == null ? null : backend.allocate(gu).copyFrom(Arrays.copyOf(bias.get(), gu))) {
            ensurePacked().project(rows, inputBias, output, threads);
        }
    }

    /** Runs on {@code projected} ([batch, steps, gatedUnits], x W + input bias, made by the caller). */
    void runProjected(Tensor projected, Tensor mask, Tensor output, int threads) {
        ensurePacked().forward(projected, true, mask, biasValue(), null, null, output, 0, null, null, threads);
    }

    @Override
    protected Tensor run(Tensor input, Tensor output, int threads) {
        return runMasked(input, null, output, threads);
    }

    @Override
    protected Tensor runMasked(Tensor input, Tensor mask, Tensor output, int threads) {
        runInto(input, mask, null, null, output, 0, null, null, threads);
        return output;
    }

    @Override
    protected Tensor train(Context ctx, Tensor input, Tensor mask, Tensor output) {
        trainInto(ctx, input, mask, output, 0);
        return output;
    }

    /** The training forward pass into {@code output} from {@code offset} with this layer's stride (for Bidirectional). */
    void trainInto(Context ctx, Tensor input, Tensor mask, Tensor output, int offset) {
        if (!recurrentActivation.derivativeFromOutput(alpha)) { // the gates keep their outputs alone
            throw new UnsupportedOperationException(describe() + ": training needs a recurrent activation whose derivative"
                    + " follows from its output (not " + recurrentActivation
                    + (recurrentActivation == Activation.LEAKY_RELU ? " with slope " + alpha : "") + ")");
        }
        ctx.input = input;
        ctx.mask = mask;
        ctx.initialH = ctx.pendingH;
        ctx.initialC = ctx.pendingC;
        ctx.pendingH = ctx.pendingC = null;
        int batch = input.dim(0);
        ctx.finalH = ctx.pendingFinalStates ? ctx.buffer(backend, Context.Slot.FINAL_H, batch, new int[] {units}) : null;
        ctx.finalC = ctx.pendingFinalStates && hasCellState() ? ctx.buffer(backend, Context.Slot.FINAL_C, batch, new int[] {units}) : null;
        ctx.pendingFinalStates = false;
        ensurePacked().forwardTraining(input, mask, biasValue(), ctx.initialH, ctx.initialC, output, offset, workspace(ctx),
                ctx.finalH, ctx.finalC, ctx.threads());
        ctx.savedSpent = false;
    }

    /** The gradients {@link #backwardWithState} returns, owned by the context: the input's and the initial states'. */
    public record StateGradients(Tensor input, Tensor initialH, Tensor initialC) {}

    /**
     * A training forward pass's output and final states (c for LSTM only, else null), owned
     * by the context and valid until its next use.
     */
    public record TrainingResult(Tensor output, Tensor finalH, Tensor finalC) {}

    /**
     * The training forward pass from given initial states (Keras' {@code initial_state}; null:
     * zeros; {@code initialC} for LSTM only), which must stay unchanged until the backward pass,
     * giving the final states too (Keras' {@code return_state}), whose gradients
     * {@link #backwardWithState(Context, Tensor, Tensor, Tensor)} then takes. The last call's
     * final states may come back as this call's initial states (the next chunk of a sequence):
     * each is read before it is overwritten.
     */
    public TrainingResult forwardTrainingWithState(Context ctx, Tensor input, Tensor mask, Tensor initialH, Tensor initialC) {
        checkInputAndMask(input, mask);
        checkInitialStates(initialH, initialC, input.dim(0));
        ctx.pendingH = initialH;
        ctx.pendingC = initialC;
        ctx.pendingFinalStates = true;
        Tensor output = forwardTraining(ctx, input, mask);
        return new TrainingResult(output, ctx.finalH, ctx.finalC);
    }

    /**
     * As {@link #backward}, also giving the gradients of the initial states of the last
     * {@link #forwardTrainingWithState} (null for a state that was not given).
     */
    public StateGradients backwardWithState(Context ctx, Tensor dOutput) {
        return backwardWithState(ctx, dOutput, null, null);
    }

    /**
     * As {@link #backwardWithState(Context, Tensor)}, with the gradients of the final states
     * the last {@link #forwardTrainingWithState} gave (null: none; {@code dFinalC} for LSTM
     * only): what flowed back into them from where they were used.
     */
    public StateGradients backwardWithState(Context ctx, Tensor dOutput, Tensor dFinalH, Tensor dFinalC) {
        if ((dFinalH != null || dFinalC != null) && ctx.finalH == null) {
            throw new IllegalStateException(describe() + ": final-state gradients need a forwardTrainingWithState first");
        }
        int batch = ctx.finalH == null ? 0 : ctx.finalH.dim(0);
        int[] state = {batch, units};
        checkState("final h gradient", dFinalH, state);
        if (dFinalC != null && !hasCellState()) throw new IllegalArgumentException(describe() + ": only LSTM has a cell state");
        checkState("final c gradient", dFinalC, state);
        ctx.stateGradients = true;
        ctx.dFinalH = dFinalH;
        ctx.dFinalC = dFinalC;
        try {
            Tensor dInput = backward(ctx, dOutput, true);
            return new StateGradients(dInput, stateGradient(ctx, Context.Slot.H_GRADIENT, ctx.initialH),
                    stateGradient(ctx, Context.Slot.C_GRADIENT, ctx.initialC));
        } finally {
            ctx.stateGradients = false;
            ctx.dFinalH = ctx.dFinalC = null;
        }
    }

    private Tensor stateGradient(Context ctx, Context.Slot slot, Tensor state) {
        return ctx.stateGradients && state != null ? ctx.buffer(backend, slot, state) : null;
    }

    @Override
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        Tensor dInput = inputGradient ? inputGradient(ctx) : null;
        backpropInto(ctx, dOutput, 0, dInput);
        return dInput;
    }

    /** Backpropagates from {@code dOutput} read from {@code offset} with this layer's stride, writing {@code dInput} unless null. */
    void backpropInto(Context ctx, Tensor dOutput, int offset, Tensor dInput) {
        if (ctx.savedSpent) {
            throw new IllegalStateException(describe() + ": backward overwrites the gates its training forward pass saved;"
                    + " run forwardTraining again before another backward");
        }
        ctx.savedSpent = true;
        op.backward(kernel.value(), recurrentKernel.value(), ctx.input, ctx.mask, workspace(ctx), dOutput, offset, dInput,
                kernel.gradient(), recurrentKernel.gradient(), bias == null ? null : bias.gradient(),
                stateGradient(ctx, Context.Slot.H_GRADIENT, ctx.initialH), stateGradient(ctx, Context.Slot.C_GRADIENT,
                        ctx.initialC), ctx.dFinalH, ctx.dFinalC, ctx.threads());
    }

    private Tensor workspace(Context ctx) {
        long size = op.workspaceSize(ctx.input.dim(0), ctx.input.dim(1));
        return ctx.flat(backend, Context.Slot.SAVED, Math.toIntExact(size));
    }

    /** With returnSequences the time steps go on, and so does their mask. */
    @Override
    public Tensor computeMask(Tensor input, Tensor inputMask) {
        return returnSequences ? inputMask : null;
    }

    /** The output and the final states of a call (Keras' {@code return_state}); the caller owns all three. */
    public record Result(Tensor output, Tensor finalH, Tensor finalC) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            finalH.close();
            if (finalC != null) finalC.close();
        }
    }

    /**
     * Runs the layer from the given initial states (null: zeros; {@code initialC} for LSTM
     * only) and returns its output with the final states, as Keras' {@code return_state=True}
     * and {@code initial_state} do.
     */
    public Result forwardWithState(Tensor input, Tensor mask, Tensor initialH, Tensor initialC, int threads) {
        checkInputAndMask(input, mask);
        int batch = input.dim(0);
        checkInitialStates(initialH, initialC, batch);
        Tensor output = newOutput(batch), h = null, c = null;
        try {
            h = newState(batch);
            c = hasCellState() ? newState(batch) : null;
            runInto(input, mask, initialH, initialC, output, 0, h, c, threads); // one pass
            return new Result(output, h, c);
        } catch (RuntimeException | Error e) {
            closeAll(output, h, c);
            throw e;
        }
    }

    static void closeAll(Tensor... tensors) {
        for (Tensor t : tensors) if (t != null) t.close();
    }

    /** How many states the layer carries: h, and c for LSTM. */
    public int stateCount() {
        return hasCellState() ? 2 : 1;
    }

    /** Whether the layer has a cell state besides h (LSTM). */
    boolean hasCellState() {
        return cell == RnnGeometry.Cell.LSTM;
    }

    /** A state tensor [batch, units] the caller owns. */
    Tensor newState(int batch) {
        return backend.allocate(batch, units);
    }

    /** Throws an {@link IllegalArgumentException} naming this layer unless the states fit a batch (null states: zeros). */
    void checkInitialStates(Tensor initialH, Tensor initialC, int batch) {
        int[] state = {batch, units};
        checkState("initial h", initialH, state);
        if (initialC != null && !hasCellState()) {
            throw new IllegalArgumentException(describe() + ": only LSTM has a cell state");
        }
        checkState("initial c", initialC, state);
    }

    private void checkState(String what, Tensor state, int[] expected) {
        if (state == null) return;
        if (state.isClosed()) state.ensureOpen(describe() + " " + what);
        if (state.holdsIds()) throw new IllegalArgumentException(describe() + ": " + what + " holds int32 ids, not floats");
        if (!Arrays.equals(state.shape(), expected)) {
            throw new IllegalArgumentException(describe() + ": expected " + what + " " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(state.shape()));
        }
    }

    @Override
    public void close() {
        super.close();
        if (op != null) op.close();
        op = null;
    }
}

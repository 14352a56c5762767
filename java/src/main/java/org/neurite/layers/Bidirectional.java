package org.neurite.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.neurite.Parameter;
import org.neurite.Tensor;
import org.neurite.backend.BinaryOp;

/**
 * Runs a recurrent layer over the sequence both ways and merges the two, as Keras'
 * {@code Bidirectional}: two copies of the wrapped layer's configuration are built (the
 * wrapped layer itself stays as it was); the backward copy reads from the last step, and
 * (with {@code returnSequences}) its outputs are put back in input order before merging.
 * {@link Merge#CONCAT} (the default) costs no copy: both layers write their halves of one
 * output. Weights: the forward layer's, then the backward layer's. {@link #forwardWithState}
 * takes and gives both layers' states, as Keras' {@code initial_state} and {@code return_state}.
 *
 * <pre>{@code
 * model.add(new Bidirectional(new LSTM(64).returnSequences(true), Bidirectional.Merge.SUM));
 * }</pre>
 */
public final class Bidirectional extends Layer {
    /** Keras' merge modes. */
    public enum Merge { CONCAT, SUM, MUL, AVE }

    final RecurrentLayer<?> wrapped;
    final Merge merge;
    // Copies of the wrapped layer, made at build, which leaves the wrapped one as it was (Keras copies it too).
    private RecurrentLayer<?> forward, backward;

    public Bidirectional(RecurrentLayer<?> layer) {
        this(layer, Merge.CONCAT);
    }

    public Bidirectional(RecurrentLayer<?> layer, Merge merge) {
        if (layer.isBuilt()) throw new IllegalArgumentException("Bidirectional: the wrapped layer is already built");
        this.wrapped = layer;
        this.merge = merge;
    }

    @Override
    protected int[] outputShapeFor(int[] in) {
        if (in.length != 2) throw badInput("[batch, steps, features]", in);
        int merged = merged();
        return wrapped.returnsSequences() ? new int[] {in[0], merged} : new int[] {merged};
    }

    // Output floats per step: with CONCAT, both layers write their halves of one vector.
    private int merged() {
        return merge == Merge.CONCAT ? 2 * wrapped.units() : wrapped.units();
    }

    @Override
    protected void prepare(int[] inputShape, Random random) {
        int stride = merged();
        forward = wrapped.copy(false, false, stride);
        backward = wrapped.copy(true, true, stride);
        forward.build(name() + "_forward", inputShape, backend, random);
        backward.build(name() + "_backward", inputShape, backend, random);
    }

    @Override
    protected Tensor run(Tensor input, Tensor output, int threads) {
        return runMasked(input, null, output, threads);
    }

    @Override
    protected Tensor runMasked(Tensor input, Tensor mask, Tensor output, int threads) {
        runBoth(input, mask, NO_STATES, output, NO_STATES, threads);
        return output;
    }

    private static final Tensor[] NO_STATES = new Tensor[4];

    /**
     * Both layers into the merged {@code output}, from {@code initial} states and into
     * {@code last} states (each: forward h, forward c, backward h, backward c; null entries:
     * zeros, or not wanted).
     */
    private void runBoth(Tensor input, Tensor mask, Tensor[] initial, Tensor output, Tensor[] last, int threads) {
        if (merge == Merge.CONCAT) {
            forward.runInto(input, mask, initial[0], initial[1], output, 0, last[0], last[1], threads);
            backward.runInto(input, mask, initial[2], initial[3], output, forward.units(), last[2], last[3], threads);
            return;
        }
        forward.runInto(input, mask, initial[0], initial[1], output, 0, last[0], last[1], threads);
        try (Tensor other = backend.allocate(output.shape())) {
            backward.runInto(input, mask, initial[2], initial[3], other, 0, last[2], last[3], threads);
            backend.binary(mergeOp(), output, other, output, threads);
        }
    }

    /** How many states both layers carry: h (and c, for LSTM) of each. */
    public int stateCount() {
        return 2 * wrapped.stateCount();
    }

    /**
     * The output and the final states of a call, as Keras' {@code return_state=True} gives
     * them: the forward layer's h (and c, for LSTM), then the backward layer's (after it read
     * the sequence from its last step to its first). The caller owns every tensor.
     */
    public record Result(Tensor output, Tensor forwardH, Tensor forwardC, Tensor backwardH, Tensor backwardC)
            implements AutoCloseable {
        @Override
        public void close() {
            RecurrentLayer.closeAll(output, forwardH, forwardC, backwardH, backwardC);
        }
    }

    /**
     * Runs from initial states (Keras' {@code initial_state}: the forward layer's first, then
     * the backward layer's; null: zeros; the c states for LSTM only) and returns the output
     * with the final states.
     */
    public Result forwardWithState(Tensor input, Tensor mask, Tensor forwardH, Tensor forwardC, Tensor backwardH,
            Tensor backwardC, int threads) {
        checkInputAndMask(input, mask);
        int batch = input.dim(0);
        forward.checkInitialStates(forwardH, forwardC, batch);
        backward.checkInitialStates(backwardH, backwardC, batch);
        Tensor[] last = new Tensor[4];
        Tensor output = newOutput(batch);
        try {
            boolean cells = forward.hasCellState();
            last[0] = forward.newState(batch);
            last[1] = cells ? forward.newState(batch) : null;
            last[2] = backward.newState(batch);
            last[3] = cells ? backward.newState(batch) : null;
            runBoth(input, mask, new Tensor[] {forwardH, forwardC, backwardH, backwardC}, output, last, threads);
            return new Result(output, last[0], last[1], last[2], last[3]);
        } catch (RuntimeException | Error e) {
            RecurrentLayer.closeAll(output, last[0], last[1], last[2], last[3]);
            throw e;
        }
    }

    @Override
    protected Tensor train(Context ctx, Tensor input, Tensor mask, Tensor output) {
        Context forwardContext = ctx.child(0), backwardContext = ctx.child(1);
        if (merge == Merge.CONCAT) {
            forward.trainInto(forwardContext, input, mask, output, 0);
            backward.trainInto(backwardContext, input, mask, output, forward.units());
            return output;
        }
        Tensor forwardOutput = forwardContext.buffer(backend, Context.Slot.OUTPUT, output);
        Tensor backwardOutput = backwardContext.buffer(backend, Context.Slot.OUTPUT, output);
        forward.trainInto(forwardContext, input, mask, forwardOutput, 0);
        backward.trainInto(backwardContext, input, mask, backwardOutput, 0);
        backend.binary(mergeOp(), forwardOutput, backwardOutput, output, ctx.threads());
        return output;
    }

    @Override
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        Context forwardContext = ctx.child(0), backwardContext = ctx.child(1);
        int threads = ctx.threads();
        Tensor dForward = inputGradient ? forwardContext.buffer(backend, Context.Slot.INPUT_GRADIENT, ctx.input) : null;
        Tensor dBackward = inputGradient ? backwardContext.buffer(backend, Context.Slot.INPUT_GRADIENT, ctx.input) : null;
        if (merge == Merge.CONCAT) {
            forward.backpropInto(forwardContext, dOutput, 0, dForward);
            backward.backpropInto(backwardContext, dOutput, forward.units(), dBackward);
        } else {
            // Each layer's share of the merged output's gradient
            Tensor shareForward = forwardContext.buffer(backend, Context.Slot.PRE_GRADIENT, dOutput);
            Tensor shareBackward = backwardContext.buffer(backend, Context.Slot.PRE_GRADIENT, dOutput);
            Tensor forwardOutput = forwardContext.buffer(backend, Context.Slot.OUTPUT, dOutput);
            Tensor backwardOutput = backwardContext.buffer(backend, Context.Slot.OUTPUT, dOutput);
            switch (merge) {
                case SUM -> {
                    shareForward.copyFrom(dOutput);
                    shareBackward.copyFrom(dOutput);
                }
                case AVE -> {
                    backend.binary(BinaryOp.AVERAGE, dOutput, zeros(ctx, dOutput), shareForward, threads);
                    shareBackward.copyFrom(shareForward);
                }
                case MUL -> {
                    backend.binary(BinaryOp.MUL, dOutput, backwardOutput, shareForward, threads);
                    backend.binary(BinaryOp.MUL, dOutput, forwardOutput, shareBackward, threads);
                }
                case CONCAT -> throw new AssertionError();
            }
            forward.backpropInto(forwardContext, shareForward, 0, dForward);
            backward.backpropInto(backwardContext, shareBackward, 0, dBackward);
        }
        if (!inputGradient) return null;
        Tensor dInput = inputGradient(ctx);
        backend.binary(BinaryOp.ADD, dForward, dBackward, dInput, threads);
        return dInput;
    }

    // A zero tensor of t's shape, kept in the context.
    private Tensor zeros(Context ctx, Tensor t) {
        return ctx.buffer(backend, Context.Slot.SAVED, t);
    }

    private BinaryOp mergeOp() {
        return merge == Merge.SUM ? BinaryOp.ADD : merge == Merge.MUL ? BinaryOp.MUL : BinaryOp.AVERAGE;
    }

    @Override
    public Tensor computeMask(Tensor input, Tensor inputMask) {
        return wrapped.computeMask(input, inputMask);
    }

    /** The forward layer's, then the backward layer's. */
    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        if (forward != null) all.addAll(forward.parameters());
        if (backward != null) all.addAll(backward.parameters());
        return all;
    }

    @Override
    public int weightsVersion() {
        return (forward != null ? forward.weightsVersion() : 0) + (backward != null ? backward.weightsVersion() : 0);
    }

    @Override
    public void close() {
        if (forward != null) forward.close();
        if (backward != null) backward.close();
    }
}

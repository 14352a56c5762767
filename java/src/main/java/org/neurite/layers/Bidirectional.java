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
 * output. Weights: the forward layer's, then the backward layer's.
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
        if (merge == Merge.CONCAT) {
            forward.runInto(input, mask, output, 0, threads);
            backward.runInto(input, mask, output, forward.units(), threads);
            return output;
        }
        forward.runInto(input, mask, output, 0, threads);
        try (Tensor other = backend.allocate(output.shape())) {
            backward.runInto(input, mask, other, 0, threads);
            backend.binary(mergeOp(), output, other, output, threads);
        }
        return output;
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

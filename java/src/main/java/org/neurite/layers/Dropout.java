package org.neurite.layers;

import java.util.Random;
import org.neurite.Tensor;
import org.neurite.backend.BinaryOp;

/**
 * Keras' {@code Dropout}: in training, zeroes each input with probability {@code rate} and
 * scales the others by {@code 1 / (1 - rate)}; in {@code predict}, passes the input through
 * untouched. The masks come from a seed drawn from the model's seed and a step counter, so a
 * seeded model trains the same way on every backend and thread count.
 *
 * <pre>{@code
 * model.add(new Dense(64, Activation.RELU)).add(new Dropout(0.5f));
 * }</pre>
 */
public final class Dropout extends Layer {
    private final float rate;
    long seed, steps;

    public Dropout(float rate) {
        if (!(rate >= 0f && rate < 1f)) throw new IllegalArgumentException("Dropout: rate " + rate + " outside [0, 1)");
        this.rate = rate;
    }

    public float rate() {
        return rate;
    }

    /** Training steps taken so far; each step's mask depends on it (a model file keeps it, so training resumes exactly). */
    public long trainingSteps() {
        return steps;
    }

    public void trainingSteps(long steps) {
        if (steps < 0) throw new IllegalArgumentException(describe() + ": training steps must be >= 0, got " + steps);
        this.steps = steps;
    }

    @Override
    protected int[] outputShapeFor(int[] inputShape) {
        return inputShape;
    }

    @Override
    protected void prepare(int[] inputShape, Random random) {
        seed = random.nextLong();
    }

    /** In predict, the input itself. */
    @Override
    public boolean producesView() {
        return true;
    }

    @Override
    protected Tensor run(Tensor input, Tensor output, int threads) {
        return input;
    }

    @Override
    protected Tensor train(Context ctx, Tensor input, Tensor mask, Tensor ignored) {
        Tensor output = ctx.buffer(backend, Context.Slot.OUTPUT, input);
        Tensor keep = ctx.buffer(backend, Context.Slot.SAVED, input);
        backend.dropoutMask(rate, seed + 0xD1B54A32D192ED03L * ++steps, keep, ctx.threads());
        backend.binary(BinaryOp.MUL, input, keep, output, ctx.threads());
        return output;
    }

    @Override
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        if (!inputGradient) return null;
        Tensor dInput = inputGradient(ctx);
        backend.binary(BinaryOp.MUL, dOutput, ctx.buffer(backend, Context.Slot.SAVED, dOutput), dInput,
                ctx.threads());
        return dInput;
    }

    /** Element-wise, so time steps keep their mask. */
    @Override
    public Tensor computeMask(Tensor input, Tensor inputMask) {
        return inputMask;
    }
}

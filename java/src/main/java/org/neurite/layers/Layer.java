package org.neurite.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.neurite.Activation;
import org.neurite.Parameter;
import org.neurite.Tensor;
import org.neurite.backend.Backend;

/**
 * A layer of a {@link org.neurite.Sequential} model. Shapes exclude the batch axis, which
 * comes first in every tensor. A layer is configured, then built once for an input shape
 * and a backend (which creates and packs its weights), then run any number of times, from
 * any number of threads; for training, {@link #forwardTraining} and {@link #backward} keep
 * their state in a {@link Context}, one per concurrent step.
 *
 * <pre>{@code
 * Layer conv = new Conv2D(32, 3, Activation.RELU).name("features");
 * }</pre>
 */
public abstract class Layer implements AutoCloseable {
    /** The most floats a tensor holds: a Java array's limit, a little under 2^31. */
    static final int MAX_VALUES = Integer.MAX_VALUE - 8;
    private String name;
    private volatile boolean closed;
    private final List<Parameter> parameters = new ArrayList<>();
    private int[] inputShape;
    private int[] outputShape;
    protected Backend backend;

    /** Sets the name shown in summaries and error messages; by default the type and a number. */
    public Layer name(String name) {
        ensureNotBuilt();
        this.name = name;
        return this;
    }

    public String name() {
        return name;
    }

    /** The input shape without the batch axis; null before the layer is built. */
    public int[] inputShape() {
        return inputShape == null ? null : inputShape.clone();
    }

    /** The output shape without the batch axis; null before the layer is built. */
    public int[] outputShape() {
        return outputShape == null ? null : outputShape.clone();
    }

    /** The built shapes themselves, without the copy the public getters make: not to be modified. */
    final int[] builtInputShape() {
        return inputShape;
    }

    final int[] builtOutputShape() {
        return outputShape;
    }

    public boolean isBuilt() {
        return outputShape != null;
    }

    /** Builds the layer for {@code inputShape} (no batch axis), creating weights from {@code random}. */
    public final int[] build(String defaultName, int[] inputShape, Backend backend, Random random) {
        ensureNotBuilt();
        if (name == null) name = defaultName;
        this.backend = backend;
        int[] out = outputShapeFor(inputShape.clone());
        long[] perSample = new long[out.length];
        for (int i = 0; i < out.length; i++) perSample[i] = out[i];
        values("output per sample", perSample);
        prepare(inputShape, random);
        this.inputShape = inputShape.clone();
        this.outputShape = out;
        return out.clone();
    }

    /**
     * Runs the layer on a batch. The input is checked against the built shape first, so a
     * mismatch never reaches a kernel. The caller owns the returned tensor.
     */
    public final Tensor forward(Tensor input, int threads) {
        checkInput(input);
        return run(input, producesView() ? null : newOutput(input.dim(0)), threads);
    }

    /**
     * Runs the layer on a batch into {@code output}, a tensor of {@link #outputShape()} for the
     * input's batch that the caller reuses from call to call; returns the output, or for a layer
     * that {@link #producesView() produces a view}, that view ({@code output} is then unused).
     */
    public final Tensor forward(Tensor input, Tensor output, int threads) {
        return forward(input, null, output, threads);
    }

    /**
     * As {@link #forward(Tensor, Tensor, int)}, with the mask of the input's time steps
     * ([batch, steps], nonzero = valid; null = all valid), as Keras passes masks from an
     * {@code Embedding(mask_zero=True)} to the recurrent layers after it.
     */
    public final Tensor forward(Tensor input, Tensor mask, Tensor output, int threads) {
        checkInputAndMask(input, mask);
        if (producesView()) return run(input, null, threads);
        if (output == null || output.isClosed() || !output.hasShape(input.dim(0), outputShape)) {
            throw new IllegalArgumentException(describe() + ": expected output "
                    + Arrays.toString(withBatch(input.dim(0), outputShape)) + ", got "
                    + (output == null ? "null" : output.toString()));
        }
        return mask == null ? run(input, output, threads) : runMasked(input, mask, output, threads);
    }

    /**
     * Runs the layer on a batch for training: as {@link #forward(Tensor, Tensor, Tensor, int)},
     * keeping in {@code ctx} what {@link #backward} needs. The output belongs to {@code ctx}
     * and stays valid until its next use; the input and mask must stay unchanged until then.
     */
    public final Tensor forwardTraining(Context ctx, Tensor input, Tensor mask) {
        checkInputAndMask(input, mask);
        ctx.input = input;
        ctx.mask = mask;
        Tensor output = producesView() ? null : ctx.buffer(backend, Context.Slot.OUTPUT, input.dim(0), outputShape);
        ctx.output = train(ctx, input, mask, output);
        return ctx.output;
    }

    /**
     * Backpropagates the gradient of the loss with respect to the output of the last
     * {@link #forwardTraining} in {@code ctx}: writes (not adds) each parameter's
     * {@link Parameter#gradient() gradient} and, with {@code inputGradient}, returns the
     * input's gradient, owned by {@code ctx} (null where the input is ids, or not asked for:
     * the first layer of a model being trained needs none).
     */
    public final Tensor backward(Context ctx, Tensor dOutput, boolean inputGradient) {
        return backward(ctx, dOutput, inputGradient, false);
    }

    private Tensor backward(Context ctx, Tensor dOutput, boolean inputGradient, boolean atPreActivation) {
        checkOutputGradient(ctx, dOutput);
        return atPreActivation ? backpropFromPreActivation(ctx, dOutput, inputGradient) : backprop(ctx, dOutput, inputGradient);
    }

    private void checkOutputGradient(Context ctx, Tensor dOutput) {
        if (ctx.output == null) throw new IllegalStateException(describe() + ": backward needs a forwardTraining first");
        if (dOutput == null || dOutput.isClosed() || !dOutput.hasShapeOf(ctx.output)) {
            throw new IllegalArgumentException(describe() + ": expected an output gradient " + Arrays.toString(ctx.output.shape())
                    + ", got " + (dOutput == null ? "null" : dOutput.toString()));
        }
    }

    /** The activation the layer applies last (see {@link #backwardFromPreActivation}), or null. */
    public Activation outputActivation() {
        return null;
    }

    /**
     * As {@link #backward}, from the gradient at the input of the layer's final activation,
     * whose own backward step is skipped: a cross-entropy's gradient fused with a final
     * softmax's or sigmoid's (as {@link org.neurite.backend.Backend#loss} gives it; that
     * step is unstable where probabilities are tiny), or a max pooling's that folded in the
     * ReLU before it ({@link #backwardThrough}).
     */
    public final Tensor backwardFromPreActivation(Context ctx, Tensor dPre, boolean inputGradient) {
        if (outputActivation() == null) throw new IllegalStateException(describe() + ": ends in no activation");
        return backward(ctx, dPre, inputGradient, true);
    }

    /**
     * Whether {@link #backwardThrough} takes {@code activation}'s derivative too, where the layer
     * before this one ends in it: max pooling after a ReLU, whose gradient passes only where the
     * pooled output is positive, saves the ReLU a pass over its whole output.
     */
    public boolean foldsActivationBefore(Activation activation) {
        return false;
    }

    /**
     * As {@link #backward} with the input's gradient, taking also the derivative of {@code
     * activation}, which the layer before this one ends in and {@link #foldsActivationBefore}
     * allows: returns the gradient at that activation's input, for the layer before's {@link
     * #backwardFromPreActivation}.
     */
    public final Tensor backwardThrough(Context ctx, Tensor dOutput, Activation activation) {
        if (!foldsActivationBefore(activation)) {
            throw new IllegalStateException(describe() + ": does not fold the " + activation + " before it");
        }
        checkOutputGradient(ctx, dOutput);
        return backpropThrough(ctx, dOutput, activation);
    }

    /** The training forward pass on a checked input; by default the inference pass, which needs nothing saved. */
    protected Tensor train(Context ctx, Tensor input, Tensor mask, Tensor output) {
        return mask == null ? run(input, output, ctx.threads()) : runMasked(input, mask, output, ctx.threads());
    }

    /** The backward pass from the gradient at the final activation's input (see {@link #backwardFromPreActivation}). */
    protected Tensor backpropFromPreActivation(Context ctx, Tensor dPre, boolean inputGradient) {
        throw new IllegalStateException(describe() + ": ends in no activation");
    }

    /** The backward pass through the activation before this layer (see {@link #backwardThrough}). */
    protected Tensor backpropThrough(Context ctx, Tensor dOutput, Activation activation) {
        throw new IllegalStateException(describe() + ": does not fold the " + activation + " before it");
    }

    /** The backward pass on a checked output gradient (see {@link #backward}). */
    protected Tensor backprop(Context ctx, Tensor dOutput, boolean inputGradient) {
        throw new UnsupportedOperationException(describe() + ": training this layer is not supported yet");
    }

    /** The context's buffer for the input's gradient. */
    protected final Tensor inputGradient(Context ctx) {
        return ctx.buffer(backend, Context.Slot.INPUT_GRADIENT, ctx.input);
    }

    /**
     * The mask of this layer's output, from its input and the input's mask (Keras'
     * {@code compute_mask}); null when the output has no time steps to mask. The caller owns
     * a returned tensor other than {@code inputMask}.
     */
    public Tensor computeMask(Tensor input, Tensor inputMask) {
        return null;
    }

    /**
     * As {@link #computeMask(Tensor, Tensor)}, for a caller that calls again and again (a
     * training step, a model's predict): a new mask belongs to {@code ctx}, which keeps it
     * until the next call and reuses its storage where the layer can.
     */
    public Tensor computeMask(Context ctx, Tensor input, Tensor inputMask) {
        Tensor mask = computeMask(input, inputMask);
        return mask == null || mask == inputMask ? mask : ctx.keep(Context.Slot.MASK, mask);
    }

    /** Runs with a mask; layers that do not use masks ignore it. */
    protected Tensor runMasked(Tensor input, Tensor mask, Tensor output, int threads) {
        return run(input, output, threads);
    }

    /** What every forward checks before any backend call: the input's shape, and the mask's if given. */
    final void checkInputAndMask(Tensor input, Tensor mask) {
        checkInput(input);
        if (mask != null) checkMask(input, mask);
    }

    private void checkMask(Tensor input, Tensor mask) {
        if (mask.isClosed()) mask.ensureOpen(describe() + " mask");
        if (mask.holdsIds()) throw new IllegalArgumentException(describe() + ": a mask holds floats (nonzero = valid), not int32 ids");
        if (input.rank() < 2 || mask.rank() != 2 || mask.dim(0) != input.dim(0) || mask.dim(1) != input.dim(1)) {
            throw new IllegalArgumentException(describe() + ": expected a mask [" + input.dim(0) + ", "
                    + (input.rank() < 2 ? "?" : input.dim(1)) + "] for input " + Arrays.toString(input.shape())
                    + ", got " + Arrays.toString(mask.shape()));
        }
    }

    /** Whether the output shares the input's storage (Flatten), so no output tensor is needed. */
    public boolean producesView() {
        return false;
    }

    private void checkInput(Tensor input) {
        ensureOpen();
        if (!isBuilt()) throw new IllegalStateException(describe() + ": not built; add it to a model and build that");
        if (input == null) throw new IllegalArgumentException(describe() + ": input is null");
        if (input.isClosed()) input.ensureOpen(describe()); // the message is built only when it is needed
        if (input.rank() == 0 || !input.hasShape(input.dim(0), inputShape)) {
            throw new IllegalArgumentException(describe() + ": expected input " + batchShape(inputShape) + ", got "
                    + Arrays.toString(input.shape()));
        }
        if (input.holdsIds() && !takesIds()) {
            throw new IllegalArgumentException(describe() + ": expected float input, got int32 ids " + Arrays.toString(input.shape())
                    + " (only an Embedding reads ids)");
        }
    }

    /** Whether the layer reads int32 token ids ({@link Tensor#ids}) as well as floats. */
    protected boolean takesIds() {
        return false;
    }

    /** The trainable weights, in Keras' order (e.g. kernel, then bias). */
    public List<Parameter> parameters() {
        return List.copyOf(parameters);
    }

    /**
     * The number of values of a tensor of {@code dims}, or, where that is more than a tensor
     * holds (2^31 - 1 floats), an {@link IllegalArgumentException} naming this layer, the
     * tensor and its shape: checked before anything is allocated.
     */
    protected final int values(String tensor, long... dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0 || (d > 0 && n > MAX_VALUES / d)) {
                throw new IllegalArgumentException(describe() + ": " + tensor + " " + Arrays.toString(dims)
                        + " would hold more than the " + MAX_VALUES + " values a tensor holds");
            }
            n *= d;
        }
        return (int) n;
    }

    /** Registers a weight of this layer, initialised to {@code initial}; call from {@link #prepare}. */
    protected final Parameter addParameter(String weightName, float[] initial, int... shape) {
        Parameter p = new Parameter(weightName, backend, initial, shape);
        parameters.add(p);
        return p;
    }

    /** Moves whenever any weight changes, so that what was derived from them can be redone. */
    public int weightsVersion() {
        int sum = 0;
        for (int i = 0; i < parameters.size(); i++) sum += parameters.get(i).version(); // no iterator: asked on every call
        return sum;
    }

    /**
     * Copies of the layer's weights, shaped in Keras layout and order (e.g. a conv kernel
     * [height, width, in, out], then its bias), as Keras' {@code get_weights}; heap tensors the
     * caller may keep.
     */
    public List<Tensor> getWeights() {
        ensureOpen();
        return parameters().stream().map(p -> Tensor.heap(p.shape()).copyFrom(p.get())).toList();
    }

    /**
     * Replaces the weights with tensors of exactly the shapes {@link #getWeights} gives (Keras
     * layout and order); any other shape, a transposed kernel included, is refused naming the
     * layer, the weight, and the expected and actual shapes. The layer repacks them before its next run.
     */
    public void setWeights(Tensor... weights) {
        setWeights(Arrays.asList(weights));
    }

    public void setWeights(List<Tensor> weights) {
        checkWeights(weights);
        List<Parameter> all = parameters();
        for (int i = 0; i < all.size(); i++) all.get(i).set(weights.get(i).toArray());
    }

    /** Throws what {@link #setWeights} would throw for these weights, changing nothing. */
    public void checkWeights(List<Tensor> weights) {
        ensureOpen();
        if (!isBuilt()) throw new IllegalStateException(describe() + ": build the model before setting weights");
        List<Parameter> all = parameters();
        if (weights.size() != all.size()) {
            throw new IllegalArgumentException(describe() + ": expected " + all.size() + " weights ("
                    + String.join(", ", all.stream().map(Parameter::describe).toList()) + "), got " + weights.size());
        }
        for (int i = 0; i < all.size(); i++) {
            Parameter p = all.get(i);
            Tensor w = weights.get(i);
            if (w == null || w.isClosed() || !Arrays.equals(w.shape(), p.shape())) {
                throw new IllegalArgumentException(describe() + ": " + p.name() + " must have shape " + Arrays.toString(p.shape())
                        + ", got " + (w == null ? "null" : w.isClosed() ? "a closed tensor" : Arrays.toString(w.shape())));
            }
        }
    }

    public long parameterCount() {
        return parameters().stream().mapToLong(Parameter::size).sum();
    }

    /** Frees the weights and whatever the backend prepared; the layer cannot run afterwards. */
    @Override
    public void close() {
        closed = true;
        for (Parameter p : parameters) p.close();
    }

    /** Whether {@link #close} ran: the layer's weights and kernels are gone. */
    public boolean isClosed() {
        return closed;
    }

    /** Throws {@link IllegalStateException} if the layer is closed. */
    protected final void ensureOpen() {
        if (closed) throw new IllegalStateException(describe() + ": closed (its model was closed)");
    }

    /**
     * The output shape for an input shape, or an {@link IllegalArgumentException} naming this
     * layer; without side effects (what the layer keeps, it sets in {@link #prepare}).
     */
    protected abstract int[] outputShapeFor(int[] inputShape);

    /** Creates the weights (from {@code random}) and prepares the backend ops, once the shapes are known. */
    protected void prepare(int[] inputShape, Random random) {}

    /** Runs on a batch whose shape has been checked, into {@code output} (null for a view layer); returns the output. */
    protected abstract Tensor run(Tensor input, Tensor output, int threads);

    /** A new tensor of this layer's output shape for {@code batch} samples, from the layer's backend. */
    public Tensor newOutput(int batch) {
        return backend.allocate(withBatch(batch, outputShape));
    }

    /** "Conv2D 'conv2d_1'", for messages. */
    protected String describe() {
        return getClass().getSimpleName() + (name == null ? "" : " '" + name + "'");
    }

    protected void ensureNotBuilt() {
        if (isBuilt()) throw new IllegalStateException(describe() + ": already built; configure layers before building");
    }

    protected IllegalArgumentException badInput(String expected, int[] actual) {
        return new IllegalArgumentException(describe() + ": expected input " + expected + ", got " + batchShape(actual));
    }

    /** {batch, shape...}. */
    protected static int[] withBatch(int batch, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    protected static String batchShape(int[] shape) {
        StringBuilder s = new StringBuilder("[batch");
        for (int d : shape) s.append(", ").append(d);
        return s.append(']').toString();
    }
}

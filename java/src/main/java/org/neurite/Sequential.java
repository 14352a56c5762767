package org.neurite;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.layers.Context;
import org.neurite.layers.EmbeddingProjection;
import java.io.IOException;
import java.nio.file.Path;
import org.neurite.backend.LossKind;
import org.neurite.io.ModelFile;
import org.neurite.data.Dataset;
import org.neurite.layers.Layer;
import org.neurite.train.Evaluation;
import org.neurite.train.Fit;
import org.neurite.train.History;
import org.neurite.train.Loss;
import org.neurite.train.Metric;
import org.neurite.train.Optimizer;
import org.neurite.train.Trainer;

/**
 * A stack of layers, each feeding the next, as Keras' {@code Sequential}. Built once for
 * its input shape (lazily, on first use, or by {@link #build()}), then safe to call from
 * many threads.
 *
 * <pre>{@code
 * try (Sequential model = new Sequential(28, 28, 1)
 *         .add(new Conv2D(32, 3, Activation.RELU))
 *         .add(new MaxPool2D(2))
 *         .add(new Flatten())
 *         .add(new Dense(10, Activation.SOFTMAX))) {
 *     Tensor probabilities = model.predict(images); // images: [batch, 28, 28, 1]
 * }
 * }</pre>
 */
public final class Sequential implements AutoCloseable {
    private final int[] inputShape;
    private final List<Layer> layers = new ArrayList<>();
    private Backend backend;
    private long seed = 42;
    private int threads = Runtime.getRuntime().availableProcessors();
    private volatile boolean built;
    // Idle workspaces, one per concurrent caller at most; an ArrayDeque, as a queue of linked nodes would allocate one per call.
    private final ArrayDeque<Workspace> workspaces = new ArrayDeque<>();
    private Training training;
    private Trainer trainer;
    private volatile boolean stopRequested;
    private int fitsRunning; // guarded by this: compile must not swap the optimizer under a running fit
    private volatile boolean closed;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Floats the widest activation of one predict pass may take; larger batches run in chunks. */
    static final long CHUNK_FLOATS = 1L << 24;
    private int chunkSamples = Integer.MAX_VALUE;
    // Which model each layer was added to: a layer serves one model (weak keys: no leak).
    private static final Map<Layer, Sequential> OWNERS = new java.util.WeakHashMap<>();
    // folds[i]: layer i (an Embedding) and layer i + 1 run as one (see EmbeddingProjection), else null.
    private EmbeddingProjection[] folds;
    private volatile List<Parameter> parameters; // every layer's, once built

    /** A model for samples of {@code inputShape} (no batch axis), e.g. 28, 28, 1 for MNIST. */
    public Sequential(int... inputShape) {
        Tensor.checkedShape(inputShape);
        this.inputShape = inputShape.clone();
    }

    public synchronized Sequential add(Layer layer) {
        ensureNotBuilt();
        if (layer == null) throw new IllegalArgumentException("Sequential.add: layer is null");
        Sequential owner;
        synchronized (OWNERS) {
            owner = OWNERS.putIfAbsent(layer, this);
        }
        if (owner != null || layer.isBuilt()) {
            throw new IllegalArgumentException("Sequential.add: this " + layer.getClass().getSimpleName()
                    + (layer.name() != null ? " '" + layer.name() + "'" : "") + " already belongs to "
                    + (owner == this ? "this model" : "another model") + "; add a new layer");
        }
        layers.add(layer);
        return this;
    }

    /** Runs on this backend instead of the one {@link Backends#get()} chose. */
    public synchronized Sequential backend(Backend backend) {
        ensureNotBuilt();
        this.backend = backend;
        return this;
    }

    /** The seed of the weight initialisation (default 42), for reproducible models. */
    public synchronized Sequential seed(long seed) {
        ensureNotBuilt();
        this.seed = seed;
        return this;
    }

    public long seed() {
        return seed;
    }

    /** Threads each call may use; default all cores. Results do not depend on it. */
    public Sequential threads(int threads) {
        if (threads <= 0) throw new IllegalArgumentException("threads must be positive, got " + threads);
        this.threads = threads;
        return this;
    }

    public int threads() {
        return threads;
    }

    public synchronized Backend backend() {
        return backend != null ? backend : Backends.get();
    }

    /** Creates every layer's weights for the input shape; checks that the layers fit together. */
    public synchronized Sequential build() {
        ensureOpen("build");
        if (built) return this;
        if (layers.isEmpty()) throw new IllegalStateException("Sequential: add layers before building");
        backend = backend();
        Random random = new Random(seed);
        Map<String, Integer> counts = new HashMap<>();
        int[] shape = inputShape;
        for (Layer layer : layers) {
            String type = snakeCase(layer.getClass().getSimpleName());
            int n = counts.merge(type, 1, Integer::sum);
            shape = layer.build(n == 1 ? type : type + "_" + (n - 1), shape, backend, random);
        }
        long widest = Tensor.checkedShape(inputShape);
        for (Layer layer : layers) widest = Math.max(widest, Tensor.checkedShape(layer.outputShape()));
        chunkSamples = (int) Math.max(1, CHUNK_FLOATS / widest);
        folds = new EmbeddingProjection[layers.size()];
        for (int i = 0; i + 1 < layers.size(); i++) folds[i] = EmbeddingProjection.of(layers.get(i), layers.get(i + 1));
        built = true;
        return this;
    }

    /**
     * Runs the model on a batch {@code [batch, ...inputShape]}; the caller owns the result.
     * Intermediate activations live in a workspace reused from call to call (one per
     * concurrent caller), so steady-state calls allocate only the result.
     */
    public Tensor predict(Tensor input) {
        return predict(input, null);
    }

    /**
     * As {@link #predict(Tensor)}, with a mask of the input's time steps ({@code [batch, steps]},
     * nonzero = valid; see {@link Tensor#sequenceMask}), as Keras' {@code model(x, mask=m)}:
     * recurrent layers keep their state through masked steps (see {@link org.neurite.layers.RecurrentLayer#zeroOutputForMask}
     * for their outputs there).
     */
    public Tensor predict(Tensor input, Tensor mask) {
        return predict("predict", input, mask, null);
    }

    /** A prediction and its mask; the caller owns both. */
    public record MaskedPrediction(Tensor output, Tensor mask) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            if (mask != null) mask.close();
        }
    }

    /**
     * As {@link #predict(Tensor, Tensor)}, with the mask Keras attaches to the output: where its
     * rows ({@code [batch, steps]} of a sequence output) are valid, as the loss and the metrics
     * count them; null when the last layer passes no mask on (an Embedding with maskZero, or a
     * mask given here, passed on by every layer after it).
     */
    public MaskedPrediction predictWithMask(Tensor input, Tensor mask) {
        Tensor[] outputMask = new Tensor[1];
        Tensor output = predict("predictWithMask", input, mask, outputMask);
        return new MaskedPrediction(output, outputMask[0]);
    }

    // With outputMask, outputMask[0] gets a copy of the output's mask (or stays null).
    private Tensor predict(String call, Tensor input, Tensor mask, Tensor[] outputMask) {
        Lock inFlight = enter(call);
        try {
            if (input == null) throw new IllegalArgumentException("Sequential." + call + ": input is null");
            input.ensureOpen(outputMask == null ? "Sequential.predict" : "Sequential.predictWithMask"); // no message built per call
            int batch = input.rank() > 0 ? input.dim(0) : 0;
            if (batch > chunkSamples) return predictInChunks(input, mask, batch, outputMask);
            return predictBatch(input, mask, outputMask);
        } finally {
            inFlight.unlock();
        }
    }

    /**
     * Starts an inference call on the open, built model; the caller unlocks the result when it
     * ends. Calls share the model; {@link #close} waits for those running, so none sees freed
     * kernels, and later ones find it closed.
     */
    private Lock enter(String call) {
        ensureOpen(call);
        // built before the lock: build() takes the monitor, which close() holds while it waits for the lock
        if (!built) build(); // the volatile read spares concurrent callers the monitor once built
        Lock inFlight = lifecycle.readLock();
        inFlight.lock();
        try {
            ensureOpen(call);
            return inFlight;
        } catch (RuntimeException e) {
            inFlight.unlock();
            throw e;
        }
    }

    /**
     * A batch whose activations would outgrow what a tensor holds (or {@link #CHUNK_FLOATS})
     * runs in chunks of samples, each through the layers as one batch, into one result: a
     * seed CNN batch of 25,000 needs 2.2 GB for its first convolution's output alone.
     */
    private Tensor predictInChunks(Tensor input, Tensor mask, int batch, Tensor[] outputMask) {
        if (!input.hasShape(batch, inputShape)) { // the first layer names the mismatch
            return predictBatch(input, mask, outputMask);
        }
        int[] out = outputShape(), shape = new int[out.length + 1];
        shape[0] = batch;
        System.arraycopy(out, 0, shape, 1, out.length);
        long resultSize = (long) batch * Tensor.checkedShape(out);
        if (resultSize > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("Sequential.predict: the result for " + batch + " samples, " + Arrays.toString(shape)
                    + ", would hold more than a tensor's 2^31 - 1 values; predict fewer samples at a time");
        }
        Tensor result = backend.allocate(shape);
        Tensor[] chunkMask = outputMask == null ? null : new Tensor[1];
        int chunk = chunkSamples;
        try (Tensor part = allocateLike(input, withBatch(chunk, input.shape()));
             Tensor maskPart = mask == null ? null : backend.allocate(withBatch(chunk, mask.shape()))) {
            for (int from = 0; from < batch; from += chunk) {
                int n = Math.min(chunk, batch - from);
                Tensor x = n == chunk ? part : allocateLike(input, withBatch(n, input.shape()));
                Tensor m = mask == null ? null : n == chunk ? maskPart : backend.allocate(withBatch(n, mask.shape()));
                try {
                    Tensor.copyRows(input, from, x, 0, n);
                    if (m != null) Tensor.copyRows(mask, from, m, 0, n);
                    try (Tensor y = predictBatch(x, m, chunkMask); Tensor yMask = chunkMask == null ? null : chunkMask[0]) {
                        Tensor.copyRows(y, 0, result, from, n);
                        if (yMask != null) {
                            if (outputMask[0] == null) outputMask[0] = backend.allocate(withBatch(batch, yMask.shape()));
                            Tensor.copyRows(yMask, 0, outputMask[0], from, n);
                        }
                    }
                } finally {
                    if (x != part) x.close();
                    if (m != null && m != maskPart) m.close();
                }
            }
            return result;
        } catch (RuntimeException | Error e) {
            result.close();
            if (outputMask != null && outputMask[0] != null) outputMask[0].close();
            throw e;
        }
    }

    /** A copy of {@code t} in this model's backend's storage (int32 ids stay ids). */
    private Tensor onBackend(Tensor t) {
        return allocateLike(t, t.shape()).copyFrom(t);
    }

    /** Zeros of {@code shape} in this model's backend's storage, holding ids if {@code like} does. */
    private Tensor allocateLike(Tensor like, int[] shape) {
        return like.holdsIds() ? backend.allocateIds(shape) : backend.allocate(shape);
    }

    private static int[] withBatch(int batch, int[] shape) {
        int[] s = shape.clone();
        s[0] = batch;
        return s;
    }

    private Tensor predictBatch(Tensor input, Tensor mask, Tensor[] outputMask) {
        Workspace workspace;
        synchronized (workspaces) {
            workspace = workspaces.poll();
        }
        if (workspace == null) workspace = new Workspace(layers.size());
        Tensor converted = backend.accepts(input) ? null : onBackend(input);
        Tensor convertedMask = mask == null || backend.accepts(mask) ? null : onBackend(mask);
        if (convertedMask != null) mask = convertedMask;
        try {
            Tensor current = converted != null ? converted : input;
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                EmbeddingProjection fold = folds[i];
                if (fold != null) { // this Embedding and the recurrent layer after it, as one
                    fold.check(current, mask);
                    Tensor layerMask = layer.computeMask(workspace.context(i), current, mask);
                    Layer recurrent = layers.get(++i);
                    Tensor output = workspace.output(i, recurrent, current.dim(0));
                    fold.forward(current, layerMask, workspace.projection(i, fold, current.dim(0)), output, threads);
                    mask = recurrent.computeMask(null, layerMask);
                    current = output;
                    continue;
                }
                Tensor next;
                if (layer.producesView()) {
                    next = workspace.view(i, current);
                    if (next == null) next = workspace.keepView(i, current, layer.forward(current, mask, null, threads));
                } else {
                    next = layer.forward(current, mask, workspace.output(i, layer, current.dim(0)), threads); // checks the input first
                }
                Tensor nextMask = layer.computeMask(workspace.context(i), current, mask);
                current = next;
                mask = nextMask;
            }
            if (outputMask != null) outputMask[0] = mask == null ? null : backend.allocate(mask.shape()).copyFrom(mask);
            return backend.allocate(current.shape()).copyFrom(current);
        } finally {
            if (converted != null) converted.close();
            if (convertedMask != null) convertedMask.close();
            synchronized (workspaces) {
                workspaces.offer(workspace);
            }
        }
    }

    /**
     * A model's output with the final states of its recurrent layers (see
     * {@link #predictWithStates}); the caller owns every tensor, and closing this closes them.
     *
     * @param states each recurrent layer's final states by layer name, in layer order: h (and
     *     c, for LSTM); for a {@link org.neurite.layers.Bidirectional}, the forward layer's,
     *     then the backward layer's, as Keras' {@code return_state=True} lists them
     */
    public record Prediction(Tensor output, Map<String, List<Tensor>> states) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            for (List<Tensor> layerStates : states.values()) for (Tensor t : layerStates) if (t != null) t.close();
        }
    }

    /**
     * Runs the model as {@link #predict(Tensor, Tensor)}, with every recurrent layer taking its
     * initial states from {@code initialStates} (by layer name, in the order {@link Prediction}
     * gives them; a layer not named starts from zeros) and giving its final states, as Keras'
     * {@code initial_state} and {@code return_state}: pass one call's states to the next to run
     * a long sequence in chunks. The layers run one by one, none folded into another, on the
     * whole batch at once (unlike predict, which splits a batch too large for its activations).
     *
     * @throws IllegalArgumentException if a name is not one of the model's recurrent layers, or
     *     a layer's states are not as many as it has, or of the wrong shape
     */
    public Prediction predictWithStates(Tensor input, Tensor mask, Map<String, List<Tensor>> initialStates) {
        Lock inFlight = enter("predictWithStates");
        try {
            return runWithStates(input, mask, initialStates == null ? Map.of() : initialStates);
        } finally {
            inFlight.unlock();
        }
    }

    private Prediction runWithStates(Tensor input, Tensor mask, Map<String, List<Tensor>> initialStates) {
        Map<String, Layer> byName = new HashMap<>();
        for (Layer layer : layers) byName.put(layer.name(), layer);
        for (Map.Entry<String, List<Tensor>> e : initialStates.entrySet()) {
            Layer layer = byName.get(e.getKey());
            int count = stateCount(layer);
            if (count == 0) {
                throw new IllegalArgumentException("Sequential.predictWithStates: initial states for '" + e.getKey()
                        + "', which is not a recurrent layer of this model");
            }
            if (e.getValue() == null || e.getValue().size() != count) {
                throw new IllegalArgumentException(layer.getClass().getSimpleName() + " '" + layer.name() + "': expected " + count + " initial states, got "
                        + (e.getValue() == null ? "null" : e.getValue().size()));
            }
        }
        Map<String, List<Tensor>> finalStates = new java.util.LinkedHashMap<>();
        Tensor output = runLayerByLayer("predictWithStates", input, mask, initialStates, finalStates).get(0);
        return new Prediction(output, java.util.Collections.unmodifiableMap(finalStates));
    }

    /**
     * The layer's output from its initial states, its final states put in {@code finalStates},
     * for a recurrent layer (or a Bidirectional one); null for any other layer.
     */
    private Tensor forwardWithStates(Layer layer, Tensor input, Tensor mask, List<Tensor> initial,
            Map<String, List<Tensor>> finalStates) {
        if (layer instanceof org.neurite.layers.RecurrentLayer<?> r) {
            org.neurite.layers.RecurrentLayer.Result out = r.forwardWithState(input, mask, state(initial, 0), state(initial, 1),
                    threads);
            finalStates.put(layer.name(), states(out.finalH(), out.finalC()));
            return out.output();
        }
        if (layer instanceof org.neurite.layers.Bidirectional b) {
            int c = b.stateCount() / 4; // 1 where each direction has a c state (LSTM)
            org.neurite.layers.Bidirectional.Result out = b.forwardWithState(input, mask, state(initial, 0),
                    c == 1 ? state(initial, 1) : null, state(initial, 1 + c), c == 1 ? state(initial, 3) : null, threads);
            finalStates.put(layer.name(), states(out.forwardH(), out.forwardC(), out.backwardH(), out.backwardC()));
            return out.output();
        }
        return null;
    }

    // How many states a layer takes and gives: h (and c for LSTM), twice for Bidirectional; 0 for a layer without.
    private static int stateCount(Layer layer) {
        if (layer instanceof org.neurite.layers.RecurrentLayer<?> r) return r.stateCount();
        if (layer instanceof org.neurite.layers.Bidirectional b) return b.stateCount();
        return 0;
    }

    // Keras' state lists, LSTM's c states included where they exist.
    private static List<Tensor> states(Tensor... states) {
        return java.util.Arrays.stream(states).filter(java.util.Objects::nonNull).toList();
    }

    // The index-th initial state in Keras' order, or null (zeros).
    private static Tensor state(List<Tensor> initial, int index) {
        return initial == null || index >= initial.size() ? null : initial.get(index);
    }

    /**
     * Every layer's output for a batch, in layer order (what Keras gives with a model whose
     * outputs are each layer's output), each a tensor the caller owns. The layers run one by
     * one, with the masks they pass on, and none folded into another.
     */
    public List<Tensor> outputsOf(Tensor input, Tensor mask) {
        Lock inFlight = enter("outputsOf");
        try {
            return runLayerByLayer("outputsOf", input, mask, null, null);
        } finally {
            inFlight.unlock();
        }
    }

    /**
     * Runs the layers one by one, none folded into another, and returns every layer's output,
     * each a tensor the caller owns. With {@code finalStates}, recurrent layers run from
     * {@code initialStates} (by layer name) and put their final states there, and only the last
     * output is returned: each is freed once the next layer has read it.
     */
    private List<Tensor> runLayerByLayer(String call, Tensor input, Tensor mask, Map<String, List<Tensor>> initialStates,
            Map<String, List<Tensor>> finalStates) {
        if (input == null) throw new IllegalArgumentException("Sequential." + call + ": input is null");
        input.ensureOpen("Sequential." + call);
        List<Tensor> outputs = new ArrayList<>(), owned = new ArrayList<>();
        try {
            Tensor current = backend.accepts(input) ? input : keep(owned, onBackend(input));
            if (mask != null && !backend.accepts(mask)) mask = keep(owned, onBackend(mask));
            for (Layer layer : layers) {
                Tensor next = finalStates == null ? null
                        : forwardWithStates(layer, current, mask, initialStates.get(layer.name()), finalStates);
                if (next != null) {
                    outputs.add(next);
                } else {
                    Tensor output = layer.producesView() ? null : layer.newOutput(current.dim(0));
                    next = layer.forward(current, mask, output, threads);
                    outputs.add(output != null ? output : backend.allocate(next.shape()).copyFrom(next));
                }
                Tensor nextMask = layer.computeMask(current, mask);
                if (nextMask != null && nextMask != mask) keep(owned, nextMask);
                current = outputs.get(outputs.size() - 1); // a view layer's copy: what it views may be freed next
                mask = nextMask;
                if (finalStates != null && outputs.size() > 1) outputs.remove(0).close();
            }
            return outputs;
        } catch (RuntimeException | Error e) {
            for (Tensor t : outputs) t.close();
            if (finalStates != null) for (List<Tensor> layerStates : finalStates.values()) for (Tensor t : layerStates) t.close();
            throw e;
        } finally {
            for (Tensor t : owned) t.close();
        }
    }

    private static Tensor keep(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }

    /**
     * Runs a training forward pass on a batch, keeping what {@link #backward} needs; unlike
     * {@link #predict} it never folds layers together, so every layer's gradient exists.
     * The output belongs to the model and stays valid until the next training call, as does
     * the input, which must not change before {@link #backward}. Training calls are
     * serialised: one step at a time per model.
     */
    public synchronized Tensor forwardTraining(Tensor input, Tensor mask) {
        ensureOpen("forwardTraining");
        if (!built) build();
        if (input == null) throw new IllegalArgumentException("Sequential.forwardTraining: input is null");
        input.ensureOpen("Sequential.forwardTraining");
        if (training == null) training = new Training(layers.size(), threads);
        return training.forward(input, mask);
    }

    /**
     * Backpropagates {@code dOutput}, the loss' gradient with respect to the output of the
     * last {@link #forwardTraining}, through every layer: each {@link Parameter#gradient()}
     * then holds the gradient of that step (written, not added). Returns the gradient with
     * respect to the input, owned by the model as the output is (null where the input is ids).
     */
    public Tensor backward(Tensor dOutput) {
        return backward(dOutput, true);
    }

    /** As {@link #backward(Tensor)}; without {@code inputGradient} (a training step) the first layer skips it and null is returned. */
    public synchronized Tensor backward(Tensor dOutput, boolean inputGradient) {
        if (training == null || !training.ran) {
            throw new IllegalStateException("Sequential.backward: call forwardTraining first");
        }
        Tensor gradient = backend.accepts(dOutput) ? dOutput : training.converted(dOutput);
        return backpropagate(layers.size() - 1, gradient, false, inputGradient);
    }

    /**
     * Backpropagates {@code gradient} from layer {@code from} down to the first; {@code
     * atPreActivation}: it is the gradient at the input of that layer's final activation. A layer
     * that folds the activation the layer before it ends in (max pooling after a ReLU) hands
     * that layer the gradient at the activation's input.
     */
    private Tensor backpropagate(int from, Tensor gradient, boolean atPreActivation, boolean inputGradient) {
        for (int i = from; i >= 0 && gradient != null; i--) {
            Layer layer = layers.get(i);
            Context ctx = training.contexts[i];
            Activation before = i > 0 ? layers.get(i - 1).outputActivation() : null;
            boolean folds = !atPreActivation && before != null && layer.foldsActivationBefore(before);
            if (folds) gradient = layer.backwardThrough(ctx, gradient, before);
            else if (atPreActivation) gradient = layer.backwardFromPreActivation(ctx, gradient, inputGradient || i > 0);
            else gradient = layer.backward(ctx, gradient, inputGradient || i > 0);
            atPreActivation = folds;
        }
        return gradient;
    }

    /**
     * The backward pass of a training step from a loss: computes the loss of the last
     * {@link #forwardTraining}'s output against {@code targets} (a class id per output row for
     * sparse categorical cross-entropy, else the output's shape), each row weighted by {@code
     * rowWeights} (null: 1), and backpropagates its gradient through every layer, skipping the
     * first layer's input gradient. After a final softmax (categorical cross-entropies) or
     * sigmoid (binary) the loss's gradient is fused with the activation's. Returns the loss.
     * Where the output has a mask ({@link #trainingOutputMask}), the loss is Keras': the
     * weighted mean over the valid rows alone (0 if there are none); masked rows get no gradient.
     */
    public synchronized float backward(Loss loss, Tensor targets, Tensor rowWeights) {
        if (training == null || !training.ran) throw new IllegalStateException("Sequential.backward: call forwardTraining first");
        Tensor output = training.output;
        int cols = output.dim(-1);
        long rows = output.size() / cols;
        long expected = loss.sparse() ? rows : output.size();
        if (targets == null || targets.isClosed() || targets.size() != expected) {
            throw new IllegalArgumentException("Sequential: " + loss.name() + " expects " + (loss.sparse()
                    ? rows + " class ids, one per row of the output " : "targets of the output's shape ")
                    + Arrays.toString(output.shape()) + ", got " + (targets == null ? "null" : targets));
        }
        if (rowWeights != null && (rowWeights.isClosed() || rowWeights.size() != rows)) {
            throw new IllegalArgumentException("Sequential: expected " + rows + " row weights, got " + rowWeights);
        }
        int last = layers.size() - 1;
        Layer outputLayer = layers.get(last);
        Activation activation = outputLayer.outputActivation();
        boolean fused = !loss.isFromLogits() && ((loss.kind().categorical() && activation == Activation.SOFTMAX)
                || (loss.kind() == LossKind.BINARY_CROSSENTROPY && activation == Activation.SIGMOID));
        LossKind.Input input = loss.isFromLogits() ? LossKind.Input.LOGITS : fused ? LossKind.Input.ACTIVATED : LossKind.Input.OUTPUT;
        Tensor dOutput = training.outputGradient(output);
        Tensor weights = training.outputMask != null ? training.maskedRowWeights(rowWeights, rows)
                : rowWeights == null || backend.accepts(rowWeights) ? rowWeights : training.converted(rowWeights);
        float value = backend.loss(loss.kind(), input, output, backend.accepts(targets) ? targets : training.converted(targets),
                weights, dOutput, threads);
        backpropagate(last, dOutput, fused, false);
        return value;
    }

    /**
     * Sets how {@link #fit} trains: the optimizer (which keeps its state from fit to fit), the
     * loss, and the metrics reported besides it. Compiling with another optimizer than the last
     * one drops the state the parameters keep for the old one (Adam's moments, momentum) and
     * starts the new one from step 0: as in Keras, a new optimizer starts from zero, and here one
     * compiled again after another does too. Not while {@link #fit} runs.
     */
    public synchronized Sequential compile(Optimizer optimizer, Loss loss, Metric... metrics) {
        if (optimizer == null || loss == null) throw new IllegalArgumentException("Sequential.compile: optimizer and loss are required");
        if (fitsRunning > 0) throw new IllegalStateException("Sequential.compile: fit is running; compile before or after it");
        Trainer next = new Trainer(this, optimizer, loss, List.of(metrics)); // checks them before any state changes
        if (trainer != null && trainer.optimizer() != optimizer && built) {
            for (Parameter p : parameters()) p.clearSlots();
            optimizer.iterations(0);
        }
        trainer = next;
        return this;
    }

    /** The optimizer given to {@link #compile}. */
    public synchronized Optimizer optimizer() {
        return compiled("optimizer").optimizer();
    }

    /** Trains on {@code x} ({@code [n, ...inputShape]}) and targets {@code y} for {@code epochs} epochs of batches of {@code batchSize}. */
    public History fit(Tensor x, Tensor y, int epochs, int batchSize) {
        return fit(Dataset.of(x, y), Fit.epochs(epochs).batchSize(batchSize));
    }

    public History fit(Tensor x, Tensor y, Fit options) {
        return fit(Dataset.of(x, y), options);
    }

    /** Trains as Keras' {@code fit}; see {@link Fit} for the options. */
    public History fit(Dataset data, Fit options) {
        Trainer t;
        synchronized (this) {
            t = compiled("fit");
            stopRequested = false;
            fitsRunning++;
        }
        try {
            return t.fit(data, options);
        } finally {
            synchronized (this) {
                fitsRunning--;
            }
        }
    }

    /** The loss and metrics of the model on {@code x} and targets {@code y}, in batches of 32. */
    public Evaluation evaluate(Tensor x, Tensor y) {
        return evaluate(Dataset.of(x, y), 32);
    }

    public Evaluation evaluate(Dataset data, int batchSize) {
        return compiled("evaluate").evaluate(data, batchSize);
    }

    /** One training step on a batch (Keras' {@code train_on_batch}); returns its loss. */
    public float trainOnBatch(Tensor x, Tensor y) {
        return compiled("trainOnBatch").step(x, y, null, null);
    }

    public synchronized boolean isCompiled() {
        return trainer != null;
    }

    /** The loss given to {@link #compile}. */
    public synchronized Loss loss() {
        return compiled("loss").loss();
    }

    /** The metrics given to {@link #compile}. */
    public synchronized List<Metric> metrics() {
        return compiled("metrics").metrics();
    }

    /**
     * Writes the model to one safetensors file (see {@link ModelFile}): weights, architecture
     * and, if compiled, the training state. The write is atomic: a failed save leaves the
     * previous file as it was.
     */
    public void save(Path path) throws IOException {
        save(path, true);
    }

    /** As {@link #save(Path)}; without {@code withTrainingState} only the architecture and weights. */
    public synchronized void save(Path path, boolean withTrainingState) throws IOException {
        ModelFile.save(build(), path, withTrainingState);
    }

    /** A model read from a file {@link #save} wrote, compiled if the file holds a training state. */
    public static Sequential load(Path path) throws IOException {
        return ModelFile.load(path, null);
    }

    public static Sequential load(Path path, Backend backend) throws IOException {
        return ModelFile.load(path, backend);
    }

    /** Asks a running {@link #fit} to stop after the current epoch (callbacks call it). */
    public void stopTraining() {
        stopRequested = true;
    }

    /** Whether {@link #stopTraining} was called during the current fit. */
    public boolean stopRequested() {
        return stopRequested;
    }

    private Trainer compiled(String what) {
        ensureOpen(what);
        if (trainer == null) throw new IllegalStateException("Sequential." + what + ": call compile(optimizer, loss, metrics) first");
        return trainer;
    }

    /** The trainable weights of every layer, in order (Keras' {@code model.trainable_weights}); an unmodifiable list. */
    public List<Parameter> parameters() {
        build();
        List<Parameter> all = parameters;
        if (all == null) { // made once: a training step asks for it every time
            List<Parameter> collected = new ArrayList<>();
            for (Layer layer : layers) collected.addAll(layer.parameters());
            parameters = all = List.copyOf(collected);
        }
        return all;
    }

    /** Copies of every layer's weights, shaped, in layer order (Keras' {@code model.get_weights()}). */
    public List<Tensor> getWeights() {
        build();
        List<Tensor> all = new ArrayList<>();
        for (Layer layer : layers) all.addAll(layer.getWeights());
        return all;
    }

    /** Sets every layer's weights from tensors of the shapes {@link #getWeights} gives, in that order; any other shape is refused. */
    public synchronized void setWeights(List<Tensor> weights) {
        build();
        int expected = parameters().size();
        if (weights.size() != expected) {
            throw new IllegalArgumentException("Sequential.setWeights: the model has " + expected + " weights, got " + weights.size());
        }
        int at = 0;
        for (Layer layer : layers) { // all checked before any is set
            int n = layer.parameters().size();
            layer.checkWeights(weights.subList(at, at + n));
            at += n;
        }
        at = 0;
        for (Layer layer : layers) {
            int n = layer.parameters().size();
            layer.setWeights(weights.subList(at, at + n));
            at += n;
        }
    }

    /**
     * The mask of the last {@link #forwardTraining}'s output, as {@link #predictWithMask} gives
     * it: null when the output has none. It belongs to the model and stays valid until the next
     * training call.
     */
    public synchronized Tensor trainingOutputMask() {
        if (training == null || !training.ran) throw new IllegalStateException("Sequential.trainingOutputMask: call forwardTraining first");
        return training.outputMask;
    }

    /** The per-layer contexts of training steps, and the masks and copies a step made. */
    private final class Training implements AutoCloseable {
        final Context[] contexts;
        final List<Tensor> owned = new ArrayList<>();
        boolean ran;
        Tensor output, outputMask, outputGradient, maskedWeights;
        float[] maskValues, weightValues;

        Training(int count, int threads) {
            contexts = new Context[count];
            for (int i = 0; i < count; i++) contexts[i] = new Context(threads);
        }

        Tensor forward(Tensor input, Tensor mask) {
            release();
            ran = false;
            Tensor current = backend.accepts(input) ? input : converted(input);
            if (mask != null && !backend.accepts(mask)) mask = converted(mask);
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                Tensor next = layer.forwardTraining(contexts[i], current, mask);
                Tensor nextMask = layer.computeMask(contexts[i], current, mask);
                current = next;
                mask = nextMask;
            }
            outputMask = mask;
            ran = true;
            return output = current;
        }

        /** {@link Loss#maskedRowWeights} of the output's mask, in a tensor kept while the rows stay. */
        Tensor maskedRowWeights(Tensor rowWeights, long rows) {
            if (outputMask.size() != rows) {
                Layer last = layers.get(layers.size() - 1);
                throw new IllegalStateException(last.getClass().getSimpleName() + " '" + last.name() + "' passes on a mask of "
                        + Arrays.toString(outputMask.shape()) + ", which does not give one value per row of its output "
                        + Arrays.toString(output.shape()));
            }
            int n = Math.toIntExact(rows);
            if (maskedWeights == null || maskedWeights.size() != n) {
                if (maskedWeights != null) maskedWeights.close();
                maskedWeights = backend.allocate(n);
                maskValues = new float[n];
                weightValues = new float[n];
            }
            float[] w = rowWeights == null ? null : rowWeights.copyTo(weightValues);
            return maskedWeights.copyFrom(Loss.maskedRowWeights(outputMask.copyTo(maskValues), w, weightValues));
        }

        /** A buffer for the loss's gradient, kept while the output's shape stays. */
        Tensor outputGradient(Tensor like) {
            if (outputGradient == null || !outputGradient.hasShapeOf(like)) {
                if (outputGradient != null) outputGradient.close();
                outputGradient = backend.allocate(like.shape());
            }
            return outputGradient;
        }

        Tensor converted(Tensor t) {
            Tensor copy = onBackend(t);
            owned.add(copy);
            return copy;
        }

        private void release() {
            for (int i = 0; i < owned.size(); i++) owned.get(i).close(); // no iterator: a step allocates nothing
            owned.clear();
        }

        @Override
        public void close() {
            release();
            if (outputGradient != null) outputGradient.close();
            if (maskedWeights != null) maskedWeights.close();
            for (Context c : contexts) c.close();
        }
    }

    /**
     * Each layer's output tensor (and a fold's projected input, and a view layer's view of its
     * input), kept for the next call with the same batch size, so that a steady-state call
     * allocates nothing but its result.
     */
    private static final class Workspace implements AutoCloseable {
        private final Tensor[] outputs, projections, views;
        private final Context[] contexts; // where a layer keeps the mask it computes

        Workspace(int layers) {
            outputs = new Tensor[layers];
            projections = new Tensor[layers];
            views = new Tensor[layers];
            contexts = new Context[layers];
        }

        Context context(int index) {
            Context c = contexts[index];
            return c != null ? c : (contexts[index] = new Context(1));
        }

        Tensor output(int index, Layer layer, int batch) {
            Tensor t = reusable(outputs, index, batch);
            return t != null ? t : (outputs[index] = layer.newOutput(batch));
        }

        // The projected input of the recurrent layer at `index`.
        Tensor projection(int index, EmbeddingProjection fold, int batch) {
            Tensor t = reusable(projections, index, batch);
            return t != null ? t : (projections[index] = fold.newProjected(batch));
        }

        /** The view the layer at {@code index} made of {@code input} in an earlier call, or null. */
        Tensor view(int index, Tensor input) {
            Tensor v = views[index];
            return v != null && v.isViewOf(input) && !v.isClosed() ? v : null;
        }

        Tensor keepView(int index, Tensor input, Tensor view) {
            // Only views of this workspace's own tensors last from call to call.
            if (view.isViewOf(input) && (contains(outputs, input) || contains(projections, input))) views[index] = view;
            return view;
        }

        private static boolean contains(Tensor[] tensors, Tensor t) {
            for (Tensor u : tensors) if (u == t) return true;
            return false;
        }

        private static Tensor reusable(Tensor[] slots, int index, int batch) {
            Tensor t = slots[index];
            if (t != null && t.dim(0) == batch) return t;
            if (t != null) t.close();
            slots[index] = null;
            return null;
        }

        @Override
        public void close() {
            for (Tensor t : outputs) if (t != null) t.close();
            for (Tensor t : projections) if (t != null) t.close();
            for (Context c : contexts) if (c != null) c.close();
        }
    }

    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    public Layer layer(String name) {
        build();
        return layers.stream().filter(l -> name.equals(l.name())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer named " + name));
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int[] outputShape() {
        build();
        return layers.get(layers.size() - 1).outputShape();
    }

    /** A table of layers, output shapes and parameter counts, as Keras prints. */
    public String summary() {
        build();
        StringBuilder s = new StringBuilder();
        String format = "%-28s %-22s %12s%n";
        s.append(String.format(format, "Layer (type)", "Output shape", "Param #"));
        long total = 0;
        for (Layer layer : layers) {
            long params = layer.parameterCount();
            total += params;
            s.append(String.format(format, layer.name() + " (" + layer.getClass().getSimpleName() + ")",
                    "(None, " + Arrays.toString(layer.outputShape()).replaceAll("[\\[\\]]", "") + ")", params));
        }
        s.append("Total params: ").append(total).append(System.lineSeparator());
        s.append("Backend: ").append(backend.name()).append(", threads: ").append(threads).append(System.lineSeparator());
        return s.toString();
    }

    /**
     * Frees every layer's packed weights and the workspaces. Predicts already running finish
     * first; later calls throw {@link IllegalStateException} "model closed".
     */
    @Override
    public synchronized void close() {
        Lock exclusive = lifecycle.writeLock();
        exclusive.lock(); // after the predicts already running; later ones find the model closed
        try {
            closeAll();
        } finally {
            exclusive.unlock();
        }
    }

    private void closeAll() {
        closed = true;
        if (folds != null) for (EmbeddingProjection fold : folds) if (fold != null) fold.close();
        for (Layer layer : layers) layer.close();
        synchronized (workspaces) {
            for (Workspace w; (w = workspaces.poll()) != null; ) w.close();
        }
        if (training != null) training.close();
        training = null;
    }

    /** Whether {@link #close} ran. */
    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen(String call) {
        if (closed) throw new IllegalStateException("Sequential." + call + ": model closed");
    }

    private void ensureNotBuilt() {
        if (built) throw new IllegalStateException("Sequential: already built; configure before the first build or predict");
    }

    private static String snakeCase(String type) {
        return type.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}

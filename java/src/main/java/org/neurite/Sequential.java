package org.neurite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.layers.Layer;

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

    /** A model for samples of {@code inputShape} (no batch axis), e.g. 28, 28, 1 for MNIST. */
    public Sequential(int... inputShape) {
        Tensor.checkedShape(inputShape);
        this.inputShape = inputShape.clone();
    }

    public synchronized Sequential add(Layer layer) {
        ensureNotBuilt();
        if (layer == null) throw new IllegalArgumentException("Sequential.add: layer is null");
        if (layer.isBuilt() || layers.contains(layer)) {
            throw new IllegalArgumentException("Sequential.add: layer " + layer.name() + " already belongs to a model");
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
        built = true;
        return this;
    }

    /** Runs the model on a batch {@code [batch, ...inputShape]}; the caller owns the result. */
    public Tensor predict(Tensor input) {
        build();
        if (input == null) throw new IllegalArgumentException("Sequential.predict: input is null");
        input.ensureOpen("Sequential.predict");
        Tensor current = backend.accepts(input) ? input : copyTo(input, backend);
        List<Tensor> intermediates = new ArrayList<>();
        if (current != input) intermediates.add(current);
        try {
            for (Layer layer : layers) {
                current = layer.forward(current, threads);
                intermediates.add(current);
            }
            intermediates.remove(intermediates.size() - 1);
            // A view (from Flatten) at the end would die with its parent: hand out a copy.
            return current.isView() ? copyTo(current, backend) : current;
        } finally {
            for (Tensor t : intermediates) t.close();
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

    /** Frees every layer's packed weights. */
    @Override
    public synchronized void close() {
        for (Layer layer : layers) layer.close();
    }

    private static Tensor copyTo(Tensor t, Backend backend) {
        return backend.allocate(t.shape()).copyFrom(t.toArray());
    }

    private void ensureNotBuilt() {
        if (built) throw new IllegalStateException("Sequential: already built; configure before the first build or predict");
    }

    private static String snakeCase(String type) {
        return type.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}

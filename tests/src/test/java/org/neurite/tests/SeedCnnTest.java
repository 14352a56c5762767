package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.Flatten;
import org.neurite.layers.Layer;
import org.neurite.layers.MaxPool2D;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;
import org.neurite.testkit.Weights;

/**
 * The seed CNN, built with the layer API as a user would, end to end against the
 * reference chained in double precision; and the same model's results independent of the
 * batch a sample comes in and of concurrent callers.
 */
class SeedCnnTest {
    static Sequential seedCnn() {
        return new Sequential(28, 28, 1)
                .add(new Conv2D(32, 3, Activation.RELU))
                .add(new MaxPool2D(2))
                .add(new Conv2D(64, 3, Activation.RELU))
                .add(new MaxPool2D(2))
                .add(new Conv2D(64, 3, Activation.RELU))
                .add(new Flatten())
                .add(new Dense(64, Activation.RELU))
                .add(new Dense(10, Activation.SOFTMAX));
    }

    /** Weights of a trained-looking scale: He-uniform, so activations neither vanish nor explode. */
    static List<float[]> setRandomWeights(Sequential model, Random random) {
        List<float[]> all = new ArrayList<>();
        for (Layer layer : model.layers()) {
            List<float[]> current = layer.getWeights().stream().map(Tensor::toArray).toList();
            if (current.isEmpty()) continue;
            float[] kernel = current.get(0), bias = current.get(1);
            int fanIn = kernel.length / bias.length;
            float limit = (float) Math.sqrt(6.0 / fanIn);
            for (int i = 0; i < kernel.length; i++) kernel[i] = (random.nextFloat() * 2 - 1) * limit;
            for (int i = 0; i < bias.length; i++) bias[i] = (random.nextFloat() * 2 - 1) * 0.1f;
            layer.setWeights(Weights.shaped(layer, kernel, bias));
            all.add(kernel);
            all.add(bias);
        }
        return all;
    }

    static double[] reference(int batch, double[] x, List<float[]> w) {
        double[] a = Reference.conv2d(batch, 28, 28, 1, 26, 26, 32, 3, 3, 1, 1, 1, 1, 0, 0, 1, "relu", x, w.get(0), w.get(1)).values();
        a = Reference.pool2d(batch, 26, 26, 32, 13, 13, 2, 2, 2, 2, 0, 0, true, a).values();
        a = Reference.conv2d(batch, 13, 13, 32, 11, 11, 64, 3, 3, 1, 1, 1, 1, 0, 0, 1, "relu", a, w.get(2), w.get(3)).values();
        a = Reference.pool2d(batch, 11, 11, 64, 5, 5, 2, 2, 2, 2, 0, 0, true, a).values();
        a = Reference.conv2d(batch, 5, 5, 64, 3, 3, 64, 3, 3, 1, 1, 1, 1, 0, 0, 1, "relu", a, w.get(4), w.get(5)).values();
        a = Reference.dense(batch, 576, 64, "relu", a, w.get(6), w.get(7)).values();
        return Reference.dense(batch, 64, 10, "softmax", a, w.get(8), w.get(9)).values();
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void matchesReferenceEndToEnd(Variant variant) {
        Backend backend = variant.activate();
        int batch = 5;
        Random random = new Random(2024);
        float[] pixels = new float[batch * 28 * 28];
        for (int i = 0; i < pixels.length; i++) pixels[i] = random.nextFloat();
        try (Sequential model = seedCnn().backend(backend).threads(2).build();
             Tensor images = backend.allocate(batch, 28, 28, 1).copyFrom(pixels)) {
            List<float[]> weights = setRandomWeights(model, random);
            double[] expected = reference(batch, Reference.toDouble(pixels), weights);
            try (Tensor out = model.predict(images)) {
                assertArrayEquals(new int[] {batch, 10}, out.shape());
                float[] actual = out.toArray();
                double[] scale = new double[expected.length];
                java.util.Arrays.fill(scale, 1.0); // probabilities
                Checks.assertMatches("seed CNN on " + variant, actual, new Reference.Result(expected, scale));
                Checks.assertNotMostlyZeros("seed CNN on " + variant, actual, 0.9);
                for (int b = 0; b < batch; b++) assertEquals(argmax(expected, b), argmax(actual, b), "class of sample " + b);
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void resultsDoNotDependOnBatchOrConcurrentCallers(Variant variant) throws Exception {
        Backend backend = variant.activate();
        int batch = 7;
        Random random = new Random(99);
        float[] pixels = new float[batch * 784];
        for (int i = 0; i < pixels.length; i++) pixels[i] = random.nextFloat();
        try (Sequential model = seedCnn().backend(backend).threads(2).build()) {
            setRandomWeights(model, random);
            float[] together;
            try (Tensor images = backend.allocate(batch, 28, 28, 1).copyFrom(pixels); Tensor out = model.predict(images)) {
                together = out.toArray();
            }
            for (int b = 0; b < batch; b++) {
                float[] one = java.util.Arrays.copyOfRange(pixels, b * 784, (b + 1) * 784);
                try (Tensor image = backend.allocate(1, 28, 28, 1).copyFrom(one); Tensor out = model.predict(image)) {
                    Checks.assertBitwiseEqual("sample " + b + " alone vs in a batch on " + variant,
                            java.util.Arrays.copyOfRange(together, b * 10, (b + 1) * 10), out.toArray());
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    results.add(pool.submit(() -> {
                        try (Tensor images = backend.allocate(batch, 28, 28, 1).copyFrom(pixels);
                             Tensor out = model.predict(images)) {
                            return out.toArray();
                        }
                    }));
                }
                for (Future<float[]> r : results) Checks.assertBitwiseEqual("concurrent predict on " + variant, together, r.get());
            } finally {
                pool.shutdown();
            }
        }
    }

    private static int argmax(double[] p, int row) {
        int best = 0;
        for (int c = 1; c < 10; c++) if (p[row * 10 + c] > p[row * 10 + best]) best = c;
        return best;
    }

    private static int argmax(float[] p, int row) {
        int best = 0;
        for (int c = 1; c < 10; c++) if (p[row * 10 + c] > p[row * 10 + best]) best = c;
        return best;
    }

    /** 25,000 samples at once: the first convolution's output alone would be 2.2 GB, so predict runs chunks of them. */
    @Test
    void aBatchLargerThanATensorCanHoldRunsInChunks() {
        Backend backend = Variant.bestNative().activate();
        int n = 25_000;
        float[] x = Checks.random(new Random(4), n * 784);
        try (Sequential model = seedCnn().backend(backend).threads(2).build();
             Tensor all = backend.allocate(n, 28, 28, 1).copyFrom(x); Tensor y = model.predict(all)) {
            assertArrayEquals(new int[] {n, 10}, y.shape());
            float[] probabilities = y.toArray();
            for (int at : new int[] {0, 774, 775, 12_345, n - 1}) { // chunk edges and the last, partial chunk
                try (Tensor one = backend.allocate(1, 28, 28, 1).copyFrom(java.util.Arrays.copyOfRange(x, at * 784, (at + 1) * 784));
                     Tensor alone = model.predict(one)) {
                    float[] p = alone.toArray();
                    for (int c = 0; c < 10; c++) {
                        assertEquals(p[c], probabilities[at * 10 + c], 1e-6, "sample " + at + ", class " + c);
                    }
                }
            }
        }
    }

    /** Closing a model while other threads predict: they finish or get "model closed", never freed memory. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void closingWhileOtherThreadsPredictGivesThemAClearError(Variant variant) throws Exception {
        Backend backend = variant.activate();
        float[] x = Checks.random(new Random(9), 2 * 784);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int cycle = 0; cycle < 20; cycle++) {
                Sequential model = seedCnn().backend(backend).threads(1).build();
                Tensor in = backend.allocate(2, 28, 28, 1).copyFrom(x);
                java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
                List<Future<String>> callers = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    callers.add(pool.submit(() -> {
                        while (true) {
                            try (Tensor y = model.predict(in)) {
                                float[] p = y.toArray();
                                double sum = 0;
                                for (int c = 0; c < 10; c++) sum += p[c];
                                if (Math.abs(sum - 1) > 1e-4) return "a torn result: " + sum;
                                calls.incrementAndGet();
                            } catch (IllegalStateException e) {
                                return e.getMessage();
                            }
                        }
                    }));
                }
                while (calls.get() < 3 * (cycle % 4)) Thread.onSpinWait(); // close early, or after some calls
                model.close();
                for (Future<String> f : callers) {
                    String end = f.get();
                    org.junit.jupiter.api.Assertions.assertTrue(end.contains("model closed"), variant + ", cycle " + cycle + ": " + end);
                }
                in.close();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

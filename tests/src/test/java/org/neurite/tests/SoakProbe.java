package org.neurite.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.neurite.Neurite;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.train.Adam;
import org.neurite.train.Loss;

/**
 * Run in a fresh JVM by {@link SoakTest}: batch-1 predicts, then batch-32 training steps, of
 * the seed CNN and the seed RNN in turn, printing the process's resident memory and
 * Neurite's off-heap bytes every so many calls.
 *
 * <p>Arguments: predicts, training steps, samples per phase. Output lines:
 * {@code sample PHASE CALLS RSS_BYTES OFF_HEAP_BYTES}.
 */
public final class SoakProbe {
    public static void main(String[] args) throws IOException {
        long predicts = Long.parseLong(args[0]), steps = Long.parseLong(args[1]);
        int samples = Integer.parseInt(args[2]);
        Backend backend = Backends.get();
        Random random = new Random(5);
        try (Sequential cnn = SeedCnnTest.seedCnn().backend(backend).threads(2).build()
                .compile(new Adam(), Loss.sparseCategoricalCrossentropy());
             Sequential rnn = SeedRnnTest.seedRnn().backend(backend).threads(2).build()
                .compile(new Adam(), Loss.sparseCategoricalCrossentropy());
             Tensor image = backend.allocate(1, 28, 28, 1).copyFrom(Checks.random(random, 784));
             Tensor ids = backend.allocate(1, 100).copyFrom(tokens(random, 100));
             Tensor images = backend.allocate(32, 28, 28, 1).copyFrom(Checks.random(random, 32 * 784));
             Tensor sequences = backend.allocate(32, 100).copyFrom(tokens(random, 32 * 100));
             Tensor labels = backend.allocate(32).copyFrom(labels(random, 32))) {
            // Warm until the JIT is done (compiling takes megabytes that stay resident; and a phase's first calls
            // after the other's recompile what that one deoptimised), with workspaces and optimizer slots made.
            for (int round = 0; round < 2; round++) {
                run(cnn, rnn, image, ids, 20_000);
                train(cnn, rnn, images, sequences, labels, 100);
            }
            System.out.println("backend " + backend.name());
            for (int s = 0; s <= samples; s++) {
                if (s > 0) run(cnn, rnn, image, ids, predicts / samples);
                sample("predict", s * (predicts / samples));
            }
            for (int s = 0; s <= samples; s++) {
                if (s > 0) train(cnn, rnn, images, sequences, labels, steps / samples);
                sample("train", s * (steps / samples));
            }
        }
    }

    private static void run(Sequential cnn, Sequential rnn, Tensor image, Tensor ids, long calls) {
        for (long i = 0; i < calls; i++) (i % 2 == 0 ? cnn.predict(image) : rnn.predict(ids)).close();
    }

    private static void train(Sequential cnn, Sequential rnn, Tensor images, Tensor sequences, Tensor labels, long steps) {
        for (long i = 0; i < steps; i++) {
            if (i % 2 == 0) cnn.trainOnBatch(images, labels);
            else rnn.trainOnBatch(sequences, labels);
        }
    }

    private static void sample(String phase, long calls) throws IOException {
        long rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        System.out.println("sample " + phase + " " + calls + " " + rss + " " + Neurite.memoryStats().inUseBytes());
    }

    private static float[] tokens(Random random, int n) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) t[i] = i % 100 > 80 ? 0 : 1 + random.nextInt(9999); // some padding to mask
        return t;
    }

    private static float[] labels(Random random, int n) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = random.nextInt(10);
        return y;
    }
}

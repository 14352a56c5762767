package org.neurite.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;

/**
 * The main job for now: builds the seed CNN and the seed RNN on each available backend and
 * reports batch-1 latency and batch-32 throughput (medians over repeated timed runs after a
 * warm-up). The JMH benchmarks give the careful, side-by-side numbers; this is the quick
 * look a user runs first.
 */
public final class SeedModelsDemo {
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        List<Backend> backends = Backends.nativeAvailable() ? List.of(Backends.nativeBackend(), Backends.java())
                : List.of(Backends.java());
        report("Seed CNN (Keras MNIST example)", SeedModels::cnn, new int[] {28, 28, 1}, 784, backends, threads);
        report("Seed RNN (Embedding, LSTM(64), Dense, Dense; 100 word ids)", SeedModels::rnn, new int[] {100}, 10000,
                backends, threads);
    }

    private static void report(String title, Supplier<Sequential> model, int[] sample, int valueRange,
                               List<Backend> backends, int threads) {
        System.out.println(title + ", " + threads + " threads");
        try (Sequential summaryModel = model.get()) {
            System.out.print(summaryModel.backend(backends.get(0)).summary());
        }
        System.out.printf("%-8s %18s %22s%n", "backend", "batch-1 latency", "batch-32 throughput");
        for (Backend backend : backends) {
            try (Sequential m = model.get().backend(backend).threads(threads)) {
                double latencyMs = medianMillis(m, backend, sample, valueRange, 1, 200);
                double batchMs = medianMillis(m, backend, sample, valueRange, 32, 40);
                System.out.printf("%-8s %15.3f ms %14.0f samples/s%n", backend.name(), latencyMs, 32 / batchMs * 1000);
            }
        }
        System.out.println();
    }

    /** Inputs are pixels in [0, 1) or ids in [1, valueRange), whichever the model reads. */
    private static double medianMillis(Sequential model, Backend backend, int[] sample, int valueRange, int batch, int runs) {
        int size = batch;
        for (int d : sample) size *= d;
        float[] values = new float[size];
        Random random = new Random(1);
        for (int i = 0; i < size; i++) values[i] = valueRange == 784 ? random.nextFloat() : 1 + random.nextInt(valueRange - 1);
        int[] shape = new int[sample.length + 1];
        shape[0] = batch;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        double[] times = new double[runs];
        try (Tensor input = backend.allocate(shape).copyFrom(values)) {
            for (int i = 0; i < runs / 2; i++) model.predict(input).close(); // warm-up: JIT, caches, pools
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                model.predict(input).close();
                times[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        Arrays.sort(times);
        return times[runs / 2];
    }
}

package org.neurite.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;

/**
 * The main job for now: builds the seed CNN on each available backend and reports batch-1
 * latency and batch-32 throughput (medians over repeated timed runs after a warm-up). The
 * JMH benchmarks give the careful numbers; this is the quick look a user runs first.
 */
public final class SeedCnnDemo {
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        List<Backend> backends = Backends.nativeAvailable() ? List.of(Backends.nativeBackend(), Backends.java())
                : List.of(Backends.java());
        System.out.println("Seed CNN (Keras MNIST example), " + threads + " threads");
        try (Sequential summaryModel = SeedModels.cnn()) {
            System.out.print(summaryModel.backend(backends.get(0)).summary());
        }
        System.out.printf("%n%-8s %18s %22s%n", "backend", "batch-1 latency", "batch-32 throughput");
        for (Backend backend : backends) {
            try (Sequential model = SeedModels.cnn().backend(backend).threads(threads)) {
                double latencyMs = medianMillis(model, backend, 1, 300);
                double batchMs = medianMillis(model, backend, 32, 60);
                System.out.printf("%-8s %15.3f ms %16.0f img/s%n", backend.name(), latencyMs, 32 / batchMs * 1000);
            }
        }
    }

    private static double medianMillis(Sequential model, Backend backend, int batch, int runs) {
        float[] pixels = new float[batch * 28 * 28];
        Random random = new Random(1);
        for (int i = 0; i < pixels.length; i++) pixels[i] = random.nextFloat();
        double[] times = new double[runs];
        try (Tensor images = backend.allocate(batch, 28, 28, 1).copyFrom(pixels)) {
            for (int i = 0; i < runs / 2; i++) model.predict(images).close(); // warm-up: JIT, caches, pools
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                model.predict(images).close();
                times[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        Arrays.sort(times);
        return times[runs / 2];
    }
}

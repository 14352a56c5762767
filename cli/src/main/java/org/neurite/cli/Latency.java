package org.neurite.cli;

import java.util.Arrays;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.data.Dataset;

/** Batch-1 latency (median, p90, p99) and batch-32 throughput of a model on real samples, after a warm-up. */
record Latency(double medianMicros, double p90Micros, double p99Micros, double batchThroughput) {
    static Latency measure(Sequential model, Dataset samples, int runs) {
        int[] one = shape(1, samples), many = shape(32, samples);
        int n = Math.min(32, samples.size());
        float[] x = new float[32 * samples.inputSize()], y = new float[32 * samples.targetSize()];
        int[] order = new int[32];
        for (int i = 0; i < 32; i++) order[i] = i % n;
        samples.read(order, 0, 32, x, y);
        try (Tensor single = model.backend().allocate(one).copyFrom(Arrays.copyOf(x, samples.inputSize()));
             Tensor batch = model.backend().allocate(many).copyFrom(x)) {
            for (int i = 0; i < Math.max(10, runs / 5); i++) model.predict(single).close();
            double[] micros = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                model.predict(single).close();
                micros[i] = (System.nanoTime() - t) / 1e3;
            }
            Arrays.sort(micros);
            for (int i = 0; i < 5; i++) model.predict(batch).close();
            int batches = Math.max(5, runs / 10);
            long t = System.nanoTime();
            for (int i = 0; i < batches; i++) model.predict(batch).close();
            double seconds = (System.nanoTime() - t) / 1e9;
            return new Latency(micros[runs / 2], micros[(int) (runs * 0.9)], micros[Math.min(runs - 1, (int) (runs * 0.99))],
                    32.0 * batches / seconds);
        }
    }

    private static int[] shape(int batch, Dataset d) {
        int[] s = d.inputShape(), shape = new int[s.length + 1];
        shape[0] = batch;
        System.arraycopy(s, 0, shape, 1, s.length);
        return shape;
    }
}

package org.neurite.backend;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits Java-backend loops over threads. Each output index belongs to exactly one chunk and
 * is computed the same way whichever thread runs it, so results do not depend on the thread
 * count.
 */
final class Parallel {
    interface Range {
        void run(int begin, int end);
    }

    private static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

    private Parallel() {}

    static void forRange(int count, int threads, Range body) {
        int n = Math.min(count, threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads);
        if (n <= 1) {
            body.run(0, count);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[n - 1];
        for (int t = 1; t < n; t++) {
            int begin = (int) ((long) count * t / n), end = (int) ((long) count * (t + 1) / n);
            tasks[t - 1] = POOL.submit(() -> body.run(begin, end));
        }
        body.run(0, (int) ((long) count / n));
        for (ForkJoinTask<?> task : tasks) task.join();
    }
}

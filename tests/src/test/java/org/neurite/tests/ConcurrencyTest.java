package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;

/**
 * Many Java threads sharing one model: 16 threads call the seed CNN and the seed RNN at once
 * (10^5 batch-1 predicts natively, 10^4 in Java), every result bitwise equal to the one a
 * single thread got for the same input, and the native pool's threads stay as many as the
 * model asked for, however many Java threads call in.
 */
class ConcurrencyTest {
    private static final int JAVA_THREADS = 16, INPUTS = 16;

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"JAVA", "NATIVE_AVX2", "NATIVE_AVX512"})
    void sixteenThreadsShareOneModel(Variant variant) throws Exception {
        Backend backend = variant.activate();
        int calls = variant == Variant.JAVA ? 10_000 : 100_000;
        Random random = new Random(8);
        try (Sequential cnn = SeedCnnTest.seedCnn().backend(backend).threads(2).build();
             Sequential rnn = SeedRnnTest.seedRnn().backend(backend).threads(2).build()) {
            Tensor[] images = new Tensor[INPUTS], sequences = new Tensor[INPUTS];
            float[][] cnnAlone = new float[INPUTS][], rnnAlone = new float[INPUTS][];
            try {
                for (int k = 0; k < INPUTS; k++) {
                    images[k] = backend.allocate(1, 28, 28, 1).copyFrom(Checks.random(random, 784));
                    float[] ids = new float[100];
                    for (int t = 0; t < 100 - 3 * k; t++) ids[t] = 1 + random.nextInt(9999); // zero padding: masked
                    sequences[k] = backend.allocate(1, 100).copyFrom(ids);
                    cnnAlone[k] = predict(cnn, images[k]);
                    rnnAlone[k] = predict(rnn, sequences[k]);
                }
                long workersBefore = nativeWorkers();

                ExecutorService pool = Executors.newFixedThreadPool(JAVA_THREADS);
                CountDownLatch start = new CountDownLatch(1);
                try {
                    List<Future<Integer>> checked = new ArrayList<>();
                    for (int thread = 0; thread < JAVA_THREADS; thread++) {
                        int first = thread;
                        checked.add(pool.submit(() -> {
                            start.await();
                            int n = 0;
                            for (int i = first; i < calls; i += JAVA_THREADS, n++) {
                                int k = (i / 2) % INPUTS;
                                boolean image = i % 2 == 0;
                                float[] got = predict(image ? cnn : rnn, image ? images[k] : sequences[k]);
                                float[] alone = image ? cnnAlone[k] : rnnAlone[k];
                                if (!Arrays.equals(alone, got)) {
                                    throw new AssertionError("call " + i + " (" + (image ? "CNN" : "RNN") + ", input " + k + ") on "
                                            + variant + ": " + Arrays.toString(got) + ", alone " + Arrays.toString(alone));
                                }
                            }
                            return n;
                        }));
                    }
                    start.countDown();
                    int total = 0;
                    for (Future<Integer> f : checked) total += f.get();
                    assertEquals(calls, total, "calls checked");
                } finally {
                    pool.shutdownNow();
                }
                if (variant != Variant.JAVA) {
                    assertTrue(workersBefore >= 1, "the model's second thread is a pool worker");
                    assertEquals(workersBefore, nativeWorkers(), "native pool threads after " + JAVA_THREADS + " Java threads called in");
                }
            } finally {
                for (Tensor t : images) if (t != null) t.close();
                for (Tensor t : sequences) if (t != null) t.close();
            }
        }
    }

    private static float[] predict(Sequential model, Tensor x) {
        try (Tensor y = model.predict(x)) {
            return y.toArray();
        }
    }

    /** The threads of this process the native pool made (it names them). */
    private static long nativeWorkers() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip().equals("neurite-worker");
                } catch (IOException e) {
                    return false; // the thread ended meanwhile
                }
            }).count();
        }
    }
}

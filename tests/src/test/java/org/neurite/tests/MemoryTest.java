package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.neurite.Neurite;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.train.Adam;
import org.neurite.train.Loss;

/**
 * Off-heap memory stays flat in steady state (a short soak of inference and training calls),
 * and a steady-state native predict allocates on the Java heap only what its result does.
 */
class MemoryTest {
    @Test
    void predictAndTrainingHoldOffHeapMemoryFlatOnceWarm() {
        Backend backend = Variant.bestNative().activate();
        long outside = Neurite.memoryStats().inUseBytes();
        try (Sequential model = SeedCnnTest.seedCnn().backend(backend).threads(2).build()
                .compile(new Adam(), Loss.sparseCategoricalCrossentropy());
             Tensor x = backend.allocate(32, 28, 28, 1).copyFrom(Checks.random(new Random(1), 32 * 784));
             Tensor one = backend.allocate(1, 28, 28, 1).copyFrom(Checks.random(new Random(2), 784));
             Tensor labels = backend.allocate(32).copyFrom(new float[32])) {
            for (int i = 0; i < 5; i++) { // warm: workspaces for both batch sizes and the training buffers
                model.predict(x).close();
                model.predict(one).close();
                model.trainOnBatch(x, labels);
            }
            long warm = Neurite.memoryStats().inUseBytes();
            assertTrue(warm > outside, "the model's weights and workspaces are counted");
            // batch 32, then batch 1, as the warm-up ended: a workspace keeps the last batch size's buffers
            for (int i = 0; i < 3000; i++) model.predict(i < 1500 ? x : one).close();
            for (int i = 0; i < 100; i++) model.trainOnBatch(x, labels);
            assertEquals(warm, Neurite.memoryStats().inUseBytes(), "off-heap bytes after 3,000 predicts and 100 training steps");
        }
        assertTrue(Neurite.memoryStats().inUseBytes() <= outside, "closing the model gives everything back");
        assertTrue(Neurite.memoryStats().peakBytes() >= outside);
    }

    // The native backend's promise; the Java backend's kernels still take small per-call scratch arrays (about 5 kB).
    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"NATIVE_REF", "NATIVE_AVX2", "NATIVE_AVX512"})
    void steadyStatePredictAllocatesOnlyItsResult(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential cnn = SeedCnnTest.seedCnn().backend(backend).threads(2).build();
             Sequential rnn = SeedRnnTest.seedRnn().backend(backend).threads(2).build();
             Tensor image = backend.allocate(1, 28, 28, 1).copyFrom(Checks.random(new Random(3), 784));
             Tensor ids = backend.allocate(1, 100).copyFrom(new float[100])) {
            ids.buffer().put(0, 17).put(1, 4);
            for (Sequential model : new Sequential[] {cnn, rnn}) {
                Tensor input = model == cnn ? image : ids;
                long call = allocatedPerCall(() -> model.predict(input));
                long result = allocatedPerCall(() -> backend.allocate(1, 10)); // the result alone, made as predict makes it
                assertTrue(call <= result, variant + (model == cnn ? " seed CNN" : " seed RNN") + ": a predict allocates "
                        + call + " bytes of Java heap, its result " + result);
            }
        }
    }

    /** A steady-state training step, forward, backward and the optimizer's update, allocates nothing on the Java heap. */
    @Test // the Java side of a step is the same on every ISA: the best one runs it fastest
    void steadyStateTrainingAllocatesNothing() {
        Variant variant = Variant.bestNative();
        Backend backend = variant.activate();
        try (Sequential cnn = SeedCnnTest.seedCnn().backend(backend).threads(2).build()
                .compile(new Adam(), Loss.sparseCategoricalCrossentropy());
             Sequential rnn = SeedRnnTest.seedRnn().backend(backend).threads(2).build()
                .compile(new Adam(), Loss.sparseCategoricalCrossentropy());
             Tensor images = backend.allocate(4, 28, 28, 1).copyFrom(Checks.random(new Random(5), 4 * 784));
             Tensor ids = backend.allocate(4, 100).copyFrom(paddedWords());
             Tensor labels = backend.allocate(4).copyFrom(new float[] {1, 2, 3, 4});
             Tensor dOutput = backend.allocate(4, 10).copyFrom(Checks.random(new Random(6), 40))) {
            for (Sequential model : new Sequential[] {cnn, rnn}) {
                Tensor x = model == cnn ? images : ids;
                String which = variant + (model == cnn ? " seed CNN" : " seed RNN");
                long gradients = allocatedPerCall(() -> {
                    model.forwardTraining(x, null);
                    model.backward(dOutput, false);
                    return null;
                }, 100);
                assertEquals(0, gradients, which + ": bytes a forward and backward pass allocates");
                long step = allocatedPerCall(() -> {
                    model.trainOnBatch(x, labels);
                    return null;
                }, 100);
                assertEquals(0, step, which + ": bytes a training step allocates");
            }
        }
    }

    /** Four sequences of 100 word ids, the n-th padded with id 0 (masked) after 25 n words. */
    private static float[] paddedWords() {
        float[] words = new float[4 * 100];
        for (int i = 0; i < words.length; i++) words[i] = i % 100 < 25 * (i / 100 + 1) ? 1 + i % 97 : 0;
        return words;
    }

    /**
     * The Java fallback's recurrent training step reads and writes its workspace in place. It
     * used to copy the input projection and the gates' gradients out of it every step, arrays as
     * large as the batch's sequences (10 MB a step for the seed RNN at batch 32).
     */
    @Test
    void javaRecurrentTrainingStepAllocatesNothingSequenceSized() {
        Backend backend = Variant.JAVA.activate();
        try (Sequential rnn = SeedRnnTest.seedRnn().backend(backend).threads(1).build()
                .compile(new Adam(), Loss.sparseCategoricalCrossentropy());
             Tensor ids = backend.allocate(4, 100).copyFrom(paddedWords());
             Tensor labels = backend.allocate(4).copyFrom(new float[] {1, 2, 3, 4})) {
            long step = allocatedPerCall(() -> {
                rnn.trainOnBatch(ids, labels);
                return null;
            }, 10);
            long sequences = 4L * 100 * 64 * Float.BYTES; // a float per unit of every step of the batch
            assertTrue(step < sequences, "a Java training step of the seed RNN allocates " + step + " bytes");
        }
    }

    /**
     * Java heap bytes the calling thread allocates per call once warm (the result closed each
     * time): the least of a few rounds, as a one-off allocation in the JVM (a class loaded, a
     * queue grown) lands in one round, while anything a call allocates lands in all.
     */
    private static long allocatedPerCall(Supplier<Tensor> call) {
        return allocatedPerCall(call, 1000);
    }

    private static long allocatedPerCall(Supplier<Tensor> call, int calls) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 3 * calls; i++) close(call.get()); // compiled, with its workspace
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < calls; i++) close(call.get());
            least = Math.min(least, (threads.getThreadAllocatedBytes(thread) - before) / calls);
        }
        return least;
    }

    private static void close(Tensor t) {
        if (t != null) t.close();
    }
}

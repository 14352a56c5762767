package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.neurite.Neurite;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.train.Adam;
import org.neurite.train.Loss;

/** Off-heap memory stays flat in steady state: a short soak of inference and training calls (CI's variant). */
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
}

package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.IntBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.layers.Dense;
import org.neurite.layers.Embedding;
import org.neurite.layers.GRU;
import org.neurite.train.Adam;
import org.neurite.train.Loss;

/**
 * int32 token ids ({@code Tensor.ids}) go to an Embedding as they are: the same outputs,
 * masks, gradients and training as the same ids held as floats, on every backend; ids past
 * 2^24, which floats cannot hold exactly, reach their rows; misuse gets a clear error.
 */
class TokenIdsTest {
    private static final int BATCH = 6, STEPS = 100;

    private static int[] paddedIds(Random random) {
        int[] ids = new int[BATCH * STEPS];
        for (int b = 0; b < BATCH; b++) for (int t = 0; t < 15 * (b + 1); t++) ids[b * STEPS + t] = 1 + random.nextInt(9999);
        return ids;
    }

    private static float[] asFloats(int[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) f[i] = ids[i];
        return f;
    }

    /** The seed RNN (its Embedding folded into the LSTM's input projection) and an unfolded Embedding -> GRU model. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void intIdsPredictAsFloatIdsDo(Variant variant) {
        Backend backend = variant.activate();
        int[] ids = paddedIds(new Random(3));
        try (Sequential seed = SeedRnnTest.seedRnn().backend(backend).threads(2).build();
             Sequential gru = new Sequential(STEPS).add(new Embedding(10000, 8).maskZero(true)).add(new GRU(6).returnSequences(true))
                     .backend(backend).build();
             // In the default backend's storage: a model on another backend copies them, as ids
             Tensor intIds = Tensor.ids(IntBuffer.wrap(ids), BATCH, STEPS);
             Tensor floatIds = backend.allocate(BATCH, STEPS).copyFrom(asFloats(ids))) {
            assertArrayEquals(ids, intIds.toIntArray());
            for (Sequential model : List.of(seed, gru)) {
                try (Tensor a = model.predict(intIds); Tensor b = model.predict(floatIds)) {
                    Checks.assertBitwiseEqual("int vs float ids on " + variant, b.toArray(), a.toArray());
                }
            }
            try (Tensor lengths = Tensor.sequenceMask(STEPS, 100, 3, 50, 7, 100, 1);
                 Tensor a = seed.predict(intIds, lengths); Tensor b = seed.predict(floatIds, lengths)) {
                Checks.assertBitwiseEqual("int vs float ids with lengths on " + variant, b.toArray(), a.toArray());
            }
        }
    }

    /** An epoch of fit on int ids ends in the weights an epoch on the same ids as floats does. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void intIdsTrainAsFloatIdsDo(Variant variant) {
        Backend backend = variant.activate();
        int[] ids = paddedIds(new Random(4));
        float[] labels = new float[BATCH];
        for (int b = 0; b < BATCH; b++) labels[b] = b % 10;
        float[][] weights = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (Sequential model = SeedRnnTest.seedRnn().backend(backend).threads(2).seed(5).build()
                    .compile(new Adam(), Loss.sparseCategoricalCrossentropy());
                 Tensor x = run == 0 ? Tensor.ids(ids, BATCH, STEPS) : backend.allocate(BATCH, STEPS).copyFrom(asFloats(ids));
                 Tensor y = backend.allocate(BATCH).copyFrom(labels)) {
                model.fit(x, y, 2, 3);
                weights[run] = model.getWeights().get(0).toArray(); // the embedding table: sparse row gradients
            }
        }
        Checks.assertBitwiseEqual("embeddings after fit on int vs float ids on " + variant, weights[1], weights[0]);
    }

    /** A vocabulary past 2^24: int ids reach rows floats cannot name; float ids are refused. */
    @Test
    void idsPastTwoToTheTwentyFourReachTheirRows() {
        int vocabulary = (1 << 24) + 16, id = (1 << 24) + 7; // as a float, 2^24 + 7 rounds to 2^24 + 8
        for (Backend backend : List.of(Variant.bestNative().activate(), Backends.java())) {
            Embedding embedding = new Embedding(vocabulary, 1);
            try (Sequential model = new Sequential(2).add(embedding).backend(backend).build();
                 Tensor ids = Tensor.ids(new int[] {id, 3}, 1, 2);
                 Tensor x = backend.allocateIds(1, 2).copyFrom(ids);
                 Tensor floats = backend.allocate(1, 2).copyFrom(new float[] {1, 2})) {
                float[] table = embedding.getWeights().get(0).toArray();
                try (Tensor y = model.predict(x)) {
                    assertArrayEquals(new float[] {table[id], table[3]}, y.toArray(), backend.name());
                }
                var e = assertThrows(IllegalArgumentException.class, () -> model.predict(floats));
                assertTrue(e.getMessage().contains("needs int32 ids"), e.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void misuseGetsAClearError(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential dense = new Sequential(4).add(new Dense(2, Activation.RELU)).backend(backend).build();
             Sequential embedded = new Sequential(4).add(new Embedding(10, 2)).backend(backend).build();
             Tensor ids = backend.allocateIds(1, 4)) {
            var notEmbedding = assertThrows(IllegalArgumentException.class, () -> dense.predict(ids));
            assertTrue(notEmbedding.getMessage().contains("Dense 'dense': expected float input, got int32 ids [1, 4]"),
                    notEmbedding.getMessage());
            for (int bad : new int[] {-1, 10}) {
                try (Tensor given = Tensor.ids(new int[] {1, 2, bad, 3}, 1, 4)) {
                    ids.copyFrom(given);
                }
                var badId = assertThrows(IllegalArgumentException.class, () -> embedded.predict(ids));
                assertTrue(badId.getMessage().contains("id " + bad + " at position [0, 2] is not in the vocabulary [0, 10)"),
                        badId.getMessage());
            }
            try (Tensor good = Tensor.ids(new int[] {1, 2, 3, 4}, 1, 4)) {
                ids.copyFrom(good);
            }
            var idsAsMask = assertThrows(IllegalArgumentException.class, () -> embedded.predict(ids, ids));
            assertTrue(idsAsMask.getMessage().contains("a mask holds floats (nonzero = valid), not int32 ids"), idsAsMask.getMessage());
            var floats = assertThrows(IllegalStateException.class, ids::toArray);
            assertTrue(floats.getMessage().contains("holds int32 ids"), floats.getMessage());
            try (Tensor f = backend.allocate(1, 4)) {
                assertThrows(IllegalArgumentException.class, () -> f.copyFrom(ids));
                assertThrows(IllegalStateException.class, f::toIntArray);
            }
            assertThrows(IllegalArgumentException.class, () -> Tensor.ids(new int[3], 1, 4));
            assertEquals("Tensor[1, 4] int32 ids" + (ids.isDirect() ? " off-heap" : " heap"), ids.toString());
        }
    }
}

package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.backend.BinaryOp;
import org.neurite.backend.NativeBackend;
import org.neurite.bindings.NeuriteNative;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.GRU;
import org.neurite.layers.MaxPool1D;
import org.neurite.layers.MaxPool2D;
import org.neurite.testkit.Weights;

/**
 * Bad input gets a clear exception naming the layer and both shapes, before any native
 * call; and the native API itself refuses descriptors and buffers that do not fit.
 */
class BadInputTest {
    private static Sequential conv(Backend backend) {
        return new Sequential(28, 28, 1).add(new Conv2D(8, 3, Activation.RELU)).backend(backend).build();
    }

    /** Runs {@code call}, which must fail before reaching a kernel: the last kernel name stays as it was. */
    private static <T extends Throwable> T failsBeforeNative(Class<T> type, Variant variant, Backend backend,
                                                             org.junit.jupiter.api.function.Executable call) {
        if (variant != Variant.JAVA) {
            try (Tensor a = backend.allocate(4); Tensor out = backend.allocate(4)) {
                backend.binary(BinaryOp.ADD, a, a, out, 1); // leaves "binary_f32_*" as the last kernel on this thread
            }
        }
        String before = variant == Variant.JAVA ? null : NativeBackend.lastKernel();
        T thrown = assertThrows(type, call);
        if (before != null) assertEquals(before, NativeBackend.lastKernel(), "a kernel ran despite the bad input");
        return thrown;
    }

    private static void assertNames(Throwable t, String... parts) {
        for (String part : parts) {
            assertTrue(t.getMessage().contains(part), "message '" + t.getMessage() + "' lacks '" + part + "'");
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void wrongRankNamesLayerAndShapes(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = conv(backend); Tensor x = backend.allocate(2, 28, 28)) {
            var e = failsBeforeNative(IllegalArgumentException.class, variant, backend, () -> model.predict(x));
            assertNames(e, "Conv2D 'conv2d'", "[batch, 28, 28, 1]", "[2, 28, 28]");
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void mismatchedChannelsNamesLayerAndShapes(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = conv(backend); Tensor x = backend.allocate(2, 28, 28, 3)) {
            var e = failsBeforeNative(IllegalArgumentException.class, variant, backend, () -> model.predict(x));
            assertNames(e, "Conv2D 'conv2d'", "[batch, 28, 28, 1]", "[2, 28, 28, 3]");
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void closedTensorIsRefused(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = conv(backend)) {
            Tensor x = backend.allocate(1, 28, 28, 1);
            x.close();
            var e = failsBeforeNative(IllegalStateException.class, variant, backend, () -> model.predict(x));
            assertNames(e, "closed", "[1, 28, 28, 1]");
            assertThrows(IllegalArgumentException.class, () -> model.predict(null));
        }
    }

    @Test
    void kernelLargerThanValidInputIsRefusedAtBuild() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(2, 2, 1).add(new Conv2D(4, 3)).backend(Backends.java()).build());
        assertNames(e, "Conv2D 'conv2d'", "3x3", "[batch, 2, 2, 1]");
        var pool = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(1, 5, 3).add(new MaxPool2D(2)).backend(Backends.java()).build());
        assertNames(pool, "MaxPool2D 'max_pool2d'", "[batch, 1, 5, 3]");
    }

    @Test
    void layersThatDoNotFitTogetherAreRefusedAtBuild() {
        var groups = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(8, 8, 6).add(new Conv2D(8, 3).groups(4)).backend(Backends.java()).build());
        assertNames(groups, "Conv2D 'conv2d'", "4 groups", "6 input channels", "8 filters");
        var rank = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(10).add(new Conv2D(8, 3)).backend(Backends.java()).build());
        assertNames(rank, "Conv2D 'conv2d'", "[batch, height, width, channels]", "[batch, 10]");
    }

    @Test
    void recurrentTrainingRefusesALeakyReluWithANegativeSlope() {
        try (Sequential model = new Sequential(5, 3).add(new GRU(4).recurrentActivation(Activation.LEAKY_RELU).alpha(-0.5f))
                .backend(Backends.java()).build();
             Tensor x = Tensor.heap(2, 5, 3)) {
            model.predict(x).close(); // inference takes any slope
            var e = assertThrows(UnsupportedOperationException.class, () -> model.forwardTraining(x, null));
            assertNames(e, "GRU 'gru'", "training needs a recurrent activation whose derivative follows from its output",
                    "slope -0.5");
        }
        assertNames(assertThrows(IllegalArgumentException.class, () -> new GRU(4).alpha(Float.NaN)), "GRU", "slope", "NaN");
    }

    @Test
    void causalPaddingIsForConv1DOnly() {
        var conv = assertThrows(IllegalArgumentException.class, () -> new Conv2D(8, 3).padding(Padding.CAUSAL));
        assertNames(conv, "Conv2D", "causal", "Conv1D");
        assertThrows(IllegalArgumentException.class, () -> new MaxPool1D(2).padding(Padding.CAUSAL));
    }

    @Test
    void weightsOfAnyOtherShapeAreRefusedATransposedKernelIncluded() {
        Dense dense = new Dense(4);
        try (Sequential model = new Sequential(3).add(dense).backend(Backends.java()).build()) {
            // the same 12 values as a [4, 3] kernel: accepted once, silently wrong
            var transposed = assertThrows(IllegalArgumentException.class, () -> dense.setWeights(Tensor.heap(4, 3), Tensor.heap(4)));
            assertNames(transposed, "Dense 'dense'", "kernel must have shape [3, 4]", "got [4, 3]");
            var count = assertThrows(IllegalArgumentException.class, () -> dense.setWeights(Tensor.heap(3, 4)));
            assertNames(count, "Dense 'dense'", "expected 2 weights", "kernel [3, 4]", "bias [4]", "got 1");
            var model2 = assertThrows(IllegalArgumentException.class, () -> model.setWeights(java.util.List.of(Tensor.heap(3, 4), Tensor.heap(1, 4))));
            assertNames(model2, "Dense 'dense'", "bias must have shape [4]", "got [1, 4]");
            float[] before = dense.getWeights().get(0).toArray();
            dense.setWeights(dense.getWeights()); // what getWeights gives, setWeights takes
            Checks.assertBitwiseEqual("round trip", before, dense.getWeights().get(0).toArray());
        }
    }

    @Test
    void nativeApiRefusesBuffersThatDoNotFit() {
        Backends.nativeBackend();
        var desc = new NeuriteNative.DenseDesc().inFeatures(8).outFeatures(4).activation(0).alpha(0);
        long packedSize = NeuriteNative.nrt_dense_packed_size(desc);
        try (Tensor packed = Tensor.direct((int) packedSize); Tensor x = Tensor.direct(2 * 8); Tensor y = Tensor.direct(2 * 4)) {
            FloatBuffer p = packed.buffer(), in = x.buffer(), out = y.buffer();
            // Claims 3 rows where the buffers hold 2: refused, nothing written.
            int status = NeuriteNative.nrt_dense_forward(desc, 3, in, x.size(), p, packedSize, null, 0, out, y.size(), 1);
            assertNotEquals(NeuriteNative.NRT_OK, status);
            assertTrue(NeuriteNative.nrt_last_error().getString().contains("input holds 16 floats, needs 24"),
                    NeuriteNative.nrt_last_error().getString());
            // Packed weights too short.
            status = NeuriteNative.nrt_dense_forward(desc, 2, in, x.size(), p, packedSize - 1, null, 0, out, y.size(), 1);
            assertNotEquals(NeuriteNative.NRT_OK, status);
            // A descriptor that does not describe a problem.
            var conv = new NeuriteNative.Conv2dDesc().inH(5).inW(5).inC(6).outH(3).outW(3).outC(8).kernelH(3).kernelW(3)
                    .strideH(1).strideW(1).dilationH(1).dilationW(1).padTop(0).padLeft(0).groups(4).activation(0);
            assertEquals(-1, NeuriteNative.nrt_conv2d_packed_size(conv));
            assertTrue(NeuriteNative.nrt_last_error().getString().contains("4 groups do not divide"));
            conv.groups(1).activation(99);
            assertEquals(-1, NeuriteNative.nrt_conv2d_packed_size(conv));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void sizesBeyondATensorAreRefusedNamingTheLayerBeforeAnyAllocation(Variant variant) {
        Backend backend = variant.activate();
        Object[][] cases = {
                {new Sequential(4).add(new Dense(Integer.MAX_VALUE)), "Dense 'dense': output per sample [2147483647]"},
                {new Sequential(4).add(new Dense(1 << 29)), "Dense 'dense': kernel [4, 536870912]"},
                {new Sequential(4).add(new org.neurite.layers.Embedding(1 << 24, 200)), "Embedding 'embedding': embeddings [16777216, 200]"},
                {new Sequential(4, 3).add(new org.neurite.layers.LSTM(1 << 29)), "LSTM 'lstm': recurrent kernel [536870912, 2147483648]"},
                {new Sequential(8, 8, 1).add(new Conv2D(Integer.MAX_VALUE, 3)), "Conv2D 'conv2d': output channels [2147483647]"},
                {new Sequential(8, 8, 1).add(new Conv2D(1 << 27, 3)), "Conv2D 'conv2d': output per sample [6, 6, 134217728]"},
                {new Sequential(65536).add(new Dense(65537)), "Dense 'dense': kernel [65536, 65537]"},
                {new Sequential(28, 28, 1).add(new Conv2D(2, 3).dilation(1 << 30)), "Conv2D 'conv2d': kernel reach 2147483649x2147483649"},
                {new Sequential(8, 8, 3).add(new org.neurite.layers.DepthwiseConv2D(3, Integer.MAX_VALUE)), "output channels"},
                // found by BoundaryFuzzTest: a window this large once overflowed the Java kernel's saved argmax
                {new Sequential(4, 7, 4).add(new MaxPool2D(Integer.MAX_VALUE - 1).strides(6).padding(Padding.SAME)),
                        "MaxPool2D 'max_pool2d': a 2147483646x2147483646 window has"},
        };
        for (Object[] c : cases) {
            try (Sequential model = ((Sequential) c[0]).backend(backend)) {
                var e = assertThrows(IllegalArgumentException.class, model::build, (String) c[1]);
                assertTrue(e.getMessage().contains((String) c[1]), variant + ": expected '" + c[1] + "' in: " + e.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void aClosedModelOrLayerSaysSo(Variant variant) {
        Backend backend = variant.activate();
        Sequential built = new Sequential(4).add(new Dense(2)).backend(backend).build();
        var layer = built.layers().get(0);
        built.close();
        try (Tensor x = backend.allocate(1, 4)) {
            for (Runnable call : new Runnable[] {() -> built.predict(x), built::build, built::parameters, () -> built.forwardTraining(x, null)}) {
                var e = assertThrows(IllegalStateException.class, call::run);
                assertTrue(e.getMessage().contains("model closed"), e.getMessage());
            }
            var e = assertThrows(IllegalStateException.class, () -> layer.setWeights(Tensor.heap(4, 2), Tensor.heap(2)));
            assertTrue(e.getMessage().contains("Dense 'dense': closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> layer.forward(x, 1));
            Sequential neverBuilt = new Sequential(4).add(new Dense(2)).backend(backend);
            neverBuilt.close();
            assertTrue(assertThrows(IllegalStateException.class, () -> neverBuilt.predict(x)).getMessage().contains("model closed"));
        }
    }

    @Test
    void aLayerServesOneModel() {
        Dense shared = new Dense(2);
        try (Sequential first = new Sequential(4).add(shared)) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Sequential(3).add(shared));
            assertTrue(e.getMessage().contains("Dense already belongs to another model"), e.getMessage());
            var twice = assertThrows(IllegalArgumentException.class, () -> first.add(shared));
            assertTrue(twice.getMessage().contains("already belongs to this model"), twice.getMessage());
        }
    }
}

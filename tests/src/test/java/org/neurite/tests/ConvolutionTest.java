package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.NativeBackend;
import org.neurite.layers.ConvolutionLayer;
import org.neurite.testkit.ConvCase;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Weights;

/** Conv1D, Conv2D and DepthwiseConv2D on every shape of tests/shapes/conv.txt, on every variant and thread count. */
class ConvolutionTest {
    static Stream<Arguments> problems() {
        return Problem.load("conv").stream().flatMap(p -> Variant.all().stream().map(v -> Arguments.of(p, v)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("problems")
    void matchesReferenceOnEveryThreadCount(Problem p, Variant variant) {
        ConvCase c = ConvCase.of(p);
        Random random = new Random(p.name().hashCode());
        float[] x = Checks.random(random, c.inputSize());
        float[] kernel = Checks.random(random, c.kernelSize()), bias = Checks.random(random, c.outC());
        String context = p + " on " + variant;

        float[][] outputs = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Backend backend = variant.activate();
            ConvolutionLayer<?> layer = c.layer();
            try (Sequential model = new Sequential(c.inputShape()).add(layer).backend(backend).threads(threads).build()) {
                layer.setWeights(Weights.shaped(layer, kernel, bias));
                try (Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x); Tensor output = model.predict(input)) {
                    Checks.assertRanKernelOf(variant, context);
                    assertArrayEquals(c.outputShape(), output.shape(), context + ": output shape");
                    outputs[threads - 1] = output.toArray();
                }
            }
        }
        Checks.assertMatches(context, outputs[0], c.reference(x, kernel, bias));
        Checks.assertNotMostlyZeros(context, outputs[0], Checks.nonZeroShareFor(c.activation()));
        Checks.assertBitwiseEqual(context, outputs[0], outputs[1]);
    }

    /** The 3x3 stride-1 seed layers take Winograd's F(4x4, 3x3) on every SIMD tier, so the test above holds it to the reference. */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("winogradProblems")
    void winogradRunsWhereItApplies(String shape, Variant variant) {
        ConvCase c = ConvCase.of(Problem.find("conv", shape));
        Backend backend = variant.activate();
        try (Sequential model = new Sequential(c.inputShape()).add(c.layer()).backend(backend).build();
             Tensor input = backend.allocate(c.batchInputShape()); Tensor output = model.predict(input)) {
            assertEquals("conv2d_nhwc_winograd_f32" + variant.kernelSuffix(), NativeBackend.lastKernel(), shape);
        }
    }

    static Stream<Arguments> winogradProblems() {
        return Stream.of("seed_conv2", "seed_conv3", "seed_conv2_b1").flatMap(shape -> Stream.of(Variant.NATIVE_AVX2,
                Variant.NATIVE_AVX512).map(v -> Arguments.of(shape, v)));
    }
}

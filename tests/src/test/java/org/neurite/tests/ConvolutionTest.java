package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.NativeBackend;
import org.neurite.layers.ConvolutionLayer;
import org.neurite.testkit.ConvCase;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;
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
        Data data = Data.of(c);
        String context = p + " on " + variant;
        float[][] outputs = onOneAndTwoThreads(c, variant, data, false, (model, input, backend) -> {
            try (Tensor output = model.predict(input)) {
                Checks.assertRanKernelOf(variant, context);
                assertArrayEquals(c.outputShape(), output.shape(), context + ": output shape");
                return output.toArray();
            }
        });
        Checks.assertMatches(context, outputs[0], c.reference(data.x, data.kernel, data.bias));
        Checks.assertNotMostlyZeros(context, outputs[0], Checks.nonZeroShareFor(c.activation()));
        Checks.assertBitwiseEqual(context, outputs[0], outputs[1]);
    }

    /**
     * The kernel's and the bias' gradients on every shape, variant and thread count against the
     * double reference, to the outputs' error bound (Winograd's kernel gradient among them,
     * which rounds about ten times more than direct summation: the seed layers,
     * winograd_chunks' 972 blocks summed in nine chunks, and winograd_slices' 40 output channels
     * cut into a whole and a partial register tile per thread); the same bits on one thread and two.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("problems")
    void kernelAndBiasGradientsMatchReferenceOnEveryThreadCount(Problem p, Variant variant) {
        ConvCase c = ConvCase.of(p);
        Data data = Data.of(c);
        float[] dOutput = Checks.random(data.random, Arrays.stream(c.outputShape()).reduce(1, Math::multiplyExact));
        String context = p + " on " + variant;
        int kernelSize = c.kernelSize();
        float[][] gradients = onOneAndTwoThreads(c, variant, data, true, (model, input, backend) -> {
            model.forwardTraining(input, null);
            try (Tensor dy = backend.allocate(c.outputShape()).copyFrom(dOutput)) {
                model.backward(dy, false);
            }
            float[] both = Arrays.copyOf(model.parameters().get(0).gradient().toArray(), kernelSize + c.outC());
            System.arraycopy(model.parameters().get(1).gradient().toArray(), 0, both, kernelSize, c.outC());
            return both;
        });
        Checks.assertMatches(context + ": kernel gradient", Arrays.copyOf(gradients[0], kernelSize),
                c.kernelGradientReference(data.x, dOutput));
        Checks.assertMatches(context + ": bias gradient", Arrays.copyOfRange(gradients[0], kernelSize, gradients[0].length),
                Reference.biasGradient(Reference.toDouble(dOutput), c.outC()));
        Checks.assertBitwiseEqual(context + ": gradients", gradients[0], gradients[1]);
    }

    /**
     * The input's gradient on every shape, variant and thread count against the double
     * reference: Winograd's through the flipped kernel, the GEMM and its scatter (a 1x1 kernel's
     * without one), the direct kernels' for the rest; the same bits on one thread and two.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("problems")
    void inputGradientMatchesReferenceOnEveryThreadCount(Problem p, Variant variant) {
        ConvCase c = ConvCase.of(p);
        Data data = Data.of(c);
        float[] dOutput = Checks.random(data.random, Arrays.stream(c.outputShape()).reduce(1, Math::multiplyExact));
        String context = p + " on " + variant + ": input gradient";
        float[][] gradients = onOneAndTwoThreads(c, variant, data, true, (model, input, backend) -> {
            model.forwardTraining(input, null);
            try (Tensor dy = backend.allocate(c.outputShape()).copyFrom(dOutput)) {
                return model.backward(dy, true).toArray(); // the model owns the input's gradient
            }
        });
        Checks.assertMatches(context, gradients[0], c.inputGradientReference(data.kernel, dOutput));
        Checks.assertBitwiseEqual(context, gradients[0], gradients[1]);
    }

    /** A problem's random input, kernel and bias, the same on every variant, and the generator for more. */
    private record Data(float[] x, float[] kernel, float[] bias, Random random) {
        static Data of(ConvCase c) {
            Random random = new Random(c.problem().name().hashCode());
            return new Data(Checks.random(random, c.inputSize()), Checks.random(random, c.kernelSize()),
                    Checks.random(random, c.outC()), random);
        }
    }

    private interface Step {
        float[] run(Sequential model, Tensor input, Backend backend);
    }

    // What `step` gives on the problem's layer with the data's weights, on one thread and on two;
    // `linear` drops the layer's activation, so that the output's gradient is the kernel's dPre.
    private static float[][] onOneAndTwoThreads(ConvCase c, Variant variant, Data data, boolean linear, Step step) {
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Backend backend = variant.activate();
            ConvolutionLayer<?> layer = c.layer();
            if (linear) layer.activation(Activation.LINEAR);
            try (Sequential model = new Sequential(c.inputShape()).add(layer).backend(backend).threads(threads).build()) {
                layer.setWeights(Weights.shaped(layer, data.kernel, data.bias));
                try (Tensor input = backend.allocate(c.batchInputShape()).copyFrom(data.x)) {
                    results[threads - 1] = step.run(model, input, backend);
                }
            }
        }
        return results;
    }

    /**
     * The 3x3 stride-1 seed layers take Winograd's F(4x4, 3x3) on every SIMD tier, for the
     * output and for the kernel's gradient, so the test above and OneDnnGradientTest hold it
     * to their references.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("winogradProblems")
    void winogradRunsWhereItApplies(String shape, Variant variant) {
        ConvCase c = ConvCase.of(Problem.find("conv", shape));
        Backend backend = variant.activate();
        try (Sequential model = new Sequential(c.inputShape()).add(c.layer()).backend(backend).build();
             Tensor input = backend.allocate(c.batchInputShape()); Tensor output = model.predict(input)) {
            assertEquals("conv2d_nhwc_winograd_f32" + variant.kernelSuffix(), NativeBackend.lastKernel(), shape);
            model.forwardTraining(input, null);
            try (Tensor dOutput = backend.allocate(output.shape())) {
                model.backward(dOutput, false);
            }
            assertEquals("conv2d_backward_weights_winograd_f32" + variant.kernelSuffix(), NativeBackend.lastKernel(), shape);
        }
    }

    static Stream<Arguments> winogradProblems() {
        return Stream.of("seed_conv2", "seed_conv3", "seed_conv2_b1", "winograd_slices").flatMap(shape -> Stream.of(Variant.NATIVE_AVX2,
                Variant.NATIVE_AVX512).map(v -> Arguments.of(shape, v)));
    }
}

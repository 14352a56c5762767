package org.neurite.tests;


import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Parameter;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.ConvGeometry;
import org.neurite.layers.Conv2D;
import org.neurite.testkit.OneDnn;

/**
 * Convolution gradients against oneDNN's backward primitives (data, and weights with bias):
 * the seed CNN's layers and strided, dilated, padded and grouped shapes, on every backend.
 */
class OneDnnGradientTest {
    /** name, input h w c, filters, kernel h w, stride h w, dilation h w, padding h w, groups. */
    static Stream<Arguments> cases() {
        int[][] shapes = {
                {28, 28, 1, 32, 3, 3, 1, 1, 1, 1, 0, 0, 1},
                {13, 13, 32, 64, 3, 3, 1, 1, 1, 1, 0, 0, 1},
                {5, 5, 64, 64, 3, 3, 1, 1, 1, 1, 0, 0, 1},
                {9, 10, 6, 8, 3, 2, 2, 1, 1, 2, 1, 1, 2},
                {8, 8, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1},
                {11, 7, 5, 7, 1, 1, 2, 2, 1, 1, 0, 0, 1}};
        return Stream.of(shapes).flatMap(s -> Variant.all().stream().map(v -> Arguments.of(java.util.Arrays.toString(s), s, v)));
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("cases")
    void convolutionGradientsMatchOneDnn(String name, int[] s, Variant variant) {
        Backend backend = variant.activate();
        int batch = 3;
        Conv2D layer = (Conv2D) new Conv2D(s[3], s[4], s[5]).strides(s[6], s[7]).dilation(s[8], s[9]).padding(s[10], s[11])
                .groups(s[12]);
        try (Sequential model = new Sequential(s[0], s[1], s[2]).add(layer).backend(backend).threads(2).build()) {
            ConvGeometry g = layer.geometry();
            Random random = new Random(name.hashCode());
            float[] x = Checks.random(random, batch * s[0] * s[1] * s[2]);
            float[] kernel = Checks.random(random, Math.toIntExact(g.weightCount())), bias = Checks.random(random, g.outC());
            float[] r = Checks.random(random, batch * g.outH() * g.outW() * g.outC());
            layer.setWeights(kernel, bias);
            float[] dx, dKernel, dBias;
            try (Tensor input = backend.allocate(batch, s[0], s[1], s[2]).copyFrom(x)) {
                Tensor y = model.forwardTraining(input, null);
                try (Tensor dy = backend.allocate(y.shape()).copyFrom(r)) {
                    dx = model.backward(dy).toArray();
                }
                java.util.List<Parameter> p = model.parameters();
                dKernel = p.get(0).gradient().toArray();
                dBias = p.get(1).gradient().toArray();
            }
            String context = name + " on " + variant;
            try (OneDnn.Op data = OneDnn.convBackward(true, batch, g.inH(), g.inW(), g.inC(), g.outH(), g.outW(), g.outC(),
                    g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(), g.padTop(),
                    g.padLeft(), g.groups());
                 OneDnn.Op weights = OneDnn.convBackward(false, batch, g.inH(), g.inW(), g.inC(), g.outH(), g.outW(),
                         g.outC(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(),
                         g.padTop(), g.padLeft(), g.groups())) {
                data.set(OneDnn.DIFF_DST, r).set(OneDnn.WEIGHTS, kernel).execute();
                weights.set(OneDnn.SRC, x).set(OneDnn.DIFF_DST, r).execute();
                Checks.assertCloseToScale(context + ": input gradient", data.get(OneDnn.DIFF_SRC), dx);
                Checks.assertCloseToScale(context + ": kernel gradient", weights.get(OneDnn.DIFF_WEIGHTS), dKernel);
                Checks.assertCloseToScale(context + ": bias gradient", weights.get(OneDnn.DIFF_BIAS), dBias);
            }
        }
    }
}

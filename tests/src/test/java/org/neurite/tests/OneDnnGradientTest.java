package org.neurite.tests;


import java.util.List;
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
import org.neurite.layers.LayerConfig;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Weights;

/**
 * Gradients against oneDNN's backward primitives, on every backend: convolution (data, and
 * weights with bias) on the seed CNN's layers and strided, dilated, padded, grouped and
 * depthwise shapes; max and average pooling, unpadded and 'same'; a dense layer; and the
 * backpropagation through time of an LSTM and of both GRU forms.
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
            layer.setWeights(Weights.shaped(layer, kernel, bias));
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
            assertConvolutionMatchesOneDnn(name + " on " + variant, g, batch, x, kernel, r, dx, dKernel, dBias);
        }
    }

    /** A convolution's input, kernel and bias gradients (from output gradient r) against oneDNN's backward primitives. */
    private static void assertConvolutionMatchesOneDnn(String context, ConvGeometry g, int batch, float[] x, float[] kernel,
                                                       float[] r, float[] dx, float[] dKernel, float[] dBias) {
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

    /** Max and average pooling's input gradient against oneDNN's training primitives. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void poolingGradientsMatchOneDnn(Variant variant) {
        Backend backend = variant.activate();
        for (String shape : new String[] {"seed_pool1", "seed_pool2"}) {
            for (boolean max : new boolean[] {true, false}) {
                org.neurite.testkit.PoolCase c = org.neurite.testkit.PoolCase.of(org.neurite.testkit.Problem.find("pool", shape));
                Random random = new Random(shape.hashCode());
                float[] x = Checks.random(random, c.inputSize()), dy = Checks.random(random, c.batch() * c.outH() * c.outW() * c.c());
                org.neurite.layers.PoolingLayer layer = max ? new org.neurite.layers.MaxPool2D(c.ph()).strides(c.sh())
                        : new org.neurite.layers.AvgPool2D(c.ph()).strides(c.sh());
                float[] dx;
                try (Sequential model = new Sequential(c.inputShape()).add(layer).backend(backend).build();
                     Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x);
                     Tensor gradient = backend.allocate(c.outputShape()).copyFrom(dy)) {
                    model.forwardTraining(input, null);
                    dx = model.backward(gradient).toArray();
                }
                try (OneDnn.Training pool = OneDnn.poolTraining(c.batch(), c.inH(), c.inW(), c.c(), c.outH(), c.outW(),
                        c.ph(), c.pw(), c.sh(), c.sw(), c.padTop(), c.padLeft(), max)) {
                    pool.forward.set(OneDnn.SRC, x);
                    pool.backward.set(OneDnn.DIFF_DST, dy);
                    pool.execute();
                    Checks.assertCloseToScale(shape + (max ? " max" : " average") + " on " + variant,
                            pool.backward.get(OneDnn.DIFF_SRC), dx);
                }
            }
        }
    }

    /**
     * Pooling with Keras' 'same' padding on odd sizes (the extra cell of padding at the end, and
     * average pooling counting only real cells: oneDNN's avg_exclude_padding), max overlapping.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void paddedPoolingGradientsMatchOneDnn(Variant variant) {
        Backend backend = variant.activate();
        int batch = 3;
        org.neurite.layers.PoolingLayer[] layers = {
                new org.neurite.layers.MaxPool2D(3).strides(2).padding(org.neurite.Padding.SAME),
                new org.neurite.layers.AvgPool2D(3).strides(2).padding(org.neurite.Padding.SAME),
                new org.neurite.layers.AvgPool2D(2).padding(org.neurite.Padding.SAME)};
        for (org.neurite.layers.PoolingLayer layer : layers) {
            try (Sequential model = new Sequential(7, 6, 5).add(layer).backend(backend).build()) {
                org.neurite.backend.PoolGeometry g = layer.geometry();
                Random random = new Random(23);
                float[] x = Checks.random(random, batch * 7 * 6 * 5), dy = Checks.random(random, batch * g.outH() * g.outW() * 5);
                float[] dx;
                try (Tensor input = backend.allocate(batch, 7, 6, 5).copyFrom(x);
                     Tensor gradient = backend.allocate(batch, g.outH(), g.outW(), 5).copyFrom(dy)) {
                    model.forwardTraining(input, null);
                    dx = model.backward(gradient).toArray();
                }
                try (OneDnn.Training pool = OneDnn.poolTraining(batch, 7, 6, 5, g.outH(), g.outW(), g.poolH(), g.poolW(),
                        g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.max())) {
                    pool.forward.set(OneDnn.SRC, x);
                    pool.backward.set(OneDnn.DIFF_DST, dy);
                    pool.execute();
                    Checks.assertCloseToScale(LayerConfig.of(layer) + " on " + variant, pool.backward.get(OneDnn.DIFF_SRC), dx);
                }
            }
        }
    }

    /**
     * DepthwiseConv2D (multiplier 2, 'same', stride 2) as oneDNN's convolution with a group per
     * input channel: Keras' depthwise kernel [kh, kw, in, multiplier] is that convolution's
     * kernel [kh, kw, 1, groups, multiplier], value for value.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void depthwiseGradientsMatchOneDnn(Variant variant) {
        Backend backend = variant.activate();
        int batch = 3;
        org.neurite.layers.DepthwiseConv2D layer = new org.neurite.layers.DepthwiseConv2D(3, 2).strides(2)
                .padding(org.neurite.Padding.SAME);
        try (Sequential model = new Sequential(9, 8, 6).add(layer).backend(backend).threads(2).build()) {
            ConvGeometry g = layer.geometry();
            Random random = new Random(25);
            float[] x = Checks.random(random, batch * 9 * 8 * 6);
            float[] kernel = Checks.random(random, Math.toIntExact(g.weightCount())), bias = Checks.random(random, g.outC());
            float[] r = Checks.random(random, batch * g.outH() * g.outW() * g.outC());
            layer.setWeights(Weights.shaped(layer, kernel, bias));
            float[] dx;
            try (Tensor input = backend.allocate(batch, 9, 8, 6).copyFrom(x)) {
                Tensor y = model.forwardTraining(input, null);
                try (Tensor dy = backend.allocate(y.shape()).copyFrom(r)) {
                    dx = model.backward(dy).toArray();
                }
            }
            List<Parameter> p = model.parameters();
            assertConvolutionMatchesOneDnn("DepthwiseConv2D on " + variant, g, batch, x, kernel, r, dx,
                    p.get(0).gradient().toArray(), p.get(1).gradient().toArray());
        }
    }

    /** A dense layer's input, kernel and bias gradients against oneDNN's inner-product backward primitives. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void denseGradientsMatchOneDnn(Variant variant) {
        Backend backend = variant.activate();
        int batch = 5, in = 37, out = 19;
        Random random = new Random(23);
        float[] x = Checks.random(random, batch * in), kernel = Checks.random(random, in * out);
        float[] bias = Checks.random(random, out), dy = Checks.random(random, batch * out);
        org.neurite.layers.Dense layer = new org.neurite.layers.Dense(out);
        float[] dx;
        java.util.List<Parameter> parameters;
        try (Sequential model = new Sequential(in).add(layer).backend(backend).build();
             Tensor input = backend.allocate(batch, in).copyFrom(x); Tensor gradient = backend.allocate(batch, out).copyFrom(dy);
             OneDnn.Op data = OneDnn.innerProductBackward(true, batch, in, out);
             OneDnn.Op weights = OneDnn.innerProductBackward(false, batch, in, out)) {
            layer.setWeights(Weights.shaped(layer, kernel, bias));
            model.forwardTraining(input, null);
            dx = model.backward(gradient).toArray();
            parameters = model.parameters();
            data.set(OneDnn.DIFF_DST, dy).set(OneDnn.WEIGHTS, kernel).execute();
            weights.set(OneDnn.SRC, x).set(OneDnn.DIFF_DST, dy).execute();
            String context = "dense on " + variant;
            Checks.assertCloseToScale(context + ": input gradient", data.get(OneDnn.DIFF_SRC), dx);
            Checks.assertCloseToScale(context + ": kernel gradient", weights.get(OneDnn.DIFF_WEIGHTS),
                    parameters.get(0).gradient().toArray());
            Checks.assertCloseToScale(context + ": bias gradient", weights.get(OneDnn.DIFF_BIAS),
                    parameters.get(1).gradient().toArray());
        }
    }

    /** A recurrent layer's training step on Neurite and on oneDNN, from the same weights and output gradient. */
    private record Step(float[] output, float[] dx, List<float[]> gradients, float[] theirOutput, float[] theirDx,
                        float[] theirKernel, float[] theirRecurrent, float[] theirBias) {}

    private static Step step(Variant variant, String cell, boolean resetAfter, int units, float[] bias) {
        Backend backend = variant.activate();
        int batch = 3, steps = 7, in = 5, gu = (cell.equals("lstm") ? 4 : 3) * units;
        Random random = new Random(cell.hashCode());
        float[] x = Checks.random(random, batch * steps * in), kernel = Checks.random(random, in * gu);
        float[] recurrent = Checks.random(random, units * gu), dy = Checks.random(random, batch * steps * units);
        org.neurite.layers.RecurrentLayer<?> layer = cell.equals("lstm") ? new org.neurite.layers.LSTM(units)
                : new org.neurite.layers.GRU(units).resetAfter(resetAfter);
        layer.returnSequences(true);
        float[] ours, dx;
        List<float[]> gradients = new java.util.ArrayList<>();
        try (Sequential model = new Sequential(steps, in).add(layer).backend(backend).threads(2).build();
             Tensor input = backend.allocate(batch, steps, in).copyFrom(x);
             Tensor gradient = backend.allocate(batch, steps, units).copyFrom(dy)) {
            layer.setWeights(Weights.shaped(layer, kernel, recurrent, bias));
            ours = model.forwardTraining(input, null).toArray();
            dx = model.backward(gradient).toArray();
            for (Parameter p : model.parameters()) gradients.add(p.gradient().toArray());
        }
        try (OneDnn.Training rnn = OneDnn.rnnTraining(cell, resetAfter, batch, steps, in, units)) {
            float[] oneDnnBias = OneDnn.rnnBias(cell, resetAfter, units, bias);
            for (OneDnn.Op op : new OneDnn.Op[] {rnn.forward, rnn.backward}) {
                op.set(OneDnn.SRC_LAYER, x).set(OneDnn.WEIGHTS_LAYER, kernel).set(OneDnn.WEIGHTS_ITER, recurrent)
                        .set(OneDnn.BIAS, oneDnnBias);
            }
            rnn.forward.execute();
            float[] output = rnn.forward.get(OneDnn.DST_LAYER);
            // oneDNN adds the weights' gradients to what their memories hold
            rnn.backward.set(OneDnn.DST_LAYER, output).set(OneDnn.DIFF_DST_LAYER, dy)
                    .set(OneDnn.DIFF_WEIGHTS_LAYER, new float[kernel.length])
                    .set(OneDnn.DIFF_WEIGHTS_ITER, new float[recurrent.length])
                    .set(OneDnn.DIFF_BIAS, new float[oneDnnBias.length]);
            rnn.backward.execute();
            return new Step(ours, dx, gradients, output, rnn.backward.get(OneDnn.DIFF_SRC_LAYER),
                    rnn.backward.get(OneDnn.DIFF_WEIGHTS_LAYER), rnn.backward.get(OneDnn.DIFF_WEIGHTS_ITER),
                    rnn.backward.get(OneDnn.DIFF_BIAS));
        }
    }

    private static void assertCommonGradients(String context, Step s) {
        Checks.assertCloseToScale(context + ": output", s.theirOutput(), s.output());
        Checks.assertCloseToScale(context + ": input gradient", s.theirDx(), s.dx());
        Checks.assertCloseToScale(context + ": kernel gradient", s.theirKernel(), s.gradients().get(0));
        Checks.assertCloseToScale(context + ": recurrent kernel gradient", s.theirRecurrent(), s.gradients().get(1));
    }

    /**
     * LSTM backpropagation through time, every step's output kept, against oneDNN's training
     * primitives: the output and the gradients of the input, both kernels and the bias.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void lstmGradientsMatchOneDnn(Variant variant) {
        assertGradientsMatchOneDnn("LSTM", variant, "lstm", false, 21);
    }

    /** A cell whose bias oneDNN takes in Keras' form: every gradient, the bias' included, compared as it is. */
    private static void assertGradientsMatchOneDnn(String name, Variant variant, String cell, boolean resetAfter, int seed) {
        int units = 9;
        Step s = step(variant, cell, resetAfter, units, Checks.random(new Random(seed), (cell.equals("lstm") ? 4 : 3) * units));
        String context = name + " on " + variant;
        assertCommonGradients(context, s);
        Checks.assertCloseToScale(context + ": bias gradient", s.theirBias(), s.gradients().get(2));
    }

    /**
     * GRU (Keras' reset_after, oneDNN's linear-before-reset) backpropagation through time
     * against oneDNN: output, input, kernel, recurrent kernel and bias gradients. oneDNN folds
     * the z and r recurrent biases into the input ones, so their gradients are the same sums.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void gruGradientsMatchOneDnn(Variant variant) {
        int units = 9, gu = 3 * units;
        Step s = step(variant, "gru", true, units, Checks.random(new Random(22), 2 * gu));
        String context = "GRU on " + variant;
        assertCommonGradients(context, s);
        float[] db = s.theirBias(), expected = new float[2 * gu];
        System.arraycopy(db, 0, expected, 0, gu);                          // input biases z, r, h
        System.arraycopy(db, 0, expected, gu, 2 * units);                  // recurrent z, r: the same sums
        System.arraycopy(db, 3 * units, expected, gu + 2 * units, units);  // recurrent h, inside r
        Checks.assertCloseToScale(context + ": bias gradient", expected, s.gradients().get(2));
    }

    /**
     * GRU with the reset gate before the recurrent product (Keras' reset_after=False, oneDNN's
     * GRU) against oneDNN: output, input, kernel, recurrent kernel and bias gradients.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void gruResetBeforeGradientsMatchOneDnn(Variant variant) {
        assertGradientsMatchOneDnn("GRU reset before", variant, "gru", false, 24);
    }

}

package org.neurite.tests;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.RecurrentLayer;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;
import org.neurite.testkit.RnnCase;
import org.neurite.testkit.Weights;

/**
 * oneDNN's LSTM, GRU (vanilla and linear-before-reset) and vanilla RNN as a second reference,
 * on the problems of tests/shapes/rnn.txt it can express: forward direction, no mask (oneDNN
 * has none), its fixed activations.
 */
class OneDnnRecurrentTest {
    static Stream<Problem> problems() {
        return Stream.concat(Problem.load("rnn").stream(), Problem.load("rnn_perf").stream()).map(RnnCase::of)
                .filter(c -> c.mask().equals("none") && !c.backwards() && c.activation().equals("tanh")
                        && c.recurrentActivation().equals("sigmoid"))
                .map(RnnCase::problem);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void agreesWithOneDnn(Problem p) {
        RnnCase c = RnnCase.of(p);
        Random random = new Random(p.name().hashCode() + 2);
        float[] x = Checks.random(random, c.batch() * c.steps() * c.in());
        float[] kernel = Checks.random(random, c.in() * c.gates() * c.units());
        float[] recurrent = Checks.random(random, c.units() * c.gates() * c.units());
        for (int i = 0; i < kernel.length; i++) kernel[i] /= (float) Math.sqrt(c.in());
        for (int i = 0; i < recurrent.length; i++) recurrent[i] /= (float) Math.sqrt(c.units());
        float[] bias = Checks.random(random, c.biasSize());

        Backend backend = Variant.bestNative().activate();
        RecurrentLayer<?> layer = c.layer();
        float[] ours;
        try (Sequential model = new Sequential(c.steps(), c.in()).add(layer).backend(backend).threads(2).build();
             Tensor input = backend.allocate(c.batch(), c.steps(), c.in()).copyFrom(x)) {
            layer.setWeights(Weights.shaped(layer, kernel, recurrent, bias));
            try (Tensor y = model.predict(input)) {
                ours = y.toArray();
            }
        }
        float[] theirs;
        try (OneDnn.Op op = OneDnn.rnn(c.cell(), c.resetAfter(), c.batch(), c.steps(), c.in(), c.units())) {
            op.set(OneDnn.SRC_LAYER, x).set(OneDnn.WEIGHTS_LAYER, kernel).set(OneDnn.WEIGHTS_ITER, recurrent)
                    .set(OneDnn.BIAS, OneDnn.rnnBias(c.cell(), c.resetAfter(), c.units(), bias)).execute();
            theirs = op.get(OneDnn.DST_LAYER);
        }
        if (!c.sequences()) { // the last step of each sample
            float[] last = new float[c.batch() * c.units()];
            for (int b = 0; b < c.batch(); b++) {
                System.arraycopy(theirs, ((b * c.steps()) + c.steps() - 1) * c.units(), last, b * c.units(), c.units());
            }
            theirs = last;
        }
        double[] scale = new double[theirs.length];
        Arrays.fill(scale, 2.0); // two implementations, each within the unit-scale allowance
        Checks.assertMatches(p + " vs oneDNN", ours, new Reference.Result(Reference.toDouble(theirs), scale));
        Checks.assertNotMostlyZeros(p.toString(), theirs, 0.9);
    }
}

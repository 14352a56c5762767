package org.neurite.bench;

import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.RecurrentLayer;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Problem;
import org.neurite.testkit.RnnCase;
import org.neurite.testkit.Weights;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * LSTM and GRU layers over whole sequences (tests/shapes/rnn_perf.txt): Neurite's fused
 * kernels into a reused output, oneDNN's primitive alone (weights reordered outside the timed
 * region), and the Java fallback.
 */
public class RnnBenchmark extends PeerBenchmark {
    @Param({"lstm_b1", "lstm_b32", "lstm_512", "gru_b1", "gru_b32", "gru_512"})
    public String shape;

    @Param({"neurite", "neurite_avx2", "onednn", "java"})
    public String impl;

    @Setup
    public void setUp() {
        RnnCase c = RnnCase.of(Problem.find("rnn_perf", shape));
        Random random = new Random(1);
        float[] x = Bench.random(random, c.batch() * c.steps() * c.in());
        float[] kernel = Bench.random(random, c.in() * c.gates() * c.units());
        float[] recurrent = Bench.random(random, c.units() * c.gates() * c.units());
        float[] bias = Bench.random(random, c.biasSize());
        if (Impl.of(impl) == Impl.ONEDNN) {
            OneDnn.Op op = OneDnn.rnn(c.cell(), c.resetAfter(), c.batch(), c.steps(), c.in(), c.units())
                    .set(OneDnn.SRC_LAYER, x).set(OneDnn.WEIGHTS_LAYER, kernel).set(OneDnn.WEIGHTS_ITER, recurrent)
                    .set(OneDnn.BIAS, OneDnn.rnnBias(c.cell(), c.resetAfter(), c.units(), bias));
            measure(op::execute, op);
            return;
        }
        Backend backend = Impl.of(impl).backend();
        RecurrentLayer<?> layer = c.layer();
        Sequential model = new Sequential(c.steps(), c.in()).add(layer).backend(backend).build();
        layer.setWeights(Weights.shaped(layer, kernel, recurrent, bias));
        Tensor input = backend.allocate(c.batch(), c.steps(), c.in()).copyFrom(x);
        Tensor output = layer.newOutput(c.batch());
        measure(() -> layer.forward(input, output, threads), () -> {
            model.close();
            input.close();
            output.close();
        });
    }
}

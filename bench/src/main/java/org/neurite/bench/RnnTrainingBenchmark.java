package org.neurite.bench;

import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.LSTM;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Weights;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * An LSTM's training step, 64 inputs and 64 units over 100 steps at batch 32, every step's
 * output kept: the forward pass that keeps what backward needs, then the backward pass (the
 * input's and every weight's gradient). Neurite's layer as a model runs it; oneDNN's
 * forward-training and backward primitives alone; the Java fallback.
 */
public class RnnTrainingBenchmark extends PeerBenchmark {
    @Param({"lstm_64_64_t100"})
    public String shape;

    @Param({"neurite", "neurite_avx2", "onednn", "java"})
    public String impl;

    @Setup
    public void setUp() {
        int batch = 32, steps = 100, in = 64, units = 64;
        Random random = new Random(1);
        float[] x = Bench.random(random, batch * steps * in), dy = Bench.random(random, batch * steps * units);
        float[] kernel = Bench.random(random, in * 4 * units), recurrent = Bench.random(random, units * 4 * units);
        float[] bias = Bench.random(random, 4 * units);
        if (Impl.of(impl) == Impl.ONEDNN) {
            OneDnn.Training lstm = OneDnn.rnnTraining("lstm", false, batch, steps, in, units);
            for (OneDnn.Op op : new OneDnn.Op[] {lstm.forward, lstm.backward}) {
                op.set(OneDnn.SRC_LAYER, x).set(OneDnn.WEIGHTS_LAYER, kernel).set(OneDnn.WEIGHTS_ITER, recurrent)
                        .set(OneDnn.BIAS, bias);
            }
            lstm.forward.execute();
            lstm.backward.set(OneDnn.DST_LAYER, lstm.forward.get(OneDnn.DST_LAYER)).set(OneDnn.DIFF_DST_LAYER, dy);
            measure(lstm::execute, lstm);
            return;
        }
        Backend backend = Impl.of(impl).backend();
        LSTM layer = (LSTM) new LSTM(units).returnSequences(true);
        Sequential model = new Sequential(steps, in).add(layer).backend(backend).threads(threads).build();
        layer.setWeights(Weights.shaped(layer, kernel, recurrent, bias));
        Tensor input = backend.allocate(batch, steps, in).copyFrom(x);
        Tensor gradient = backend.allocate(batch, steps, units).copyFrom(dy);
        measureTraining(model, input, gradient, false);
    }
}

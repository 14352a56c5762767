package org.neurite.bench;

import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.PoolCase;
import org.neurite.testkit.Problem;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The seed CNN's pooling layers in training, batch 32: the forward pass that notes where each
 * maximum is, then the backward pass. Neurite's layer as a model runs it; oneDNN's
 * forward-training and backward primitives sharing their workspace; the Java fallback.
 */
public class PoolTrainingBenchmark extends PeerBenchmark {
    @Param({"seed_pool1", "seed_pool2"})
    public String shape;

    @Param({"neurite", "neurite_avx2", "onednn", "java"})
    public String impl;

    @Setup
    public void setUp() {
        PoolCase c = PoolCase.of(Problem.find("pool", shape));
        Random random = new Random(1);
        float[] x = Bench.random(random, c.inputSize());
        float[] dy = Bench.random(random, c.batch() * c.outH() * c.outW() * c.c());
        if (Impl.of(impl) == Impl.ONEDNN) {
            OneDnn.Training pool = c.oneDnnTraining();
            pool.forward.set(OneDnn.SRC, x);
            pool.backward.set(OneDnn.DIFF_DST, dy);
            measure(pool::execute, pool);
            return;
        }
        Backend backend = Impl.of(impl).backend();
        Sequential model = new Sequential(c.inputShape()).add(c.layer()).backend(backend).threads(threads).build();
        Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x);
        Tensor gradient = backend.allocate(c.outputShape()).copyFrom(dy);
        measureTraining(model, input, gradient, false);
    }
}

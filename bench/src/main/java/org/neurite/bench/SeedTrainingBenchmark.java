package org.neurite.bench;

import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One training step of a seed model at batch 32: the forward pass that keeps what backward
 * needs, then the backward pass writing every parameter's gradient (the optimizer's update
 * is not included), on Neurite's best tier, capped at AVX2, and the Java fallback.
 */
public class SeedTrainingBenchmark extends PeerBenchmark {
    @Param({"cnn", "rnn"})
    public String model;

    @Param({"neurite", "neurite_avx2", "java"})
    public String impl;

    @Setup
    public void setUp() {
        int batch = 32;
        Random random = new Random(1);
        Backend backend = Impl.of(impl).backend();
        boolean cnn = model.equals("cnn");
        Sequential m = (cnn ? SeedModels.cnn() : SeedModels.rnn()).backend(backend).threads(threads).build();
        Tensor input = cnn ? backend.allocate(batch, 28, 28, 1).copyFrom(SeedModels.images(random, batch))
                : backend.allocate(batch, 100).copyFrom(SeedModels.wordIds(random, batch));
        Tensor dOutput = backend.allocate(batch, 10).copyFrom(Bench.random(random, batch * 10));
        measure(() -> {
            m.forwardTraining(input, null);
            m.backward(dOutput, false);
        }, () -> {
            m.close();
            input.close();
            dOutput.close();
        });
    }
}

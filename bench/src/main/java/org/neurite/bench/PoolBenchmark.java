package org.neurite.bench;

import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.PoolOp;
import org.neurite.layers.PoolingLayer;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.PoolCase;
import org.neurite.testkit.Problem;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** The seed CNN's pooling layers: Neurite's op into a reused output, oneDNN's NHWC primitive, the Java fallback. */
public class PoolBenchmark extends PeerBenchmark {
    @Param({"seed_pool1", "seed_pool2", "seed_pool1_b1"})
    public String shape;

    @Param({"neurite", "neurite_avx2", "onednn", "java"})
    public String impl;

    @Setup
    public void setUp() {
        PoolCase c = PoolCase.of(Problem.find("pool", shape));
        float[] x = Bench.random(new Random(1), c.inputSize());
        if (Impl.of(impl) == Impl.ONEDNN) {
            OneDnn.Op op = c.oneDnn().set(OneDnn.SRC, x);
            measure(op::execute, op);
            return;
        }
        Backend backend = Impl.of(impl).backend();
        PoolingLayer layer = c.layer();
        Sequential model = new Sequential(c.inputShape()).add(layer).backend(backend).build();
        Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x);
        Tensor output = backend.allocate(c.outputShape());
        PoolOp op = backend.pool(layer.geometry());
        measure(() -> op.forward(input, output, threads), () -> {
            op.close();
            model.close();
            input.close();
            output.close();
        });
    }
}

package org.neurite.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.PoolingLayer;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.PoolCase;
import org.neurite.testkit.Problem;
import org.openjdk.jmh.annotations.*;

/** The seed CNN's pooling layers: Neurite's op into a reused output, oneDNN's NHWC primitive, the Java fallback. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PoolBenchmark {
    @Param({"seed_pool1", "seed_pool2", "seed_pool1_b1"})
    public String shape;

    @Param({"neurite", "onednn", "java"})
    public String impl;

    @Param("2")
    public int threads;

    private Runnable step;
    private AutoCloseable resources;

    @Setup
    public void setUp() {
        PoolCase c = PoolCase.of(Problem.find("pool", shape));
        float[] x = Bench.random(new Random(1), c.inputSize());
        if (Impl.of(impl) == Impl.ONEDNN) {
            OneDnn.Op op = c.oneDnn().set(OneDnn.SRC, x);
            step = op::execute;
            resources = op;
            return;
        }
        Backend backend = Impl.of(impl).backend();
        PoolingLayer layer = c.layer();
        Sequential model = new Sequential(c.inputShape()).add(layer).backend(backend).build();
        Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x);
        Tensor output = backend.allocate(c.outputShape());
        step = () -> backend.pool(layer.geometry(), input, output, threads);
        resources = () -> {
            model.close();
            input.close();
            output.close();
        };
    }

    @Benchmark
    public void forward() {
        step.run();
    }

    @TearDown
    public void tearDown() throws Exception {
        resources.close();
    }
}

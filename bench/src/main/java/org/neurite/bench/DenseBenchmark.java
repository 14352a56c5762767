package org.neurite.bench;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.neurite.Activation;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.DenseGeometry;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Problem;
import org.openjdk.jmh.annotations.*;

/**
 * Dense layers and SGEMM: Neurite's op on pre-packed weights, oneDNN's inner product,
 * OpenBLAS' cblas_sgemm (the product alone, so only comparable on linear shapes without
 * bias: sgemm_512), and the Java fallback.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DenseBenchmark {
    @Param({"sgemm_512", "seed_dense1", "seed_dense1_b1"})
    public String shape;

    @Param({"neurite", "onednn", "openblas", "java"})
    public String impl;

    @Param("2")
    public int threads;

    private Runnable step;
    private AutoCloseable resources;

    @Setup
    public void setUp() {
        Problem p = Problem.find("dense", shape);
        int batch = p.integer("mb", 1), in = p.integer("in", 0), out = p.integer("out", 0);
        String activation = p.text("act", "linear");
        // Without bias where OpenBLAS is a peer, so all compute the same product.
        boolean withBias = !shape.startsWith("sgemm");
        Random random = new Random(1);
        float[] x = Bench.random(random, batch * in), w = Bench.random(random, in * out);
        float[] bias = withBias ? Bench.random(random, out) : new float[out];
        switch (Impl.of(impl)) {
            case ONEDNN -> {
                OneDnn.Op op = OneDnn.innerProduct(batch, in, out, activation)
                        .set(OneDnn.SRC, x).set(OneDnn.WEIGHTS, w).set(OneDnn.BIAS, bias);
                step = op::execute;
                resources = op;
            }
            case OPENBLAS -> {
                Loader.load(openblas.class);
                FloatPointer a = new FloatPointer(x), b = new FloatPointer(w), c = new FloatPointer((long) batch * out);
                step = () -> cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, out, in, 1f, a, in, b, out, 0f, c, out);
                resources = () -> {
                    a.close();
                    b.close();
                    c.close();
                };
            }
            default -> {
                Backend backend = Impl.of(impl).backend();
                DenseGeometry g = new DenseGeometry(in, out, Activation.valueOf(activation.toUpperCase()), 0.2f);
                Tensor packed;
                try (Tensor weights = backend.allocate(w.length).copyFrom(w)) {
                    packed = backend.packDense(g, weights);
                }
                Tensor input = backend.allocate(batch, in).copyFrom(x), output = backend.allocate(batch, out);
                Tensor b = withBias ? backend.allocate(out).copyFrom(bias) : null;
                step = () -> backend.dense(g, input, packed, b, output, threads);
                resources = () -> {
                    packed.close();
                    input.close();
                    output.close();
                    if (b != null) b.close();
                };
            }
        }
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

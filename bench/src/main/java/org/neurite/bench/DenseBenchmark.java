package org.neurite.bench;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.neurite.Activation;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.DenseGeometry;
import org.neurite.backend.DenseOp;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Problem;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Dense layers and SGEMM: Neurite's op on pre-packed weights, oneDNN's inner product,
 * OpenBLAS' cblas_sgemm (the product alone, so only comparable on linear shapes without
 * bias: sgemm_512 and sgemm_2048), and the Java fallback.
 */
public class DenseBenchmark extends PeerBenchmark {
    @Param({"sgemm_512", "sgemm_2048", "seed_dense1", "seed_dense1_b1"})
    public String shape;

    @Param({"neurite", "neurite_avx2", "onednn", "openblas", "java"})
    public String impl;

    @Setup
    public void setUp() {
        Problem p = Problem.find(shape.equals("sgemm_2048") ? "dense_perf" : "dense", shape);
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
                measure(op::execute, op);
            }
            case OPENBLAS -> {
                Loader.load(openblas.class);
                FloatPointer a = new FloatPointer(x), b = new FloatPointer(w), c = new FloatPointer((long) batch * out);
                measure(() -> cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, out, in, 1f, a, in, b, out, 0f, c, out), () -> {
                    a.close();
                    b.close();
                    c.close();
                });
            }
            default -> {
                Backend backend = Impl.of(impl).backend();
                DenseGeometry g = new DenseGeometry(in, out, Activation.valueOf(activation.toUpperCase()), 0.2f);
                DenseOp op = backend.dense(g);
                try (Tensor weights = backend.allocate(w.length).copyFrom(w)) {
                    op.setKernel(weights);
                }
                Tensor input = backend.allocate(batch, in).copyFrom(x), output = backend.allocate(batch, out);
                Tensor b = withBias ? backend.allocate(out).copyFrom(bias) : null;
                measure(() -> op.forward(input, b, output, threads), () -> {
                    op.close();
                    input.close();
                    output.close();
                    if (b != null) b.close();
                });
            }
        }
    }
}

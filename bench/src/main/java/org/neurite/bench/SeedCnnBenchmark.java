package org.neurite.bench;

import java.util.List;
import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.bench.onnx.OrtSeedModel;
import org.neurite.testkit.OneDnn;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The whole seed CNN at batch 1 (latency) and 32 (throughput): Neurite's {@code predict}
 * as a user calls it, the same network as a chain of oneDNN primitives reading each
 * other's outputs in place, the same network with Neurite's weights on ONNX Runtime (checked
 * against Neurite's output first), and the Java fallback.
 */
public class SeedCnnBenchmark extends PeerBenchmark {
    @Param({"1", "32"})
    public int batch;

    @Param({"neurite", "neurite_avx2", "onednn", "onnxruntime", "java"})
    public String impl;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        float[] images = SeedModels.images(random, batch);
        if (Impl.of(impl) == Impl.ONNXRUNTIME) {
            try (Sequential neurite = SeedModels.cnn().backend(Impl.NEURITE.backend()).threads(threads).build()) {
                OrtSeedModel ort = OrtSeedModel.cnn(neurite, images, batch, threads);
                measure(ort::run, ort);
            }
            return;
        }
        if (Impl.of(impl) == Impl.ONEDNN) {
            List<OneDnn.Op> ops = List.of(
                    OneDnn.conv(batch, 28, 28, 1, 26, 26, 32, 3, 3, 1, 1, 1, 1, 0, 0, 1, "relu"),
                    OneDnn.pool(batch, 26, 26, 32, 13, 13, 2, 2, 2, 2, 0, 0, true),
                    OneDnn.conv(batch, 13, 13, 32, 11, 11, 64, 3, 3, 1, 1, 1, 1, 0, 0, 1, "relu"),
                    OneDnn.pool(batch, 11, 11, 64, 5, 5, 2, 2, 2, 2, 0, 0, true),
                    OneDnn.conv(batch, 5, 5, 64, 3, 3, 64, 3, 3, 1, 1, 1, 1, 0, 0, 1, "relu"),
                    OneDnn.innerProduct(batch, 576, 64, "relu"),
                    OneDnn.innerProduct(batch, 64, 10, "linear"),
                    OneDnn.softmax(batch, 10));
            int[][] weightShapes = {{288, 32}, null, {18432, 64}, null, {36864, 64}, {36864, 64}, {640, 10}, null};
            for (int i = 0; i < ops.size(); i++) {
                if (weightShapes[i] != null) {
                    ops.get(i).set(OneDnn.WEIGHTS, Bench.random(random, weightShapes[i][0]))
                            .set(OneDnn.BIAS, Bench.random(random, weightShapes[i][1]));
                }
                if (i > 0) ops.get(i).feedFrom(ops.get(i - 1));
            }
            ops.get(0).set(OneDnn.SRC, images);
            measure(() -> {
                for (OneDnn.Op op : ops) op.executeStep();
            }, () -> {
                for (OneDnn.Op op : ops) op.close();
            });
            return;
        }
        Backend backend = Impl.of(impl).backend();
        Sequential model = SeedModels.cnn().backend(backend).threads(threads).build();
        Tensor input = backend.allocate(batch, 28, 28, 1).copyFrom(images);
        measure(() -> model.predict(input).close(), () -> {
            model.close();
            input.close();
        });
    }
}

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
 * The whole seed RNN (Embedding(10000, 64) on 100 ids, LSTM(64), Dense(64, relu),
 * Dense(10, softmax)) at batch 1 and 32: Neurite's {@code predict}; oneDNN's LSTM, inner
 * products and softmax chained in place, after an embedding gather in Java (oneDNN has no
 * embedding primitive) and without masking (oneDNN has none); the same network with
 * Neurite's weights on ONNX Runtime (checked against Neurite's output first; no mask either,
 * which the ids, none of them padding, do not need); and the Java fallback.
 */
public class SeedRnnBenchmark extends PeerBenchmark {
    @Param({"1", "32"})
    public int batch;

    @Param({"neurite", "neurite_avx2", "onednn", "onnxruntime", "java"})
    public String impl;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        float[] ids = SeedModels.wordIds(random, batch);
        if (Impl.of(impl) == Impl.ONNXRUNTIME) {
            try (Sequential neurite = SeedModels.rnn().backend(Impl.NEURITE.backend()).threads(threads).build()) {
                OrtSeedModel ort = OrtSeedModel.rnn(neurite, ids, batch, threads);
                measure(ort::run, ort);
            }
            return;
        }
        if (Impl.of(impl) == Impl.ONEDNN) {
            float[] table = Bench.random(random, 10000 * 64);
            OneDnn.Op lstm = OneDnn.rnn("lstm", true, batch, 100, 64, 64)
                    .set(OneDnn.WEIGHTS_LAYER, Bench.random(random, 64 * 256))
                    .set(OneDnn.WEIGHTS_ITER, Bench.random(random, 64 * 256)).set(OneDnn.BIAS, Bench.random(random, 256));
            // The LSTM's last step feeds the dense layers: a [batch, 64] slice of [batch, 100, 64].
            List<OneDnn.Op> head = List.of(OneDnn.innerProduct(batch, 64, 64, "relu"), OneDnn.innerProduct(batch, 64, 10, "linear"),
                    OneDnn.softmax(batch, 10));
            head.get(0).set(OneDnn.WEIGHTS, Bench.random(random, 64 * 64)).set(OneDnn.BIAS, Bench.random(random, 64));
            head.get(1).set(OneDnn.WEIGHTS, Bench.random(random, 640)).set(OneDnn.BIAS, Bench.random(random, 10));
            head.get(1).feedFrom(head.get(0));
            head.get(2).feedFrom(head.get(1));
            java.nio.FloatBuffer embedded = lstm.buffer(OneDnn.SRC_LAYER), sequence = lstm.buffer(OneDnn.DST_LAYER);
            java.nio.FloatBuffer last = head.get(0).buffer(OneDnn.SRC);
            measure(() -> {
                for (int i = 0; i < ids.length; i++) embedded.put(i * 64, table, (int) ids[i] * 64, 64);
                lstm.executeStep();
                for (int b = 0; b < batch; b++) last.put(b * 64, sequence, (b * 100 + 99) * 64, 64);
                for (OneDnn.Op op : head) op.executeStep();
            }, () -> {
                lstm.close();
                for (OneDnn.Op op : head) op.close();
            });
            return;
        }
        Backend backend = Impl.of(impl).backend();
        Sequential model = SeedModels.rnn().backend(backend).threads(threads).build();
        Tensor input = backend.allocate(batch, 100).copyFrom(ids);
        measure(() -> model.predict(input).close(), () -> {
            model.close();
            input.close();
        });
    }
}

package org.neurite.bench;

import java.util.Random;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.Dense;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Weights;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The seed CNN's dense layers' backward pass, batch 32 (ReLU fused in the first; the second
 * taken before its softmax): the input's, kernel's and bias' gradients after one training
 * forward pass in the setup. Neurite's layer as a model runs it; oneDNN's ReLU and
 * inner-product backward primitives alone; the Java fallback.
 */
public class DenseTrainingBenchmark extends PeerBenchmark {
    @Param({"seed_dense1", "seed_dense2"})
    public String shape;

    @Param({"neurite", "neurite_avx2", "onednn", "java"})
    public String impl;

    @Setup
    public void setUp() {
        Problem p = Problem.find("dense", shape);
        int batch = p.integer("mb", 1), in = p.integer("in", 0), out = p.integer("out", 0);
        boolean relu = p.text("act", "linear").equals("relu");
        Random random = new Random(1);
        float[] x = Bench.random(random, batch * in), kernel = Bench.random(random, in * out);
        float[] bias = Bench.random(random, out), dy = Bench.random(random, batch * out);
        if (Impl.of(impl) == Impl.ONEDNN) {
            OneDnn.Op activation = relu ? OneDnn.reluBackward(dy.length).set(OneDnn.DST, dy).set(OneDnn.DIFF_DST, dy) : null;
            OneDnn.Op weights = OneDnn.innerProductBackward(false, batch, in, out).set(OneDnn.SRC, x).set(OneDnn.DIFF_DST, dy);
            OneDnn.Op data = OneDnn.innerProductBackward(true, batch, in, out).set(OneDnn.DIFF_DST, dy)
                    .set(OneDnn.WEIGHTS, kernel);
            measure(() -> {
                if (activation != null) activation.execute();
                weights.execute();
                data.execute();
            }, () -> {
                if (activation != null) activation.close();
                weights.close();
                data.close();
            });
            return;
        }
        Backend backend = Impl.of(impl).backend();
        Dense layer = new Dense(out, relu ? Activation.RELU : Activation.LINEAR);
        Sequential model = new Sequential(in).add(layer).backend(backend).threads(threads).build();
        layer.setWeights(Weights.shaped(layer, kernel, bias));
        Tensor input = backend.allocate(batch, in).copyFrom(x), gradient = backend.allocate(batch, out).copyFrom(dy);
        measureTraining(model, input, gradient, true);
    }
}

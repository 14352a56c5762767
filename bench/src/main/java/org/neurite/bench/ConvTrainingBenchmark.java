package org.neurite.bench;

import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.layers.ConvolutionLayer;
import org.neurite.testkit.ConvCase;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Weights;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The backward pass of the seed CNN's convolution layers (ReLU fused), batch 32: the gradients
 * of the input, the kernel and the bias from the output's, after one training forward pass in
 * the setup. Neurite's layer as a model runs it; oneDNN's ReLU, backward-weights and
 * backward-data primitives alone (reorders outside the timed region); the Java fallback.
 */
public class ConvTrainingBenchmark extends PeerBenchmark {
    @Param({"seed_conv1", "seed_conv2", "seed_conv3"})
    public String shape;

    @Param({"neurite", "neurite_avx2", "onednn", "java"})
    public String impl;

    @Setup
    public void setUp() {
        ConvCase c = ConvCase.of(Problem.find("conv", shape));
        Random random = new Random(1);
        float[] x = Bench.random(random, c.inputSize()), kernel = Bench.random(random, c.kernelSize());
        float[] bias = Bench.random(random, c.outC());
        float[] dy = Bench.random(random, c.batch() * c.outH() * c.outW() * c.outC());
        if (Impl.of(impl) == Impl.ONEDNN) {
            OneDnn.Op relu = OneDnn.reluBackward(dy.length).set(OneDnn.DST, dy).set(OneDnn.DIFF_DST, dy);
            OneDnn.Op weights = c.oneDnnBackward(false).set(OneDnn.SRC, x).set(OneDnn.DIFF_DST, dy);
            OneDnn.Op data = c.oneDnnBackward(true).set(OneDnn.DIFF_DST, dy).set(OneDnn.WEIGHTS, kernel);
            measure(() -> {
                relu.execute();
                weights.execute();
                data.execute();
            }, () -> {
                relu.close();
                weights.close();
                data.close();
            });
            return;
        }
        Backend backend = Impl.of(impl).backend();
        ConvolutionLayer<?> layer = c.layer();
        Sequential model = new Sequential(c.inputShape()).add(layer).backend(backend).threads(threads).build();
        layer.setWeights(Weights.shaped(layer, kernel, bias));
        Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x);
        Tensor gradient = backend.allocate(c.outputShape()).copyFrom(dy);
        measureTraining(model, input, gradient, true);
    }
}

package org.neurite.bench;

import java.util.Random;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.ConvOp;
import org.neurite.layers.ConvolutionLayer;
import org.neurite.testkit.ConvCase;
import org.neurite.testkit.OneDnn;
import org.neurite.testkit.Problem;
import org.neurite.testkit.Weights;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The seed CNN's convolutions, kernel against kernel: Neurite's op on pre-packed weights into
 * a reused output, oneDNN's primitive alone (reorders outside the timed region), and the
 * Java fallback.
 */
public class ConvBenchmark extends PeerBenchmark {
    @Param({"seed_conv1", "seed_conv2", "seed_conv3", "seed_conv1_b1", "seed_conv2_b1"})
    public String shape;

    @Param({"neurite", "neurite_avx2", "onednn", "java"})
    public String impl;

    @Setup
    public void setUp() {
        ConvCase c = ConvCase.of(Problem.find("conv", shape));
        Random random = new Random(1);
        float[] x = Bench.random(random, c.inputSize()), kernel = Bench.random(random, c.kernelSize());
        float[] bias = Bench.random(random, c.outC());
        if (Impl.of(impl) == Impl.ONEDNN) {
            OneDnn.Op op = c.oneDnn().set(OneDnn.SRC, x).set(OneDnn.WEIGHTS, kernel).set(OneDnn.BIAS, bias);
            measure(op::execute, op);
            return;
        }
        Backend backend = Impl.of(impl).backend();
        ConvolutionLayer<?> layer = c.layer();
        Sequential model = new Sequential(c.inputShape()).add(layer).backend(backend).build();
        layer.setWeights(Weights.shaped(layer, kernel, bias));
        Tensor input = backend.allocate(c.batchInputShape()).copyFrom(x);
        Tensor output = backend.allocate(c.outputShape());
        ConvOp op = backend.conv(layer.geometry());
        try (Tensor k = backend.allocate(kernel.length).copyFrom(kernel)) {
            op.setKernel(k);
        }
        Tensor b = backend.allocate(bias.length).copyFrom(bias);
        measure(() -> op.forward(input, b, output, threads), () -> {
            model.close();
            input.close();
            output.close();
            op.close();
            b.close();
        });
    }
}

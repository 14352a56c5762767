package org.neurite.bench.onnx;

import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backends;
import org.neurite.bench.SeedModels;
import org.neurite.layers.Layer;
import org.neurite.testkit.Weights;

/**
 * Checks, without JMH, that ONNX Runtime computes the seed models as Neurite does: both
 * models at batch 1 and 32, with Neurite's initial weights (as the benchmarks run them) and
 * again with random biases, which start at zero and so would hide a misplaced bias. Prints
 * the largest absolute difference of each; a difference above {@link OrtSeedModel#TOLERANCE}
 * ends the run with an exception.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar org.neurite.bench.onnx.OnnxCheck [threads]
 * }</pre>
 */
public final class OnnxCheck {
    private OnnxCheck() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        System.out.printf("%-9s %6s %-16s %14s%n", "model", "batch", "weights", "max |diff|");
        for (boolean randomBiases : new boolean[] {false, true}) {
            for (int batch : new int[] {1, 32}) {
                check("seed CNN", SeedModels.cnn(), SeedModels::images, OrtSeedModel::cnn, randomBiases, batch, threads);
                check("seed RNN", SeedModels.rnn(), SeedModels::wordIds, OrtSeedModel::rnn, randomBiases, batch, threads);
            }
        }
    }

    /** {@link OrtSeedModel#cnn} or {@link OrtSeedModel#rnn}. */
    @FunctionalInterface
    private interface OrtOpener {
        OrtSeedModel open(Sequential neurite, float[] input, int batch, int threads);
    }

    private static void check(String name, Sequential seedModel, BiFunction<Random, Integer, float[]> input, OrtOpener ort,
                              boolean randomBiases, int batch, int threads) {
        Random random = new Random(1);
        try (Sequential neurite = seedModel.backend(Backends.nativeBackend()).threads(threads).build()) {
            if (randomBiases) randomizeBiases(neurite, random);
            double difference;
            try (OrtSeedModel peer = ort.open(neurite, input.apply(random, batch), batch, threads)) {
                difference = peer.maxAbsDifference();
            }
            System.out.printf("%-9s %6d %-16s %14.3g%n", name, batch, randomBiases ? "random biases" : "initial", difference);
        }
    }

    /** Every layer's last weight array is its bias (Keras' order), where it has more than one. */
    private static void randomizeBiases(Sequential model, Random random) {
        for (Layer layer : model.layers()) {
            List<float[]> weights = layer.getWeights().stream().map(Tensor::toArray).toList();
            if (weights.size() < 2) continue;
            float[] bias = weights.get(weights.size() - 1);
            for (int i = 0; i < bias.length; i++) bias[i] = random.nextFloat() - 0.5f;
            layer.setWeights(Weights.shaped(layer, weights.toArray(new float[0][])));
        }
    }
}

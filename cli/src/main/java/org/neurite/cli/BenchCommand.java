package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import org.neurite.Sequential;
import org.neurite.data.Dataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Batch-1 latency (median, p90, p99) and batch-32 throughput of a model file or a seed model (random weights and inputs).")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Option(names = "--model", defaultValue = "seed-cnn", description = "A model file, seed-cnn or seed-rnn (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--runs", defaultValue = "500", description = "Batch-1 calls measured (default ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws IOException {
        Checks.positive("--runs", runs);
        Sequential m;
        int ids;  // a text model's vocabulary, which its random inputs must stay within; 1 for images
        if (model.equals("seed-cnn") || model.equals("seed-rnn")) {
            ids = model.equals("seed-rnn") ? 10000 : 1;
            m = common.configure(model.equals("seed-cnn") ? ModelKind.CNN.build(new int[] {28, 28, 1}, 10, 0)
                    : ModelKind.LSTM.build(new int[] {100}, 10, ids)).build();
        } else {
            Loaded loaded = Loaded.open(Path.of(model), common);
            ids = loaded.vocabulary() == null ? 1 : loaded.vocabulary().size();
            m = loaded.model();
        }
        try (m) {
            Dataset samples = random(m.inputShape(), ids);
            Latency l = Latency.measure(m, samples, runs);
            var out = spec.commandLine().getOut();
            out.printf("%s on %s, %d threads: batch-1 latency median %.1f us, p90 %.1f us, p99 %.1f us; batch-32 throughput %.0f samples/s%n",
                    model, m.backend().name(), m.threads(), l.medianMicros(), l.p90Micros(), l.p99Micros(), l.batchThroughput());
        }
        return 0;
    }

    /** 32 random samples: values in [0, 1), or word ids below {@code ids} when ids > 1. */
    private static Dataset random(int[] shape, int ids) {
        Random r = new Random(1);
        int size = 1;
        for (int d : shape) size *= d;
        float[] x = new float[32 * size];
        for (int i = 0; i < x.length; i++) x[i] = ids > 1 ? 1 + r.nextInt(ids - 1) : r.nextFloat();
        return Dataset.of(x, shape, new float[32]);
    }
}

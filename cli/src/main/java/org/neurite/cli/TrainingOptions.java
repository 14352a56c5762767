package org.neurite.cli;

import picocli.CommandLine.Option;

/** The training settings train and compare share. */
final class TrainingOptions {
    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N samples of a data set only (0: all).")
    int limit;

    @Option(names = "--vocabulary", defaultValue = "10000", description = "Text models: words kept, padding and unknown included (default ${DEFAULT-VALUE}).")
    int vocabulary;

    @Option(names = "--length", defaultValue = "200", description = "Text models: words read per e-mail (default ${DEFAULT-VALUE}).")
    int length;

    /** The data set as {@code kind} reads it. */
    Workload load(ModelKind kind, Common common) {
        Checks.positive("--batch", batch);
        Checks.notNegative("--limit", limit);
        if (kind.data == DataName.MNIST) return Workload.mnist(kind, common.mnistDir, limit);
        Checks.positive("--length", length);
        if (vocabulary < 3) throw new UsageException("--vocabulary must be at least 3 (padding, unknown and one word), got " + vocabulary);
        return Workload.spam(common.spamDir, vocabulary, length, limit, null);
    }
}

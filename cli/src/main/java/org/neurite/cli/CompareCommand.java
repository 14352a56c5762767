package org.neurite.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.neurite.train.Metric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Train and evaluate the CNN and RNN families (MNIST: cnn, rowlstm; SpamAssassin: lstm, gru, cnn1d) and write a report folder: report.md and PNG charts.")
final class CompareCommand implements Callable<Integer> {
    static final List<ModelKind> DEFAULT_MODELS = List.of(ModelKind.CNN, ModelKind.ROWLSTM, ModelKind.LSTM, ModelKind.GRU, ModelKind.CNN1D);

    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Option(names = "--epochs", description = "Epochs per model (default 8; 20 with --full; early stopping may end sooner).")
    Integer epochs;

    @Option(names = "--full", description = "The full-size comparison: up to 20 epochs per model.")
    boolean full;

    @Option(names = "--models", split = ",", description = "Models to compare (default cnn,rowlstm,lstm,gru,cnn1d).")
    List<String> models;

    @Mixin
    TrainingOptions training;

    @Option(names = "--runs", defaultValue = "300", description = "Batch-1 calls timed per model (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--out", defaultValue = "neurite-report", description = "The report folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        int n = epochs != null ? epochs : full ? 20 : 8;
        Checks.positive("--epochs", n);
        Checks.positive("--runs", runs);
        List<ModelKind> kinds = models == null ? DEFAULT_MODELS : models.stream().map(ModelKind::parse).toList();
        Files.createDirectories(out);
        var print = spec.commandLine().getOut();
        List<Report.Row> rows = new ArrayList<>();
        Map<String, Workload> loaded = new HashMap<>(); // each data set once, as images or as rows
        for (ModelKind kind : kinds) {
            Workload w = loaded.computeIfAbsent(kind.data + (kind.readsRows() ? " rows" : ""), key -> training.load(kind, common));
            Training.Result r = Training.run(kind, w, n, training.batch, training.seed, common, print);
            try (var model = r.model()) {
                Latency latency = Latency.measure(model, w.test(), runs);
                String name = kind.id() + "-" + w.data().id();
                Charts.curves(out.resolve("curves-" + name + ".png"), kind.id() + " on " + w.data().id() + ": learning curves", r.history());
                Charts.confusion(out.resolve("confusion-" + name + ".png"), kind.id() + " on " + w.data().id() + ": test confusion matrix",
                        r.test().confusionMatrix(), w.classNames());
                rows.add(new Report.Row(kind, w, r.test().get(Metric.ACCURACY), r.test().get(Metric.PRECISION),
                        r.test().get(Metric.RECALL), r.test().get(Metric.F1), r.history().epochs(), r.seconds(), r.samplesPerSecond(), latency,
                        r.test().confusionMatrix()));
                if (!common.quiet) print.printf("%s: batch-1 latency %.0f us (median), batch-32 %.0f samples/s%n", name,
                        latency.medianMicros(), latency.batchThroughput());
            }
        }
        List<String> names = rows.stream().map(r -> r.kind().id() + "/" + r.workload().data().id()).toList();
        Charts.bars(out.resolve("speed.png"), "Speed (" + InfoCommand.cpuModel() + ")", "samples per second", names,
                List.of("training", "inference, batch 32", "inference, batch 1"),
                List.of(rows.stream().map(Report.Row::trainingThroughput).toList(),
                        rows.stream().map(r -> r.latency().batchThroughput()).toList(),
                        rows.stream().map(r -> 1e6 / r.latency().medianMicros()).toList()));
        String threads = common.threads != null ? common.threads.toString() : Integer.toString(Runtime.getRuntime().availableProcessors());
        String report = Report.markdown(rows, String.format(Locale.ROOT,
                "%s, %s threads, %s backend, %d epochs at most (early stopping on validation loss, patience 2), batch %d, seed %d%s; %s",
                InfoCommand.cpuModel(), threads, common.backend().name(), n, training.batch, training.seed,
                training.limit > 0 ? ", first " + training.limit + " training samples" : "", LocalDate.now()));
        Files.writeString(out.resolve("report.md"), report);
        print.println("wrote " + out.resolve("report.md") + " and " + (2 * rows.size() + 1) + " charts");
        return 0;
    }
}

package org.neurite.cli;

import java.io.PrintWriter;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.neurite.Sequential;
import org.neurite.train.Adam;
import org.neurite.train.Callback;
import org.neurite.train.EarlyStopping;
import org.neurite.train.Evaluation;
import org.neurite.train.Fit;
import org.neurite.train.History;
import org.neurite.train.Loss;
import org.neurite.train.Metric;

/** Trains one model on one workload as the commands do: Adam, sparse categorical cross-entropy, a validation split, early stopping. */
final class Training {
    record Result(Sequential model, History history, Evaluation test, double seconds, double samplesPerSecond) {}

    /** The share of the training samples held out to pick the best epoch. */
    static final double VALIDATION_SPLIT = 0.1;

    private Training() {}

    static Result run(ModelKind kind, Workload w, int epochs, int batch, long seed, Common common, PrintWriter out) {
        Sequential model = common.configure(kind.build(w).seed(seed));
        model.compile(new Adam(), Loss.sparseCategoricalCrossentropy(), Metric.ACCURACY, Metric.PRECISION, Metric.RECALL, Metric.F1);
        EarlyStopping stop = new EarlyStopping("val_loss", 2).restoreBestWeights();
        Fit fit = Fit.epochs(epochs).batchSize(batch).seed(seed).validationSplit(VALIDATION_SPLIT)
                .callbacks(stop, progress(kind, w, epochs, batch, common.quiet, out));
        long start = System.nanoTime();
        History history = model.fit(w.train(), fit);
        double seconds = (System.nanoTime() - start) / 1e9;
        double trained = history.samplesPerSecond().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        Evaluation test = model.evaluate(w.test(), 256);
        if (!common.quiet) {
            out.printf("%s on %s: training %s samples/s per epoch (%d threads, batch %d); test accuracy %.4f, F1 %.4f%n", kind.id(),
                    w.data().id(), history.samplesPerSecond().stream().map(v -> String.format("%.0f", v)).toList(), model.threads(), batch,
                    test.get(Metric.ACCURACY), test.get(Metric.F1));
        }
        return new Result(model, history, test, seconds, trained);
    }

    /** A progress bar with ETA, loss and accuracy on a terminal; one line per epoch otherwise; nothing with --quiet. */
    static Callback progress(ModelKind kind, Workload w, int epochs, int batch, boolean quiet, PrintWriter out) {
        if (quiet) return new Callback() {};
        int trainSamples = Fit.trainingSamples(w.train().size(), VALIDATION_SPLIT);
        long steps = (trainSamples + batch - 1) / batch;
        boolean terminal = System.console() != null;
        return new Callback() {
            ProgressBar bar;

            @Override
            public void onEpochBegin(Sequential model, int epoch) {
                if (terminal) bar = new ProgressBarBuilder().setTaskName(kind.id() + " " + (epoch + 1) + "/" + epochs)
                        .setInitialMax(steps).setStyle(ProgressBarStyle.ASCII).continuousUpdate().build();
            }

            @Override
            public void onBatchEnd(Sequential model, int step, Map<String, Double> logs) {
                if (bar != null) {
                    bar.stepTo(step + 1);
                    bar.setExtraMessage(String.format(" loss %.4f acc %.4f", logs.get("loss"), logs.get("accuracy")));
                }
            }

            @Override
            public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
                if (bar != null) bar.close();
                out.printf("%s %s epoch %d/%d: loss %.4f accuracy %.4f, validation loss %.4f accuracy %.4f%n", kind.id(), w.data().id(),
                        epoch + 1, epochs, logs.get("loss"), logs.get("accuracy"), logs.get("val_loss"), logs.get("val_accuracy"));
            }
        };
    }
}

package org.neurite.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.neurite.train.ConfusionMatrix;
import org.neurite.train.Evaluation;
import org.neurite.train.Metric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on its data set's test split: accuracy, precision, recall, F1, confusion matrix.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Option(names = "--model", required = true, description = "A model file written by neurite train.")
    Path file;

    @Option(names = "--data", description = "mnist or spam; must be the data the model was trained on (default: that data).")
    String data;

    @Option(names = "--limit", defaultValue = "0", description = "Evaluate on a limited test set, as train --limit made it (0: all).")
    int limit;

    @Override
    public Integer call() throws IOException {
        Checks.notNegative("--limit", limit);
        try (Loaded loaded = Loaded.open(file, common)) {
            if (data != null) loaded.kind().check(DataName.parse(data));
            Workload w = loaded.workload(common, limit);
            Evaluation e = loaded.model().evaluate(w.test(), 256);
            print(spec.commandLine().getOut(), loaded.kind(), w, e);
        }
        return 0;
    }

    static void print(PrintWriter out, ModelKind kind, Workload w, Evaluation e) {
        ConfusionMatrix m = e.confusionMatrix();
        out.printf("%s on %s test (%d samples): loss %.4f, accuracy %.4f, precision %.4f, recall %.4f, F1 %.4f%n", kind.id(), w.data().id(),
                m.total(), e.loss(), e.get(Metric.ACCURACY), e.get(Metric.PRECISION), e.get(Metric.RECALL), e.get(Metric.F1));
        out.println("class      precision  recall     F1         support");
        for (int c = 0; c < m.classes(); c++) {
            out.printf("%-10s %-10.4f %-10.4f %-10.4f %d%n", w.classNames().get(c), m.precision(c), m.recall(c), m.f1(c), m.support(c));
        }
        out.printf("macro      %-10.4f %-10.4f %-10.4f%n", m.macroPrecision(), m.macroRecall(), m.macroF1());
        out.printf("weighted   %-10.4f %-10.4f %-10.4f%n", m.weightedPrecision(), m.weightedRecall(), m.weightedF1());
        out.println("confusion matrix (rows: actual, columns: predicted):");
        out.print(m);
    }
}

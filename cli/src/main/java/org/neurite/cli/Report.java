package org.neurite.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.neurite.train.ConfusionMatrix;

/** The comparison's Markdown report: one table of quality and speed, and a reading of it computed from the numbers. */
final class Report {
    record Row(ModelKind kind, Workload workload, double accuracy, double precision, double recall, double f1, int epochs,
               double trainingSeconds, double trainingThroughput, Latency latency, ConfusionMatrix confusion) {
        String name() {
            return kind.id() + "-" + workload.data().id();
        }
    }

    private Report() {}

    static String markdown(List<Row> rows, String setting) {
        StringBuilder s = new StringBuilder("# Neurite: CNN and RNN families compared\n\n");
        s.append("Setting: ").append(setting).append(".\n\n");
        s.append("Precision, recall and F1: of the spam class on SpamAssassin; macro averages over the ten digits on MNIST.\n\n");
        s.append("| data | model | accuracy | precision | recall | F1 | epochs | training time | training samples/s | "
                + "batch-1 latency (median / p90 / p99) | batch-32 samples/s |\n");
        s.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f | %.4f | %.4f | %d | %.1f s | %,.0f | %.0f / %.0f / %.0f us | %,.0f |%n",
                    r.workload.data().id(), r.kind.id(), r.accuracy, r.precision, r.recall, r.f1, r.epochs, r.trainingSeconds,
                    r.trainingThroughput, r.latency.medianMicros(), r.latency.p90Micros(), r.latency.p99Micros(), r.latency.batchThroughput()));
        }
        s.append("\n## Reading\n\n");
        for (DataName data : DataName.values()) {
            List<Row> of = rows.stream().filter(r -> r.workload.data() == data).toList();
            if (of.isEmpty()) continue;
            Row best = of.stream().max(Comparator.comparingDouble(Row::accuracy)).orElseThrow();
            Row fastest = of.stream().max(Comparator.comparingDouble(Row::trainingThroughput)).orElseThrow();
            Row quickest = of.stream().min(Comparator.comparingDouble(r -> r.latency.medianMicros())).orElseThrow();
            s.append(String.format(Locale.ROOT, "- **%s**: %s is the most accurate (%.2f%% of %d test samples, %d wrong)", data.id(),
                    best.kind.id(), 100 * best.accuracy, best.confusion.total(), wrong(best)));
            for (Row r : of) {
                if (r == best) continue;
                s.append(String.format(Locale.ROOT, "; %s reaches %.2f%% (%d wrong)", r.kind.id(), 100 * r.accuracy, wrong(r)));
            }
            s.append(String.format(Locale.ROOT, ". %s trains fastest (%,.0f samples/s", fastest.kind.id(), fastest.trainingThroughput));
            for (Row r : of) {
                if (r != fastest) s.append(String.format(Locale.ROOT, ", %.1fx %s's", fastest.trainingThroughput / r.trainingThroughput, r.kind.id()));
            }
            s.append(String.format(Locale.ROOT, ") and %s answers one sample fastest (%.0f us median).", quickest.kind.id(),
                    quickest.latency.medianMicros()));
            if (data == DataName.SPAM) {
                Row recall = of.stream().max(Comparator.comparingDouble(Row::recall)).orElseThrow();
                s.append(String.format(Locale.ROOT, " %s misses the fewest spam e-mails (recall %.2f%%).", recall.kind.id(), 100 * recall.recall));
            }
            s.append('\n');
        }
        s.append("\n## Charts\n\n![speed](speed.png)\n\n");
        for (Row r : rows) {
            s.append("![").append(r.name()).append(" curves](curves-").append(r.name()).append(".png)\n");
            s.append("![").append(r.name()).append(" confusion](confusion-").append(r.name()).append(".png)\n\n");
        }
        return s.toString();
    }

    private static long wrong(Row r) {
        long correct = 0;
        for (int c = 0; c < r.confusion.classes(); c++) correct += r.confusion.count(c, c);
        return r.confusion.total() - correct;
    }
}

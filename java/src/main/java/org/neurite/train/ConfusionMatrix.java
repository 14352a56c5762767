package org.neurite.train;

import java.util.Arrays;

/**
 * Counts of (true class, predicted class) pairs, with the metrics derived from them: accuracy,
 * and precision, recall and F1 per class, macro-averaged (unweighted over classes) and
 * weighted by each class's support. A ratio with a zero denominator is 0, as scikit-learn's
 * {@code zero_division=0}. For a binary problem the scores of class 1 are kept too, for the AUC.
 */
public final class ConfusionMatrix {
    private final long[][] counts;
    private float[] scores = new float[0];
    private boolean[] positives = new boolean[0];
    private int scored;

    public ConfusionMatrix(int classes) {
        if (classes < 2) throw new IllegalArgumentException("a confusion matrix needs 2 or more classes, got " + classes);
        counts = new long[classes][classes];
    }

    public int classes() {
        return counts.length;
    }

    public boolean binary() {
        return counts.length == 2;
    }

    public void add(int actual, int predicted) {
        counts[actual][predicted]++;
    }

    /** Adds a binary sample with its score for class 1 (its rank decides the AUC), predicted positive above 0.5 as in Keras. */
    public void addScored(int actual, float score) {
        addScored(actual, score > 0.5f ? 1 : 0, score);
    }

    /** Adds a binary sample predicted by other means (the arg-max of two classes) with its score for class 1. */
    public void addScored(int actual, int predicted, float score) {
        add(actual, predicted);
        if (scored == scores.length) {
            scores = Arrays.copyOf(scores, Math.max(64, 2 * scored));
            positives = Arrays.copyOf(positives, scores.length);
        }
        scores[scored] = score;
        positives[scored++] = actual == 1;
    }

    /** counts[actual][predicted], a copy. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) copy[i] = counts[i].clone();
        return copy;
    }

    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) for (long c : row) n += c;
        return n;
    }

    /** Samples of class c. */
    public long support(int c) {
        long n = 0;
        for (long v : counts[c]) n += v;
        return n;
    }

    private long predictedAs(int c) {
        long n = 0;
        for (long[] row : counts) n += row[c];
        return n;
    }

    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < counts.length; c++) correct += counts[c][c];
        return ratio(correct, total());
    }

    public double precision(int c) {
        return ratio(counts[c][c], predictedAs(c));
    }

    public double recall(int c) {
        return ratio(counts[c][c], support(c));
    }

    public double f1(int c) {
        double p = precision(c), r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroPrecision() {
        return macro(this::precision);
    }

    public double macroRecall() {
        return macro(this::recall);
    }

    public double macroF1() {
        return macro(this::f1);
    }

    public double weightedPrecision() {
        return weighted(this::precision);
    }

    public double weightedRecall() {
        return weighted(this::recall);
    }

    public double weightedF1() {
        return weighted(this::f1);
    }

    /**
     * The area under the ROC curve of the scores added with {@link #addScored} (binary
     * problems): the probability that a random positive scores above a random negative, ties
     * counting one half. NaN without both classes.
     */
    public double auc() {
        int n = scored;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double rankSum = 0;
        long positive = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && scores[order[j]] == scores[order[i]]) j++;
            double averageRank = (i + 1 + j) / 2.0; // ranks i+1..j share their mean
            for (int k = i; k < j; k++) if (positives[order[k]]) { rankSum += averageRank; positive++; }
            i = j;
        }
        long negative = n - positive;
        if (positive == 0 || negative == 0) return Double.NaN;
        return (rankSum - positive * (positive + 1) / 2.0) / ((double) positive * negative);
    }

    private double macro(java.util.function.IntToDoubleFunction metric) {
        double sum = 0;
        for (int c = 0; c < counts.length; c++) sum += metric.applyAsDouble(c);
        return sum / counts.length;
    }

    private double weighted(java.util.function.IntToDoubleFunction metric) {
        double sum = 0;
        for (int c = 0; c < counts.length; c++) sum += metric.applyAsDouble(c) * support(c);
        return ratio(sum, total());
    }

    private static double ratio(double a, double b) {
        return b == 0 ? 0 : a / b;
    }

    /** Rows: actual class; columns: predicted. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (long[] row : counts) s.append(Arrays.toString(row)).append(System.lineSeparator());
        return s.toString();
    }
}

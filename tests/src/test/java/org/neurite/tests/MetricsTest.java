package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.neurite.train.ConfusionMatrix;
import org.neurite.train.Metric;

/** Metrics against confusion matrices worked out by hand. */
class MetricsTest {
    // actual \ predicted: [5 1 0], [2 3 1], [0 0 4]
    private static ConfusionMatrix threeClasses() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        int[][] counts = {{5, 1, 0}, {2, 3, 1}, {0, 0, 4}};
        for (int a = 0; a < 3; a++) for (int p = 0; p < 3; p++) for (int k = 0; k < counts[a][p]; k++) m.add(a, p);
        return m;
    }

    @Test
    void perClassMacroAndWeightedMetrics() {
        ConfusionMatrix m = threeClasses();
        assertEquals(16, m.total());
        assertEquals(0.75, m.accuracy(), 1e-12);
        assertEquals(5.0 / 7, m.precision(0), 1e-12);
        assertEquals(3.0 / 4, m.precision(1), 1e-12);
        assertEquals(4.0 / 5, m.precision(2), 1e-12);
        assertEquals(5.0 / 6, m.recall(0), 1e-12);
        assertEquals(0.5, m.recall(1), 1e-12);
        assertEquals(1.0, m.recall(2), 1e-12);
        assertEquals(10.0 / 13, m.f1(0), 1e-12);
        assertEquals(0.6, m.f1(1), 1e-12);
        assertEquals(8.0 / 9, m.f1(2), 1e-12);
        assertEquals((5.0 / 7 + 0.75 + 0.8) / 3, m.macroPrecision(), 1e-12);
        assertEquals((5.0 / 6 + 0.5 + 1) / 3, m.macroRecall(), 1e-12);
        assertEquals((10.0 / 13 + 0.6 + 8.0 / 9) / 3, m.macroF1(), 1e-12);
        assertEquals((6 * 10.0 / 13 + 6 * 0.6 + 4 * 8.0 / 9) / 16, m.weightedF1(), 1e-12);
        assertEquals((6 * 5.0 / 7 + 6 * 0.75 + 4 * 0.8) / 16, m.weightedPrecision(), 1e-12);
        assertEquals(m.accuracy(), m.weightedRecall(), 1e-12, "weighted recall is accuracy");
        assertEquals(m.macroF1(), Metric.F1.of(m), 1e-12, "a multi-class F1 metric is the macro average");
        assertEquals(2, m.count(1, 0));
    }

    @Test
    void binaryMetricsAreThoseOfClassOneAndAucRanksScores() {
        ConfusionMatrix m = new ConfusionMatrix(2);
        float[] positives = {0.9f, 0.8f, 0.4f}, negatives = {0.7f, 0.4f, 0.1f};
        for (float s : positives) m.addScored(1, s);
        for (float s : negatives) m.addScored(0, s);
        // threshold 0.5: positives 0.9, 0.8 right, 0.4 missed; negative 0.7 a false alarm
        assertEquals(2.0 / 3, Metric.PRECISION.of(m), 1e-12);
        assertEquals(2.0 / 3, Metric.RECALL.of(m), 1e-12);
        assertEquals(4.0 / 6, Metric.ACCURACY.of(m), 1e-12);
        // 9 (positive, negative) pairs: 0.9 and 0.8 beat all three, 0.4 beats 0.1 and ties 0.4
        assertEquals(7.5 / 9, Metric.AUC.of(m), 1e-12);
    }

    @Test
    void aScoreOfExactlyOneHalfIsNegativeAsInKeras() {
        ConfusionMatrix m = new ConfusionMatrix(2);
        m.addScored(1, 0.5f);
        m.addScored(0, Math.nextUp(0.5f));
        assertEquals(1, m.count(1, 0), "0.5 is not above Keras' threshold");
        assertEquals(1, m.count(0, 1), "just above 0.5 is");
    }

    @Test
    void aClassNeverPredictedHasZeroPrecisionNotNaN() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(0, 0);
        m.add(1, 0);
        m.add(2, 2);
        assertEquals(0, m.precision(1));
        assertEquals(0, m.recall(1));
        assertEquals(0, m.f1(1));
        assertTrue(Double.isNaN(new ConfusionMatrix(2).auc()), "no AUC without both classes");
    }
}

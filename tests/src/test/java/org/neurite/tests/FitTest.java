package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.data.Dataset;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.Embedding;
import org.neurite.layers.Flatten;
import org.neurite.layers.LSTM;
import org.neurite.layers.MaxPool2D;
import org.neurite.train.Adam;
import org.neurite.train.EarlyStopping;
import org.neurite.train.Evaluation;
import org.neurite.train.Fit;
import org.neurite.train.History;
import org.neurite.train.LearningRateScheduler;
import org.neurite.train.Loss;
import org.neurite.train.Metric;
import org.neurite.train.RMSprop;
import org.neurite.train.SGD;

/** compile / fit / evaluate end to end, on small learnable tasks generated here. */
class FitTest {
    /** Images of 8x8 with one bright bar, horizontal (class 0), vertical (1) or diagonal (2), on noise. */
    static Dataset bars(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * 64], y = new float[n];
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(3), at = 1 + random.nextInt(6);
            y[i] = label;
            for (int p = 0; p < 64; p++) x[i * 64 + p] = 0.3f * random.nextFloat();
            for (int k = 0; k < 8; k++) {
                int row = label == 0 ? at : k, col = label == 1 ? at : label == 0 ? k : k;
                x[i * 64 + row * 8 + col] += 1f;
            }
        }
        return Dataset.of(x, new int[] {8, 8, 1}, y);
    }

    /** Sequences of 12 token ids (1..9, 0 = padding at the end); class 1 iff token 7 occurs. */
    static Dataset sequences(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * 12], y = new float[n];
        for (int i = 0; i < n; i++) {
            int length = 4 + random.nextInt(9);
            boolean seven = random.nextBoolean();
            for (int t = 0; t < length; t++) {
                int token = 1 + random.nextInt(8);
                x[i * 12 + t] = token >= 7 ? token + 1 : token; // 1..6, 8, 9: no 7 yet
            }
            if (seven) x[i * 12 + random.nextInt(length)] = 7;
            y[i] = seven ? 1 : 0;
        }
        return Dataset.of(x, new int[] {12}, y);
    }

    static Sequential cnn(Backend backend) {
        return new Sequential(8, 8, 1).add(new Conv2D(8, 3, Activation.RELU)).add(new MaxPool2D(2)).add(new Flatten())
                .add(new Dense(16, Activation.RELU)).add(new Dense(3, Activation.SOFTMAX)).backend(backend).seed(7);
    }

    static Sequential rnn(Backend backend) {
        return new Sequential(12).add(new Embedding(10, 8).maskZero(true)).add(new LSTM(12))
                .add(new Dense(1, Activation.SIGMOID)).backend(backend).seed(7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void aSmallCnnLearnsBarsAndReportsEveryMetric(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = cnn(backend).compile(new Adam(0.01), Loss.sparseCategoricalCrossentropy(), Metric.ACCURACY,
                Metric.PRECISION, Metric.RECALL, Metric.F1)) {
            Evaluation before = model.evaluate(bars(300, 2), 50);
            History history = model.fit(bars(600, 1), Fit.epochs(4).batchSize(32).validationSplit(0.2));
            Evaluation after = model.evaluate(bars(300, 2), 50);
            assertEquals(List.of("loss", "accuracy", "precision", "recall", "f1", "val_loss", "val_accuracy", "val_precision",
                    "val_recall", "val_f1"), history.keys());
            assertEquals(4, history.epochs());
            assertTrue(history.last("loss") < history.get("loss").get(0), variant + ": the training loss fell " + history);
            assertTrue(after.get(Metric.ACCURACY) > 0.9, variant + ": accuracy after training " + after + ", before " + before);
            assertTrue(before.get(Metric.ACCURACY) < 0.6, variant + ": an untrained model is not already right " + before);
            assertEquals(300, after.confusionMatrix().total());
            assertEquals(after.confusionMatrix().macroF1(), after.get(Metric.F1), 1e-12);
            assertTrue(history.samplesPerSecond().get(0) > 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void anLstmLearnsWhetherATokenOccursWithBinaryCrossEntropy(Variant variant) {
        Backend backend = variant.activate();
        try (Sequential model = rnn(backend).compile(new Adam(0.02), Loss.binaryCrossentropy(), Metric.ACCURACY, Metric.AUC)) {
            model.fit(sequences(800, 3), Fit.epochs(6).batchSize(32));
            Evaluation result = model.evaluate(sequences(300, 4), 64);
            assertTrue(result.get(Metric.ACCURACY) > 0.9, variant + ": " + result);
            assertTrue(result.get(Metric.AUC) > 0.95, variant + ": " + result);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void fittingIsBitwiseTheSameOnOneAndTwoThreadsAndWhenResumedEpochByEpoch(Variant variant) {
        Backend backend = variant.activate();
        Dataset data = bars(200, 5);
        List<float[]> one, two, resumed;
        try (Sequential model = cnn(backend).threads(1).compile(new Adam(), Loss.sparseCategoricalCrossentropy())) {
            model.fit(data, Fit.epochs(2).batchSize(16));
            one = model.getWeights().stream().map(Tensor::toArray).toList();
        }
        try (Sequential model = cnn(backend).threads(2).compile(new Adam(), Loss.sparseCategoricalCrossentropy())) {
            model.fit(data, Fit.epochs(2).batchSize(16));
            two = model.getWeights().stream().map(Tensor::toArray).toList();
        }
        try (Sequential model = cnn(backend).threads(2).compile(new Adam(), Loss.sparseCategoricalCrossentropy())) {
            model.fit(data, Fit.epochs(1).batchSize(16));
            model.fit(data, Fit.epochs(2).batchSize(16).initialEpoch(1));
            resumed = model.getWeights().stream().map(Tensor::toArray).toList();
        }
        for (int i = 0; i < one.size(); i++) {
            Checks.assertBitwiseEqual(variant + ": weight " + i + ", 1 vs 2 threads", one.get(i), two.get(i));
            Checks.assertBitwiseEqual(variant + ": weight " + i + ", resumed", one.get(i), resumed.get(i));
        }
    }

    @Test
    void callbacksStopEarlyAndScheduleTheLearningRate() {
        Backend backend = Variant.bestNative().activate();
        EarlyStopping stop = new EarlyStopping("loss", 0, 10); // no epoch improves the loss by 10: stop after the second
        double[] rates = new double[4];
        int[] epochs = {0};
        LearningRateScheduler schedule = new LearningRateScheduler((epoch, rate) -> rates[epoch] = 0.1 / (epoch + 1));
        try (Sequential model = cnn(backend).compile(new SGD(0.1), Loss.sparseCategoricalCrossentropy())) {
            History h = model.fit(bars(64, 1), Fit.epochs(4).batchSize(16).callbacks(stop, schedule, new org.neurite.train.Callback() {
                @Override
                public void onEpochEnd(Sequential m, int epoch, Map<String, Double> logs) {
                    epochs[0]++;
                }
            }));
            assertEquals(2, h.epochs(), "patience 0: the first epoch sets the best, the second does not beat it by 10");
            assertEquals(1, stop.stoppedEpoch());
            assertEquals(0.05, model.optimizer().learningRate(), 1e-12);
            assertEquals(2, epochs[0]);
            assertEquals(0.1, rates[0], 1e-12);
        }
    }

    @Test
    void checkpointsKeepTheBestEpochsModel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        Backend backend = Variant.bestNative().activate();
        java.nio.file.Path file = dir.resolve("best.safetensors");
        org.neurite.train.ModelCheckpoint checkpoint = new org.neurite.train.ModelCheckpoint(file, "val_accuracy").saveBestOnly();
        try (Sequential model = cnn(backend).compile(new Adam(0.01), Loss.sparseCategoricalCrossentropy(), Metric.ACCURACY)) {
            History h = model.fit(bars(300, 1), Fit.epochs(4).batchSize(32).validationSplit(0.2).callbacks(checkpoint));
            List<Double> accuracy = h.get("val_accuracy");
            int improvements = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (double a : accuracy) if (a > best) { best = a; improvements++; }
            assertEquals(improvements, checkpoint.saves(), "one save per improvement of " + accuracy);
            try (Sequential saved = Sequential.load(file, backend)) {
                Evaluation e = saved.evaluate(bars(300, 1).slice(240, 300), 32);
                assertEquals(best, e.get(Metric.ACCURACY), 1e-12, "the file holds the best epoch's model");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void predictIsSafeWhileTheModelTrains(Variant variant) throws InterruptedException {
        Backend backend = variant.activate();
        Dataset data = bars(400, 1);
        float[] x = new float[16 * 64], y = new float[16];
        int[] order = java.util.stream.IntStream.range(0, 16).toArray();
        data.read(order, 0, 16, x, y);
        try (Sequential model = cnn(backend).compile(new Adam(0.01), Loss.sparseCategoricalCrossentropy());
             Tensor in = backend.allocate(16, 8, 8, 1).copyFrom(x)) {
            model.build();
            Throwable[] failure = new Throwable[1];
            // Training waits after its first step for two predictions: fit cannot end before predict
            // has run beside it (a fast fit once did, and left one call).
            java.util.concurrent.CountDownLatch predicted = new java.util.concurrent.CountDownLatch(2);
            org.neurite.train.Callback waitForPredict = new org.neurite.train.Callback() {
                @Override
                public void onBatchEnd(Sequential m, int batch, Map<String, Double> logs) {
                    try {
                        predicted.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            Thread trainer = new Thread(() -> {
                try {
                    model.fit(data, Fit.epochs(3).batchSize(8).callbacks(waitForPredict));
                } catch (Throwable t) {
                    failure[0] = t;
                }
            });
            trainer.start();
            int calls = 0;
            while (trainer.isAlive() || calls == 0) {
                try (Tensor out = model.predict(in)) {
                    float[] p = out.toArray();
                    for (int r = 0; r < 16; r++) {
                        double sum = 0;
                        for (int c = 0; c < 3; c++) sum += p[r * 3 + c];
                        assertEquals(1, sum, 1e-4, variant + ": call " + calls + ", row " + r + " is a distribution");
                    }
                }
                calls++;
                predicted.countDown();
            }
            trainer.join();
            if (failure[0] != null) throw new AssertionError("fit failed while predict ran", failure[0]);
            assertTrue(calls > 1, "predict ran during fit: " + calls + " calls");
        }
    }

    @Test
    void aNewOptimizerStartsFromZeroStateAsInKeras() {
        Backend backend = Variant.bestNative().activate();
        Dataset data = bars(64, 4);
        Fit oneEpoch = Fit.epochs(1).batchSize(16).shuffle(false);
        try (Sequential switched = cnn(backend).compile(new Adam(0.01), Loss.sparseCategoricalCrossentropy());
             Sequential fresh = cnn(backend)) {
            switched.fit(data, oneEpoch); // Adam's moments are now far from zero
            fresh.setWeights(switched.getWeights());
            switched.compile(new SGD(0.01, 0.9, false), Loss.sparseCategoricalCrossentropy());
            fresh.compile(new SGD(0.01, 0.9, false), Loss.sparseCategoricalCrossentropy());
            switched.fit(data, oneEpoch);
            fresh.fit(data, oneEpoch);
            List<Tensor> expected = fresh.getWeights(), actual = switched.getWeights();
            for (int i = 0; i < expected.size(); i++) {
                Checks.assertBitwiseEqual("weight " + i + " after SGD with momentum compiled after Adam", expected.get(i).toArray(),
                        actual.get(i).toArray());
            }
            // Adam compiled again after SGD lost its moments with the switch: it restarts from step 0, not mid-way.
            Adam adam = new Adam(0.01);
            switched.compile(adam, Loss.sparseCategoricalCrossentropy()).fit(data, oneEpoch);
            switched.compile(new SGD(0.01), Loss.sparseCategoricalCrossentropy());
            switched.compile(adam, Loss.sparseCategoricalCrossentropy());
            assertEquals(0, adam.iterations(), "Adam's step count after its moments were dropped");
            // A compile that fails changes nothing.
            assertThrows(IllegalArgumentException.class, () -> switched.compile(new SGD(0.01), null));
            assertTrue(switched.optimizer() == adam, "the failed compile kept the optimizer");
        }
    }

    @Test
    void compileIsRefusedWhileFitRuns() {
        Backend backend = Variant.bestNative().activate();
        try (Sequential model = cnn(backend).compile(new Adam(), Loss.sparseCategoricalCrossentropy())) {
            var e = assertThrows(IllegalStateException.class, () -> model.fit(bars(32, 2), Fit.epochs(1).batchSize(16)
                    .callbacks(new org.neurite.train.Callback() {
                        @Override
                        public void onEpochEnd(Sequential m, int epoch, Map<String, Double> logs) {
                            m.compile(new SGD(0.1), Loss.sparseCategoricalCrossentropy());
                        }
                    })));
            assertTrue(e.getMessage().contains("fit is running"), e.getMessage());
            model.compile(new SGD(0.1), Loss.sparseCategoricalCrossentropy()); // and allowed once fit has returned
        }
    }

    @Test
    void aValidationSplitHoldsOutWhatKerasDoes() {
        Backend backend = Variant.bestNative().activate();
        Dataset data = bars(10, 6);
        try (Sequential model = cnn(backend).compile(new SGD(0), Loss.sparseCategoricalCrossentropy())) {
            // Keras trains on the first int(10 * 0.75) = 7 samples and validates on the last 3.
            double validation = model.fit(data, Fit.epochs(1).batchSize(4).validationSplit(0.25)).get("val_loss").get(0);
            double lastThree = model.evaluate(data.slice(7, 10), 4).loss(); // learning rate 0: the weights did not move
            assertEquals(lastThree, validation, 1e-6 * lastThree);
        }
    }

    /**
     * Keras masks the loss and the metrics of a masked output: a sequence tagger's padding
     * steps count for nothing. The expected values are worked out in double from predict's
     * probabilities over the valid steps alone.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.neurite.tests.Variant#all")
    void aSequenceOutputsLossAndMetricsCountItsValidStepsAlone(Variant variant) {
        Backend backend = variant.activate();
        int n = 16, steps = 12, classes = 4;
        Random random = new Random(5);
        float[] x = new float[n * steps], y = new float[n * steps];
        for (int i = 0; i < n; i++) {
            int length = 3 + random.nextInt(steps - 3);
            for (int t = 0; t < steps; t++) {
                if (t < length) x[i * steps + t] = 1 + random.nextInt(9);
                y[i * steps + t] = t < length ? random.nextInt(classes) : 0; // padding labels too, which must not count
            }
        }
        try (Sequential model = new Sequential(steps).add(new Embedding(10, 8).maskZero(true)).add(new LSTM(6).returnSequences(true))
                .add(new Dense(classes, Activation.SOFTMAX)).backend(backend).seed(7)
                .compile(new SGD(0), Loss.sparseCategoricalCrossentropy(), Metric.ACCURACY);
             Tensor input = backend.allocate(n, steps).copyFrom(x)) {
            // A bias against class 0, the padding steps' label: counted, they would weigh heavily.
            List<Tensor> weights = model.getWeights();
            weights.get(weights.size() - 1).copyFrom(new float[] {-3, 1, 1, 1});
            model.setWeights(weights);
            float[] p;
            try (Sequential.MaskedPrediction prediction = model.predictWithMask(input, null)) {
                p = prediction.output().toArray();
                float[] mask = prediction.mask().toArray();
                for (int r = 0; r < n * steps; r++) assertEquals(x[r] != 0 ? 1f : 0f, mask[r], "the output's mask at row " + r);
            }
            double lossSum = 0, correct = 0;
            int valid = 0;
            for (int r = 0; r < n * steps; r++) {
                if (x[r] == 0) continue;
                valid++;
                int label = (int) y[r], best = 0;
                for (int c = 1; c < classes; c++) if (p[r * classes + c] > p[r * classes + best]) best = c;
                lossSum -= Math.log(p[r * classes + label]);
                correct += best == label ? 1 : 0;
            }
            double loss = lossSum / valid, accuracy = correct / valid;
            Dataset data = Dataset.of(x, new int[] {steps}, y, steps);
            Evaluation evaluation = model.evaluate(data, n);
            assertEquals(loss, evaluation.loss(), 1e-5 * loss, "evaluate's loss");
            assertEquals(accuracy, evaluation.get(Metric.ACCURACY), 1e-12, "evaluate's accuracy");
            History history = model.fit(data, Fit.epochs(1).batchSize(n).shuffle(false)); // learning rate 0: nothing moves
            assertEquals(loss, history.get("loss").get(0), 1e-5 * loss, "fit's loss");
            assertEquals(accuracy, history.get("accuracy").get(0), 1e-12, "fit's accuracy");

            // The labels at padding steps reach no gradient.
            float[] otherPadding = y.clone();
            for (int r = 0; r < n * steps; r++) if (x[r] == 0) otherPadding[r] = (y[r] + 1) % classes;
            List<float[]> gradients = new java.util.ArrayList<>();
            for (float[] labels : List.of(y, otherPadding)) {
                try (Tensor targets = backend.allocate(n, steps).copyFrom(labels)) {
                    model.forwardTraining(input, null);
                    assertEquals((float) loss, model.backward(Loss.sparseCategoricalCrossentropy(), targets, null), 1e-5 * loss);
                    for (var parameter : model.parameters()) gradients.add(parameter.gradient().toArray());
                }
            }
            int count = gradients.size() / 2;
            for (int k = 0; k < count; k++) {
                assertTrue(java.util.Arrays.equals(gradients.get(k), gradients.get(count + k)), "gradient " + k + " moved with a padding label");
            }
        }
    }

    /** A batch too large for one pass runs in chunks (256 samples here): the mask comes back whole, as the output. */
    @Test
    void aChunkedPredictionGivesEveryChunksMask() {
        Backend backend = Variant.bestNative().activate();
        int n = 600, steps = 32;
        Random random = new Random(8);
        float[] x = new float[n * steps];
        for (int i = 0; i < n; i++) {
            int length = random.nextInt(steps + 1);
            for (int t = 0; t < length; t++) x[i * steps + t] = 1 + random.nextInt(9);
        }
        try (Sequential model = new Sequential(steps).add(new Embedding(10, 2048).maskZero(true)).add(new LSTM(3).returnSequences(true))
                .add(new Dense(2, Activation.SOFTMAX)).backend(backend).seed(3).build();
             Tensor input = backend.allocate(n, steps).copyFrom(x);
             Sequential.MaskedPrediction prediction = model.predictWithMask(input, null);
             Tensor plain = model.predict(input)) {
            assertArrayEquals(new int[] {n, steps}, prediction.mask().shape());
            float[] mask = prediction.mask().toArray();
            for (int r = 0; r < n * steps; r++) assertEquals(x[r] != 0 ? 1f : 0f, mask[r], "the mask at row " + r);
            assertArrayEquals(plain.toArray(), prediction.output().toArray());
        }
    }

    @Test
    void classWeightsScaleEachSamplesLoss() {
        Backend backend = Variant.bestNative().activate();
        Dataset data = bars(64, 9);
        float plain, weighted;
        try (Sequential model = cnn(backend).compile(new SGD(0), Loss.sparseCategoricalCrossentropy())) {
            plain = model.fit(data, Fit.epochs(1).batchSize(64).shuffle(false)).get("loss").get(0).floatValue();
        }
        try (Sequential model = cnn(backend).compile(new SGD(0), Loss.sparseCategoricalCrossentropy())) {
            weighted = model.fit(data, Fit.epochs(1).batchSize(64).shuffle(false).classWeights(Map.of(0, 3.0, 1, 3.0, 2, 3.0)))
                    .get("loss").get(0).floatValue();
        }
        assertEquals(3 * plain, weighted, 1e-5 * weighted, "every class weighing 3 triples the loss (learning rate 0)");
    }

    @Test
    void misuseIsRefusedClearly() {
        Backend backend = Variant.bestNative().activate();
        try (Sequential model = cnn(backend)) {
            var notCompiled = assertThrows(IllegalStateException.class, () -> model.fit(bars(8, 1), Fit.epochs(1)));
            assertTrue(notCompiled.getMessage().contains("compile"), notCompiled.getMessage());
            model.compile(new RMSprop(), Loss.sparseCategoricalCrossentropy());
            var shape = assertThrows(IllegalArgumentException.class, () -> model.fit(sequences(8, 1), Fit.epochs(1)));
            assertTrue(shape.getMessage().contains("[8, 8, 1]") && shape.getMessage().contains("[12]"), shape.getMessage());
            var targets = assertThrows(IllegalArgumentException.class, () -> model.compile(new Adam(), Loss.categoricalCrossentropy())
                    .fit(bars(8, 1), Fit.epochs(1)));
            assertTrue(targets.getMessage().contains("3 target values"), targets.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fit.epochs(0));
            assertThrows(IllegalArgumentException.class, () -> new Adam().clipNorm(1).clipValue(1));
            assertThrows(IllegalArgumentException.class, () -> new SGD(0.1, 1.5, false));
        }
        try (Tensor x = Tensor.zeros(4, 3); Tensor y = Tensor.zeros(5)) {
            var counts = assertThrows(IllegalArgumentException.class, () -> Dataset.of(x, y));
            assertTrue(counts.getMessage().contains("4 samples but 5 targets"), counts.getMessage());
        }
    }
}

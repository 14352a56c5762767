package org.neurite.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.neurite.Parameter;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.Backend;
import org.neurite.backend.LossKind;
import org.neurite.data.Dataset;

/**
 * The training loop behind {@link Sequential#fit}, {@link Sequential#evaluate} and {@link
 * Sequential#trainOnBatch}, made by {@link Sequential#compile}: batches read from a {@link
 * Dataset} into tensors reused from step to step, a training step (forward, loss, backward,
 * optimizer), and the metrics of each epoch.
 */
public final class Trainer {
    private final Sequential model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Metric> metrics;

    public Trainer(Sequential model, Optimizer optimizer, Loss loss, List<Metric> metrics) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics = List.copyOf(metrics);
        if (loss.kind() == LossKind.MEAN_SQUARED_ERROR && !this.metrics.isEmpty()) {
            throw new IllegalArgumentException("compile: metrics count classes, which mean squared error has none; got " + metrics);
        }
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Loss loss() {
        return loss;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    public History fit(Dataset data, Fit fit) {
        check(data, "fit");
        Dataset train = data, validation = fit.validationData;
        if (validation == null && fit.validationSplit > 0) {
            int trained = Fit.trainingSamples(data.size(), fit.validationSplit);
            train = data.slice(0, trained);
            validation = data.slice(trained, data.size());
        }
        if (train.size() == 0) throw new IllegalArgumentException("fit: no training samples left in " + Dataset.describe(data));
        if (validation != null) check(validation, "fit (validation data)");
        long seed = fit.seed != null ? fit.seed : model.seed();
        History history = new History();
        int[] order = new int[train.size()];
        try (Batches batches = new Batches(train, fit.batchSize)) {
            for (Callback c : fit.callbacks) c.onTrainBegin(model);
            for (int epoch = fit.initialEpoch; epoch < fit.epochs && !model.stopRequested(); epoch++) {
                for (Callback c : fit.callbacks) c.onEpochBegin(model, epoch);
                for (int i = 0; i < order.length; i++) order[i] = i;
                if (fit.shuffle) shuffle(order, new Random(seed * 0x9E3779B97F4A7C15L + epoch));
                Tally tally = new Tally(model.outputShape());
                long start = System.nanoTime();
                for (int from = 0, batch = 0; from < order.length; from += fit.batchSize, batch++) {
                    int count = Math.min(fit.batchSize, order.length - from);
                    batches.read(order, from, count, fit.classWeights);
                    float value = step(batches.inputs(count), batches.targets(count), batches.weights(count), batches.trainingOutput,
                            batches.trainingMask);
                    tally.add(value, count, batches.trainingOutput, batches.targets.values, batches.trainingMask);
                    for (Callback c : fit.callbacks) c.onBatchEnd(model, batch, tally.logs());
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Map<String, Double> logs = tally.logs();
                if (validation != null) logs.putAll(evaluate(validation, fit.batchSize).values().entrySet().stream()
                        .collect(LinkedHashMap::new, (m, e) -> m.put("val_" + e.getKey(), e.getValue()), Map::putAll));
                history.add(logs, seconds, train.size() / seconds);
                for (Callback c : fit.callbacks) c.onEpochEnd(model, epoch, logs);
            }
            for (Callback c : fit.callbacks) c.onTrainEnd(model);
        }
        return history;
    }

    /** One training step on a batch; returns its loss, and its output in {@code output} (if not null). */
    public float step(Tensor x, Tensor y, Tensor rowWeights, float[] output) {
        return step(x, y, rowWeights, output, null);
    }

    /**
     * One training step on a batch; returns its loss, its output in {@code output} and where
     * the output's rows are valid in {@code outputMask} (1 everywhere without a mask), each
     * when not null.
     */
    public float step(Tensor x, Tensor y, Tensor rowWeights, float[] output, float[] outputMask) {
        synchronized (model) {
            Tensor out = model.forwardTraining(x, null);
            if (output != null) out.copyTo(output);
            if (outputMask != null) {
                Tensor mask = model.trainingOutputMask();
                if (mask != null) mask.copyTo(outputMask);
                else Arrays.fill(outputMask, 1f);
            }
            float value = model.backward(loss, y, rowWeights);
            optimizer.apply(model.parameters(), model.backend(), model.threads());
            return value;
        }
    }

    public Evaluation evaluate(Dataset data, int batchSize) {
        check(data, "evaluate");
        if (batchSize <= 0) throw new IllegalArgumentException("evaluate: batch size must be positive, got " + batchSize);
        Backend backend = model.backend();
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Tally tally = new Tally(model.outputShape());
        try (Batches batches = new Batches(data, batchSize)) {
            for (int from = 0; from < order.length; from += batchSize) {
                int count = Math.min(batchSize, order.length - from);
                batches.read(order, from, count, null);
                try (Sequential.MaskedPrediction prediction = model.predictWithMask(batches.inputs(count), null);
                     Tensor gradient = backend.allocate(prediction.output().shape());
                     Tensor weights = prediction.mask() == null ? null : backend.allocate(prediction.mask().shape())) {
                    Tensor output = prediction.output();
                    float[] mask = prediction.mask() == null ? null : prediction.mask().toArray();
                    if (weights != null) weights.copyFrom(Loss.maskedRowWeights(mask, null, new float[mask.length]));
                    float value = backend.loss(loss.kind(), loss.isFromLogits() ? LossKind.Input.LOGITS : LossKind.Input.OUTPUT,
                            output, batches.targets(count), weights, gradient, model.threads());
                    tally.add(value, count, output.copyTo(batches.outputArray(output)), batches.targets.values, mask);
                }
            }
        }
        return tally.evaluation();
    }

    private void check(Dataset data, String what) {
        if (data == null || data.size() == 0) throw new IllegalArgumentException(what + ": no samples");
        if (!Arrays.equals(data.inputShape(), model.inputShape())) {
            throw new IllegalArgumentException(what + ": the model takes samples of " + Arrays.toString(model.inputShape())
                    + ", the data has " + Arrays.toString(data.inputShape()));
        }
        int[] out = model.outputShape();
        long outputSize = Tensor.checkedShape(out);
        long expected = loss.sparse() ? outputSize / out[out.length - 1] : outputSize;
        if (data.targetSize() != expected) {
            throw new IllegalArgumentException(what + ": " + loss.name() + " on outputs of " + Arrays.toString(out) + " takes "
                    + (loss.sparse() ? expected + " class id(s)" : expected + " target values") + " per sample, the data has "
                    + Arrays.toString(data.targetShape()));
        }
    }

    // Fisher-Yates with the epoch's own generator: an epoch's order depends on (seed, epoch) alone.
    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Output rows per sample: 1, or the steps of a sequence output. */
    private int rowsPerSample() {
        int[] out = model.outputShape();
        return Math.toIntExact(Tensor.checkedShape(out) / out[out.length - 1]);
    }

    /** One stream of a batch (inputs, targets or row weights): an array the dataset fills, and the tensor it goes into. */
    private final class Staged implements AutoCloseable {
        final float[] values;
        final int[] sampleShape;
        private final boolean ids; // int32 token ids' bits, not floats
        private Tensor full, partial; // the batch size's tensor, and the last, smaller batch's

        Staged(int batchSize, int[] sampleShape, boolean ids) {
            this.sampleShape = sampleShape;
            this.ids = ids;
            long size = 1;
            for (int d : sampleShape) size *= d;
            values = new float[Math.toIntExact(Math.multiplyExact(batchSize, size))];
        }

        /** The tensor of {@code count} samples, holding the array's first values. */
        Tensor tensor(int count) {
            int[] shape = new int[sampleShape.length + 1];
            shape[0] = count;
            System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
            boolean whole = Tensor.checkedShape(shape) == values.length;
            Tensor t = whole ? full : partial;
            if (t == null || t.dim(0) != count) {
                if (t != null) t.close();
                t = ids ? model.backend().allocateIds(shape) : model.backend().allocate(shape);
                if (whole) full = t;
                else partial = t;
            }
            t.buffer().put(values, 0, Math.toIntExact(t.size()));
            return t;
        }

        @Override
        public void close() {
            if (full != null) full.close();
            if (partial != null) partial.close();
        }
    }

    /** A batch's streams, refilled from the dataset step after step, and the arrays outputs are read into. */
    private final class Batches implements AutoCloseable {
        final Dataset data;
        final Staged inputs, targets, weights;
        final float[] trainingOutput, trainingMask;
        float[] outputArray;
        private boolean weighted;

        Batches(Dataset data, int batchSize) {
            this.data = data;
            int size = Math.min(batchSize, data.size());
            inputs = new Staged(size, data.inputShape(), data.inputsAreIds());
            targets = new Staged(size, data.targetShape(), false);
            weights = new Staged(size, new int[] {rowsPerSample()}, false);
            trainingOutput = new float[Math.toIntExact(Math.multiplyExact(size, Tensor.checkedShape(model.outputShape())))];
            trainingMask = new float[Math.toIntExact(Math.multiplyExact(size, rowsPerSample()))];
        }

        void read(int[] order, int from, int count, Map<Integer, Double> classWeights) {
            data.read(order, from, count, inputs.values, targets.values);
            weighted = classWeights != null;
            if (!weighted) return;
            int rows = rowsPerSample();
            for (int k = 0; k < count; k++) {
                int label = data.label(order[from + k]);
                if (label < 0) throw new IllegalArgumentException("fit: class weights need a class id per sample");
                Arrays.fill(weights.values, k * rows, (k + 1) * rows, classWeights.getOrDefault(label, 1.0).floatValue());
            }
        }

        Tensor inputs(int count) {
            return inputs.tensor(count);
        }

        Tensor targets(int count) {
            return targets.tensor(count);
        }

        Tensor weights(int count) {
            return weighted ? weights.tensor(count) : null;
        }

        float[] outputArray(Tensor output) {
            if (outputArray == null || outputArray.length < output.size()) outputArray = new float[Math.toIntExact(output.size())];
            return outputArray;
        }

        @Override
        public void close() {
            inputs.close();
            targets.close();
            weights.close();
        }
    }

    /**
     * The running loss (weighted by samples) and confusion matrix of an epoch or an evaluation;
     * the matrix counts the output's valid rows alone, as Keras' metrics do under a mask.
     */
    private final class Tally {
        final int cols;
        final ConfusionMatrix confusion;
        double lossSum;
        long samples;

        Tally(int[] outputShape) {
            cols = outputShape[outputShape.length - 1];
            confusion = switch (loss.kind()) {
                case MEAN_SQUARED_ERROR -> null;
                case BINARY_CROSSENTROPY -> new ConfusionMatrix(2);
                default -> new ConfusionMatrix(Math.max(2, cols));
            };
        }

        // mask: where the output's rows are valid (null: all).
        void add(float batchLoss, int count, float[] output, float[] targets, float[] mask) {
            lossSum += (double) batchLoss * count;
            samples += count;
            if (confusion == null) return;
            int rows = Math.toIntExact((long) count * rowsPerSample());
            for (int r = 0; r < rows; r++) if (mask == null || mask[r] != 0f) classify(output, targets, r);
        }

        private void classify(float[] o, float[] t, int r) {
            int at = r * cols;
            if (loss.kind() == LossKind.BINARY_CROSSENTROPY) { // every column its own yes/no problem
                for (int c = at; c < at + cols; c++) confusion.addScored(t[c] >= 0.5f ? 1 : 0, probability(o[c]));
                return;
            }
            int predicted = argmax(o, at);
            int actual = loss.sparse() ? (int) t[r] : argmax(t, at);
            if (cols == 2) { // a binary problem as two classes: class 1's probability ranks the samples for the AUC
                confusion.addScored(actual, predicted,
                        loss.isFromLogits() ? probability(o[at + 1] - o[at]) : o[at + 1] / (o[at] + o[at + 1]));
            } else {
                confusion.add(actual, predicted);
            }
        }

        private float probability(float score) {
            return loss.isFromLogits() ? (float) (1 / (1 + Math.exp(-score))) : score;
        }

        private int argmax(float[] v, int at) {
            int best = 0;
            for (int c = 1; c < cols; c++) if (v[at + c] > v[at + best]) best = c;
            return best;
        }

        Map<String, Double> logs() {
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", lossSum / Math.max(1, samples));
            for (Metric m : metrics) logs.put(m.key(), m.of(confusion));
            return logs;
        }

        Evaluation evaluation() {
            Map<String, Double> values = logs();
            double mean = values.remove("loss");
            return new Evaluation(mean, values, confusion);
        }
    }
}

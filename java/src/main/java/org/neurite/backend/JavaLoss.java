package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;

import org.neurite.Tensor;

/** Keras' losses with their gradients in plain Java, the counterpart of {@code native/src/ref/loss_f32_ref.cpp}. */
final class JavaLoss {
    private static final float EPSILON = 1e-7f; // Keras' backend.epsilon(), which its losses clip probabilities with

    private JavaLoss() {}

    static float loss(LossKind loss, LossKind.Input input, Tensor output, Tensor target, Tensor rowWeights, Tensor dOutput) {
        float[] o = read(output), t = read(target), w = rowWeights == null ? null : read(rowWeights), d = writable(dOutput);
        int cols = output.dim(-1), rows = o.length / cols;
        if (loss == LossKind.SPARSE_CATEGORICAL_CROSSENTROPY) {
            for (int r = 0; r < rows; r++) {
                if (!(t[r] >= 0 && t[r] < cols) || t[r] != Math.floor(t[r])) {
                    throw new IllegalArgumentException("loss: label " + t[r] + " of row " + r + " is not a class in [0, " + cols + ")");
                }
            }
        }
        Rows problem = new Rows(loss, input, o, t, d, cols);
        float perRow = 1f / rows;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            float weight = w == null ? 1f : w[r];
            sum += weight * (loss.categorical() ? problem.categorical(r) : problem.elementwise(r));
            float scale = weight * perRow;
            for (int c = r * cols; c < (r + 1) * cols; c++) d[c] *= scale;
        }
        commit(dOutput, d);
        return (float) (sum / rows);
    }

    private static float clipped(float p) {
        return Math.min(Math.max(p, EPSILON), 1f - EPSILON);
    }

    private record Rows(LossKind loss, LossKind.Input input, float[] o, float[] t, float[] d, int cols) {
        float target(int r, int c) {
            if (loss != LossKind.SPARSE_CATEGORICAL_CROSSENTROPY) return t[r * cols + c];
            return c == (int) t[r] ? 1f : 0f;
        }

        // Cross-entropy over the classes of row r; writes the unscaled gradient, returns the row's loss.
        double categorical(int r) {
            int at = r * cols;
            double loss = 0, targetSum = 0;
            for (int c = 0; c < cols; c++) targetSum += target(r, c);
            if (input == LossKind.Input.LOGITS) {
                float max = o[at];
                for (int c = 1; c < cols; c++) max = Math.max(max, o[at + c]);
                double sum = 0;
                for (int c = 0; c < cols; c++) sum += Math.exp(o[at + c] - max);
                double logSum = Math.log(sum) + max;
                for (int c = 0; c < cols; c++) {
                    float y = target(r, c);
                    loss -= y * (o[at + c] - logSum);
                    d[at + c] = (float) (Math.exp(o[at + c] - logSum) * targetSum - y);
                }
                return loss;
            }
            double rowSum = 0; // Keras divides outputs by their row's sum first (1 after a softmax)
            for (int c = 0; c < cols; c++) rowSum += o[at + c];
            double insideTargetSum = 0;
            for (int c = 0; c < cols; c++) {
                float y = target(r, c), q = (float) (o[at + c] / rowSum);
                loss -= y * Math.log(clipped(q));
                if (q > EPSILON && q < 1f - EPSILON) insideTargetSum += y;
            }
            for (int c = 0; c < cols; c++) {
                float y = target(r, c), q = (float) (o[at + c] / rowSum);
                boolean inside = q > EPSILON && q < 1f - EPSILON;
                d[at + c] = input == LossKind.Input.ACTIVATED ? (float) (o[at + c] * targetSum - y)
                        : (float) ((inside ? -y / o[at + c] : 0.0) + insideTargetSum / rowSum);
            }
            return loss;
        }

        // Binary cross-entropy or squared error, averaged over the columns of row r.
        double elementwise(int r) {
            int at = r * cols;
            double loss = 0;
            for (int c = at; c < at + cols; c++) {
                float x = o[c], y = t[c];
                if (this.loss == LossKind.MEAN_SQUARED_ERROR) {
                    loss += (double) (x - y) * (x - y);
                    d[c] = 2f * (x - y);
                } else if (input == LossKind.Input.LOGITS) {
                    loss += Math.max(x, 0f) - x * y + Math.log1p(Math.exp(-Math.abs((double) x)));
                    d[c] = (float) (1f / (1f + Math.exp(-x))) - y;
                } else {
                    float q = clipped(x);
                    loss -= y * Math.log(q) + (1f - y) * Math.log(1.0 - q);
                    boolean inside = x > EPSILON && x < 1f - EPSILON;
                    d[c] = input == LossKind.Input.ACTIVATED ? x - y : inside ? (x - y) / (x * (1f - x)) : 0f;
                }
            }
            float perColumn = 1f / cols;
            for (int c = at; c < at + cols; c++) d[c] *= perColumn;
            return loss / cols;
        }
    }
}

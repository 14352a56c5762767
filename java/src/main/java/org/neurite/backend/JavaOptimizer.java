package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;

import org.neurite.RowGradient;
import org.neurite.Tensor;

/** Keras' optimizer updates in plain Java, the counterpart of {@code native/src/ref/optimizer_f32_ref.cpp}. */
final class JavaOptimizer {
    private static final int CHUNK = 1 << 14;

    private JavaOptimizer() {}

    static void update(OptimizerStep s, Tensor value, Tensor gradient, Tensor slot0, Tensor slot1, Tensor slot2,
                       int threads) {
        float[] w = read(value), g = read(gradient);
        Slots slots = Slots.of(s, slot0, slot1, slot2);
        Parallel.forRange(w.length, threads, (begin, end) -> span(s, w, g, 0, slots, begin, end));
        slots.commit(slot0, slot1, slot2);
        commit(value, w);
    }

    /** As the native walk (native/src/common/gradient_spans.h): runs of rows with a gradient, and the rows between. */
    static void update(OptimizerStep s, Tensor value, RowGradient gradient, Tensor slot0, Tensor slot1, Tensor slot2,
                       int threads) {
        float[] w = read(value), g = read(gradient.values());
        int[] rows = gradient.rows().toIntArray();
        int width = gradient.width(), count = gradient.count();
        boolean skipRowsWithoutGradient = s.kind() == OptimizerStep.Kind.SGD && s.beta1() == 0f && s.decay() == 0f;
        Slots slots = Slots.of(s, slot0, slot1, slot2);
        Parallel.forRange(w.length / width, threads, (first, last) -> {
            int next = lowerBound(rows, count, first);
            for (int row = first; row < last;) {
                if (next < count && rows[next] == row) {
                    int run = next;
                    while (next < count && rows[next] == row && row < last) {
                        next++;
                        row++;
                    }
                    span(s, w, g, (run - rows[run]) * width, slots, rows[run] * width, row * width);
                } else {
                    int stop = next < count ? Math.min(rows[next], last) : last;
                    if (!skipRowsWithoutGradient) span(s, w, null, 0, slots, row * width, stop * width);
                    row = stop;
                }
            }
        });
        slots.commit(slot0, slot1, slot2);
        commit(value, w);
    }

    // The first of rows[0, count) at or past row.
    private static int lowerBound(int[] rows, int count, int row) {
        int low = 0, high = count;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (rows[middle] < row) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    // The slots' storage as arrays, those the step uses.
    private record Slots(float[] a, float[] b, float[] c) {
        static Slots of(OptimizerStep s, Tensor slot0, Tensor slot1, Tensor slot2) {
            return new Slots(s.usesSlot(0) ? read(slot0) : null, s.usesSlot(1) ? read(slot1) : null,
                    s.usesSlot(2) ? read(slot2) : null);
        }

        void commit(Tensor slot0, Tensor slot1, Tensor slot2) {
            if (a != null) JavaBackend.commit(slot0, a);
            if (b != null) JavaBackend.commit(slot1, b);
            if (c != null) JavaBackend.commit(slot2, c);
        }
    }

    // Elements [begin, end) of w, whose gradients are g[i + offset], or zero where g is null.
    private static void span(OptimizerStep s, float[] w, float[] g, int offset, Slots slots, int begin, int end) {
        switch (s.kind()) {
            case SGD -> sgd(s, w, g, offset, slots.a, begin, end);
            case ADAM -> adam(s, w, g, offset, slots.a, slots.b, begin, end);
            case RMSPROP -> rmsprop(s, w, g, offset, slots.a, slots.b, slots.c, begin, end);
        }
    }

    // The gradient after scaling and clipping, the value after decay: the start of every update.
    private static float gradient(OptimizerStep s, float[] g, int i) {
        if (g == null) return 0f;
        float x = g[i] * s.gradientScale();
        return s.clipValue() > 0f ? Math.min(Math.max(x, -s.clipValue()), s.clipValue()) : x;
    }

    private static float decayed(OptimizerStep s, float w) {
        return w - w * s.decay();
    }

    private static void sgd(OptimizerStep s, float[] w, float[] g, int offset, float[] m, int begin, int end) {
        float lr = s.learningRate(), momentum = s.beta1();
        for (int i = begin; i < end; i++) {
            float x = gradient(s, g, i + offset), v = decayed(s, w[i]);
            if (m == null) {
                w[i] = v - lr * x;
            } else {
                float velocity = m[i] = momentum * m[i] - lr * x;
                w[i] = v + (s.nesterov() ? momentum * velocity - lr * x : velocity);
            }
        }
    }

    private static void adam(OptimizerStep s, float[] w, float[] g, int offset, float[] m, float[] v, int begin, int end) {
        float lr = s.learningRate(), rest1 = 1f - s.beta1(), rest2 = 1f - s.beta2(), eps = s.epsilon();
        for (int i = begin; i < end; i++) {
            float x = gradient(s, g, i + offset);
            float first = m[i] += (x - m[i]) * rest1;
            float second = v[i] += (x * x - v[i]) * rest2;
            w[i] = decayed(s, w[i]) - lr * first / ((float) Math.sqrt(second) + eps);
        }
    }

    private static void rmsprop(OptimizerStep s, float[] w, float[] g, int offset, float[] velocity, float[] momentum,
                                float[] mean, int begin, int end) {
        float lr = s.learningRate(), rho = s.beta1(), rest = 1f - rho;
        for (int i = begin; i < end; i++) {
            float x = gradient(s, g, i + offset);
            float v = velocity[i] = rho * velocity[i] + rest * x * x;
            float denominator = v + s.epsilon();
            if (mean != null) {
                float average = mean[i] = rho * mean[i] + rest * x;
                denominator -= average * average;
            }
            float increment = lr * x / (float) Math.sqrt(denominator);
            float decayedValue = decayed(s, w[i]);
            w[i] = momentum == null ? decayedValue - increment : decayedValue - (momentum[i] = s.beta2() * momentum[i] + increment);
        }
    }

    /** In fixed chunks added in order, as the native kernel. */
    static double sumOfSquares(Tensor x, long size) {
        float[] v = read(x);
        int n = Math.toIntExact(size);
        double total = 0;
        for (int start = 0; start < n; start += CHUNK) {
            double sum = 0;
            for (int i = start, stop = Math.min(n, start + CHUNK); i < stop; i++) sum += (double) v[i] * v[i];
            total += sum;
        }
        return total;
    }
}

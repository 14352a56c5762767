package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;

import org.neurite.Tensor;

/** Keras' optimizer updates in plain Java, the counterpart of {@code native/src/ref/optimizer_f32_ref.cpp}. */
final class JavaOptimizer {
    private static final int CHUNK = 1 << 14;

    private JavaOptimizer() {}

    static void update(OptimizerStep s, Tensor value, Tensor gradient, Tensor slot0, Tensor slot1, Tensor slot2,
                       int threads) {
        float[] w = read(value), g = read(gradient);
        float[] a = s.usesSlot(0) ? read(slot0) : null, b = s.usesSlot(1) ? read(slot1) : null;
        float[] c = s.usesSlot(2) ? read(slot2) : null;
        Parallel.forRange(w.length, threads, (begin, end) -> {
            switch (s.kind()) {
                case SGD -> sgd(s, w, g, a, begin, end);
                case ADAM -> adam(s, w, g, a, b, begin, end);
                case RMSPROP -> rmsprop(s, w, g, a, b, c, begin, end);
            }
        });
        commit(value, w);
        if (a != null) commit(slot0, a);
        if (b != null) commit(slot1, b);
        if (c != null) commit(slot2, c);
    }

    // The gradient after scaling and clipping, the value after decay: the start of every update.
    private static float gradient(OptimizerStep s, float[] g, int i) {
        float x = g[i] * s.gradientScale();
        return s.clipValue() > 0f ? Math.min(Math.max(x, -s.clipValue()), s.clipValue()) : x;
    }

    private static float decayed(OptimizerStep s, float w) {
        return w - w * s.decay();
    }

    private static void sgd(OptimizerStep s, float[] w, float[] g, float[] m, int begin, int end) {
        float lr = s.learningRate(), momentum = s.beta1();
        for (int i = begin; i < end; i++) {
            float x = gradient(s, g, i), v = decayed(s, w[i]);
            if (m == null) {
                w[i] = v - lr * x;
            } else {
                float velocity = m[i] = momentum * m[i] - lr * x;
                w[i] = v + (s.nesterov() ? momentum * velocity - lr * x : velocity);
            }
        }
    }

    private static void adam(OptimizerStep s, float[] w, float[] g, float[] m, float[] v, int begin, int end) {
        float lr = s.learningRate(), rest1 = 1f - s.beta1(), rest2 = 1f - s.beta2(), eps = s.epsilon();
        for (int i = begin; i < end; i++) {
            float x = gradient(s, g, i);
            float first = m[i] += (x - m[i]) * rest1;
            float second = v[i] += (x * x - v[i]) * rest2;
            w[i] = decayed(s, w[i]) - lr * first / ((float) Math.sqrt(second) + eps);
        }
    }

    private static void rmsprop(OptimizerStep s, float[] w, float[] g, float[] velocity, float[] momentum, float[] mean,
                                int begin, int end) {
        float lr = s.learningRate(), rho = s.beta1(), rest = 1f - rho;
        for (int i = begin; i < end; i++) {
            float x = gradient(s, g, i);
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
    static double sumOfSquares(Tensor x) {
        float[] v = read(x);
        double total = 0;
        for (int start = 0; start < v.length; start += CHUNK) {
            double sum = 0;
            for (int i = start, stop = Math.min(v.length, start + CHUNK); i < stop; i++) sum += (double) v[i] * v[i];
            total += sum;
        }
        return total;
    }
}

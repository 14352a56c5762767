package org.neurite.backend;

import static org.neurite.backend.JavaBackend.commit;
import static org.neurite.backend.JavaBackend.read;
import static org.neurite.backend.JavaBackend.writable;

import org.neurite.Activation;
import org.neurite.Tensor;

/** Activations, softmax and element-wise binary operations in plain Java, the counterpart of {@code native/src/ref/eltwise_f32_ref.cpp}. */
final class JavaEltwise {
    private JavaEltwise() {}

    static void activation(Activation activation, float alpha, Tensor input, Tensor output, int threads) {
        float[] x = read(input);
        float[] y = writable(output);
        if (y != x) System.arraycopy(x, 0, y, 0, x.length);
        Parallel.forRange(y.length, threads, (begin, end) -> activate(activation, alpha, y, begin, end));
        commit(output, y);
    }

    static void activationBackward(Activation activation, float alpha, Tensor input, Tensor output, Tensor dOutput,
                                   Tensor dInput, int threads) {
        boolean fromOutput = activation.derivativeFromOutput(alpha);
        float[] v = read(fromOutput ? output : input), dy = read(dOutput), dx = writable(dInput);
        Parallel.forRange(dx.length, threads, (begin, end) -> derivative(activation, alpha, v, dy, dx, begin, end));
        commit(dInput, dx);
    }

    /** dx = dy * f'(.), from f's output y = v or, where that cannot tell, its input x = v. */
    private static void derivative(Activation activation, float alpha, float[] v, float[] dy, float[] dx, int begin,
                                   int end) {
        for (int i = begin; i < end; i++) dx[i] = dy[i] * derivative(activation, alpha, v[i]);
    }

    /**
     * The activation's derivative at a point, from its output there ({@code v = f(x)}) where
     * {@link Activation#derivativeFromOutput} allows, else from its input ({@code v = x}).
     */
    static float derivative(Activation activation, float alpha, float v) {
        return switch (activation) {
            case LINEAR -> 1f;
            case RELU -> v > 0f ? 1f : 0f;
            case RELU6 -> v > 0f && v < 6f ? 1f : 0f;
            case SIGMOID -> v * (1f - v);
            case TANH -> 1f - v * v;
            case LEAKY_RELU -> v > 0f ? 1f : alpha;
            case GELU -> (float) (0.5 * (1.0 + Erf.erf(v * 0.7071067811865476)) + v * Math.exp(-0.5 * v * v) * 0.3989422804014327);
            case EXPONENTIAL -> v;
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not element-wise");
        };
    }

    static void softmax(Tensor input, Tensor output, int threads) {
        float[] x = read(input);
        float[] y = writable(output);
        int cols = input.dim(-1), rows = x.length / cols;
        Parallel.forRange(rows, threads, (begin, end) -> {
            for (int r = begin; r < end; r++) {
                int at = r * cols;
                float max = -Float.MAX_VALUE;
                for (int c = 0; c < cols; c++) max = Math.max(max, x[at + c]);
                float sum = 0f;
                for (int c = 0; c < cols; c++) sum += (y[at + c] = FloatMath.exp(x[at + c] - max));
                float scale = 1f / sum;
                for (int c = 0; c < cols; c++) y[at + c] *= scale;
            }
        });
        commit(output, y);
    }

    static void softmaxBackward(Tensor output, Tensor dOutput, Tensor dInput, int threads) {
        float[] y = read(output), dy = read(dOutput), dx = writable(dInput);
        int cols = output.dim(-1), rows = y.length / cols;
        Parallel.forRange(rows, threads, (begin, end) -> {
            for (int r = begin; r < end; r++) {
                int at = r * cols;
                float dot = 0f;
                for (int c = 0; c < cols; c++) dot += dy[at + c] * y[at + c];
                for (int c = 0; c < cols; c++) dx[at + c] = y[at + c] * (dy[at + c] - dot);
            }
        });
        commit(dInput, dx);
    }

    static void dropoutMask(float rate, long seed, Tensor mask, int threads) {
        float[] m = writable(mask);
        float scale = 1f / (1f - rate);
        Parallel.forRange(m.length, threads, (begin, end) -> {
            for (int i = begin; i < end; i++) {
                long z = seed + i * 0x9E3779B97F4A7C15L; // splitmix64, as nrt_dropout_mask
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                z ^= z >>> 31;
                float u = (z >>> 40) * (1f / 16777216f);
                m[i] = u < rate ? 0f : scale;
            }
        });
        commit(mask, m);
    }

    static void binary(BinaryOp op, Tensor a, Tensor b, Tensor output, int threads) {
        float[] x = read(a), z = read(b);
        float[] y = writable(output);
        Parallel.forRange(y.length, threads, (begin, end) -> {
            switch (op) {
                case ADD -> { for (int i = begin; i < end; i++) y[i] = x[i] + z[i]; }
                case MUL -> { for (int i = begin; i < end; i++) y[i] = x[i] * z[i]; }
                case AVERAGE -> { for (int i = begin; i < end; i++) y[i] = (x[i] + z[i]) * 0.5f; }
            }
        });
        commit(output, y);
    }

    /** Applies an element-wise activation in place; one loop per kind keeps each one vectorisable. */
    static void activate(Activation activation, float alpha, float[] y, int begin, int end) {
        switch (activation) {
            case LINEAR -> { }
            case RELU -> { for (int i = begin; i < end; i++) y[i] = Math.max(y[i], 0f); }
            case RELU6 -> { for (int i = begin; i < end; i++) y[i] = Math.min(Math.max(y[i], 0f), 6f); }
            case SIGMOID -> FloatMath.sigmoid(y, begin, end);
            case TANH -> FloatMath.tanh(y, begin, end);
            case LEAKY_RELU -> { for (int i = begin; i < end; i++) y[i] = y[i] > 0f ? y[i] : alpha * y[i]; }
            case GELU -> { for (int i = begin; i < end; i++) y[i] = (float) (0.5 * y[i] * (1.0 + Erf.erf(y[i] * 0.7071067811865476))); }
            case EXPONENTIAL -> { for (int i = begin; i < end; i++) y[i] = (float) Math.exp(y[i]); }
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not element-wise");
        }
    }

}

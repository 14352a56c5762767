package org.neurite.backend;

import static org.neurite.backend.JavaVectors.Slot;

/**
 * exp, sigmoid and tanh in float arithmetic for the Java backend, the same algorithms as the
 * native kernels' (native/src/x64/vec_math.h) with the same error bounds: exp within 3
 * ulp on [-87.3, 88.3] (inputs clamped to it), sigmoid and tanh within 5e-7 absolute. Several
 * times faster than going through {@link Math#exp(double)}, which dominated the recurrent
 * layers' time in Java.
 *
 * <p>sigmoid and tanh work on arrays, in two loops over chunks copied into rows of the thread's
 * own: C2 (JDK 17) leaves a loop scalar when it turns a float it computed into int bits, as 2^n
 * does, but vectorises it when those bits come from memory. So the first loop stores the
 * polynomial and the float holding n, and the second scales: 4 times faster than one loop.
 */
final class FloatMath {
    private FloatMath() {}

    private static final int CHUNK = 256;
    private static final float ROUNDING = 12582912f;  // 1.5 * 2^23: x + it rounds x to an integer, kept in its low bits

    static float exp(float x) {
        x = clamp(x);
        float shifted = shifted(x);
        return polynomial(x, shifted) * pow2(shifted);
    }

    /** y[from, to) = the logistic function of it. */
    static void sigmoid(float[] y, int from, int to) {
        apply(y, from, to, false);
    }

    /** y[from, to) = tanh of it. */
    static void tanh(float[] y, int from, int to) {
        apply(y, from, to, true);
    }

    private static void apply(float[] y, int from, int to, boolean tanh) {
        float[][] rows = JavaVectors.scratch(Slot.ACTIVATION, 3, CHUNK);
        float[] v = rows[0], p = rows[1], shifted = rows[2];
        for (int at = from; at < to; at += CHUNK) {
            int n = Math.min(CHUNK, to - at);
            System.arraycopy(y, at, v, 0, n);
            if (tanh) {
                // tanh x = sign(x) (1 - t) / (1 + t) with t = e^(-2|x|)
                for (int i = 0; i < n; i++) {
                    float x = clamp(-2f * Math.abs(v[i]));
                    shifted[i] = shifted(x);
                    p[i] = polynomial(x, shifted[i]);
                }
                for (int i = 0; i < n; i++) {
                    float t = p[i] * pow2(shifted[i]);
                    v[i] = Math.copySign((1f - t) / (1f + t), v[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float x = clamp(-v[i]);
                    shifted[i] = shifted(x);
                    p[i] = polynomial(x, shifted[i]);
                }
                for (int i = 0; i < n; i++) v[i] = 1f / (1f + p[i] * pow2(shifted[i]));
            }
            System.arraycopy(v, 0, y, at, n);
        }
    }

    private static float clamp(float x) {
        return Math.min(Math.max(x, -87.3365f), 88.3762f);
    }

    /** x / ln2 rounded to the nearest integer n, as n + 1.5 * 2^23 (exact for the clamped range). */
    private static float shifted(float x) {
        return x * 1.44269504088896341f + ROUNDING;
    }

    /** e^r for x = n ln2 + r, |r| <= ln2 / 2 (ln2 in two parts so that n ln2 stays exact enough), by Cephes' minimax polynomial. */
    private static float polynomial(float x, float shifted) {
        float n = shifted - ROUNDING;
        float r = x - n * 0.693359375f;
        r = r - n * -2.12194440e-4f;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        return p * (r * r) + (r + 1f);
    }

    /** 2^n from n + 1.5 * 2^23, whose low bits hold n: the clamp keeps n in [-126, 127]. */
    private static float pow2(float shifted) {
        return Float.intBitsToFloat((Float.floatToRawIntBits(shifted) - Float.floatToRawIntBits(ROUNDING) + 127) << 23);
    }
}

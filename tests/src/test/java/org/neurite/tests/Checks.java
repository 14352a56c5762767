package org.neurite.tests;

import org.neurite.testkit.Problem;
import org.neurite.testkit.Reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.neurite.backend.NativeBackend;

/** Assertions shared by the op tests. */
public final class Checks {
    /** Relative float rounding allowed against the reference's error scale. */
    public static final double RELATIVE = 1e-5;
    /** Absolute slack: covers the documented error of the vectorised sigmoid/tanh/gelu (<= 1e-6). */
    public static final double ABSOLUTE = 2e-6;

    private Checks() {}

    public static float[] random(Random random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) values[i] = random.nextFloat() * 2f - 1f;
        return values;
    }

    /** Every output within {@code RELATIVE * scale + ABSOLUTE} of the reference. */
    public static void assertMatches(String context, float[] actual, Reference.Result expected) {
        double[] want = expected.values(), scale = expected.scale();
        if (actual.length != want.length) fail(context + ": " + actual.length + " outputs, reference has " + want.length);
        for (int i = 0; i < want.length; i++) {
            double allowed = RELATIVE * scale[i] + ABSOLUTE;
            if (!(Math.abs(actual[i] - want[i]) <= allowed)) {
                fail(String.format("%s: output %d is %.9g, reference %.9g (allowed error %.3g)", context, i, actual[i],
                        want[i], allowed));
            }
        }
    }

    /** benchdnn's "mistrusted" rule: a test whose outputs are mostly zeros proves little. */
    public static void assertNotMostlyZeros(String context, float[] values, double minimumNonZeroShare) {
        long nonZero = 0;
        for (float v : values) if (v != 0f) nonZero++;
        assertTrue(nonZero >= minimumNonZeroShare * values.length,
                context + ": only " + nonZero + " of " + values.length + " outputs are non-zero; the test is too weak");
    }

    /** For ReLU-like outputs about half are zero by design. */
    public static double nonZeroShareFor(String activation) {
        return activation.startsWith("relu") ? 0.2 : 0.5;
    }

    public static void assertBitwiseEqual(String context, float[] oneThread, float[] manyThreads) {
        assertArrayEquals(oneThread, manyThreads, 0f, context + ": results differ between 1 and 2 threads");
        for (int i = 0; i < oneThread.length; i++) {
            if (Float.floatToRawIntBits(oneThread[i]) != Float.floatToRawIntBits(manyThreads[i])) {
                fail(context + ": output " + i + " differs in its bits between 1 and 2 threads");
            }
        }
    }

    /** The native kernel that ran on this thread is one of the variant's. */
    public static void assertRanKernelOf(Variant variant, String context) {
        String suffix = variant.kernelSuffix();
        if (suffix == null) return;
        String kernel = NativeBackend.lastKernel();
        assertTrue(kernel.endsWith(suffix), context + ": ran " + kernel + ", expected a *" + suffix + " kernel");
    }

    /** Two float computations in different orders: each value within 1e-5 of the largest expected one. */
    public static void assertCloseToScale(String context, float[] expected, float[] actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, context + ": size");
        double scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(expected[i], actual[i], 1e-5 * scale + 1e-6, context + " at " + i);
        }
    }

    /** Every float output within {@code RELATIVE} of the largest expected one (plus {@code ABSOLUTE}) of a double reference. */
    public static void assertMatchesDouble(String context, double[] expected, float[] actual) {
        if (actual.length != expected.length) fail(context + ": " + actual.length + " outputs, reference has " + expected.length);
        double scale = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        double allowed = RELATIVE * scale + ABSOLUTE;
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= allowed)) {
                fail(String.format("%s: output %d is %.9g, the double-precision reference %.9g (allowed error %.3g, largest"
                        + " output %.3g)", context, i, actual[i], expected[i], allowed, scale));
            }
        }
    }

    /** A loss computed in double after shifting what is being differentiated by {@code shift}. */
    public interface ShiftedLoss {
        double at(double[] shift);
    }

    /**
     * A gradient against central differences of a loss computed entirely in double (by
     * DoubleKeras): along random Gaussian directions v, {@code <gradient, v>} within 1e-4 of the
     * gradient's norm of {@code (L(eps v) - L(-eps v)) / 2 eps} at eps 1e-6. Free of float
     * rounding, the difference is exact to far below that, short of a kink (ReLU at 0, a max
     * switching cells) within 1e-6 of the point, which random data practically never puts there.
     */
    public static void assertDirectionalDerivatives(String context, double[] gradient, Random random, ShiftedLoss loss) {
        final double eps = 1e-6;
        double norm = 0;
        for (double g : gradient) norm += g * g;
        norm = Math.sqrt(norm);
        assertTrue(norm > 0, context + ": gradient is all zeros");
        for (int d = 0; d < 3; d++) {
            double[] plus = new double[gradient.length], minus = new double[gradient.length];
            double along = 0;
            for (int i = 0; i < gradient.length; i++) {
                double v = random.nextGaussian();
                along += gradient[i] * v;
                plus[i] = eps * v;
                minus[i] = -eps * v;
            }
            double central = (loss.at(plus) - loss.at(minus)) / (2 * eps), allowed = 1e-4 * norm + 1e-8;
            if (!(Math.abs(central - along) <= allowed)) {
                fail(String.format("%s: direction %d, <gradient, v> = %.9g but the double-precision central difference is %.9g"
                        + " (off by %.3g of the gradient norm %.6g; allowed %.3g)", context, d, along, central,
                        Math.abs(central - along) / norm, norm, allowed));
            }
        }
    }

    public static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) d[i] = values[i];
        return d;
    }

    /** {@code values} moved by {@code shift}, in double. */
    public static double[] shifted(double[] values, double[] shift) {
        double[] s = values.clone();
        for (int i = 0; i < s.length; i++) s[i] += shift[i];
        return s;
    }

    /** sum(r * y) in double: the loss whose gradient at the output is r. */
    public static double dot(double[] r, double[] y) {
        double sum = 0;
        for (int i = 0; i < r.length; i++) sum += r[i] * y[i];
        return sum;
    }
}

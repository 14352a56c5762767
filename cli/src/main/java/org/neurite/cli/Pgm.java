package org.neurite.cli;

import java.nio.file.Path;

/** Netpbm grey maps (P5 binary, P2 text; maximum value up to 255), which Java's ImageIO does not read. */
final class Pgm {
    private Pgm() {}

    static float[] read(Path p, byte[] bytes) {
        int[] at = {2};
        int width = number(p, bytes, at), height = number(p, bytes, at), max = number(p, bytes, at);
        if (width != 28 || height != 28) throw new UsageException(p + ": expected a 28x28 image, got " + width + "x" + height);
        if (max <= 0 || max > 255) throw new UsageException(p + ": maximum grey value " + max + " outside 1..255");
        float[] x = new float[28 * 28];
        boolean binary = bytes[1] == '5';
        if (binary) at[0]++; // P5: pixels start after the one whitespace that ends the header
        for (int i = 0; i < x.length; i++) {
            int v;
            if (binary) {
                if (at[0] >= bytes.length) throw new UsageException(p + ": truncated after " + i + " of 784 pixels");
                v = bytes[at[0]++] & 0xFF;
            } else {
                v = number(p, bytes, at);
            }
            if (v > max) throw new UsageException(p + ": pixel " + i + " is " + v + ", above the maximum " + max);
            x[i] = (float) v / max;
        }
        return x;
    }

    // The next decimal number, skipping whitespace and # comments.
    private static int number(Path p, byte[] b, int[] at) {
        int i = at[0];
        while (i < b.length && (Character.isWhitespace(b[i]) || b[i] == '#')) {
            if (b[i] == '#') while (i < b.length && b[i] != '\n') i++;
            else i++;
        }
        int start = i;
        long v = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9' && i - start < 9) v = v * 10 + (b[i++] - '0');
        if (i == start) throw new UsageException(p + ": malformed PGM header or data at byte " + i);
        at[0] = i;
        return (int) v;
    }
}

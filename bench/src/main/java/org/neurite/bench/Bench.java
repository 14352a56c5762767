package org.neurite.bench;

import java.util.Random;

/** Small helpers shared by the benchmarks. */
final class Bench {
    private Bench() {}

    static float[] random(Random random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) values[i] = random.nextFloat() * 2f - 1f;
        return values;
    }
}

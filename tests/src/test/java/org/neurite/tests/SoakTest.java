package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Resident memory stays flat over a long run of predicts and training steps: {@link SoakProbe}
 * runs in a fresh JVM (a fixed, pre-touched heap, so that only a leak moves its resident size)
 * and the slope of its resident memory against the call count must stay under a leak's. CI runs 40,000 predicts and 400 steps; {@code mvn verify -Psoak} runs 10^6 and 10^4.
 */
class SoakTest {
    // A leak of one small native block per predict (malloc's smallest is 32 bytes) or of one
    // batch-sized tensor per training step (the seed CNN's smallest activation: 32 x 10 floats) is above these.
    private static final double PREDICT_BYTES_PER_CALL = 8, TRAINING_BYTES_PER_STEP = 1024;

    record Sample(long calls, long rss, long offHeap) {}

    @Test
    void residentMemoryStaysFlat() throws Exception {
        long predicts = Long.getLong("neurite.soak.predicts", 40_000), steps = Long.getLong("neurite.soak.steps", 400);
        int samples = 20;
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms192m", "-Xmx192m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                SoakProbe.class.getName(), Long.toString(predicts), Long.toString(steps), Integer.toString(samples));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), out);
        assertTrue(out.contains("backend native"), out);

        List<Sample> predict = samples(out, "predict"), train = samples(out, "train");
        assertEquals(samples + 1, predict.size(), out);
        assertEquals(samples + 1, train.size(), out);
        double predictSlope = slope(predict), trainSlope = slope(train);
        System.out.printf(Locale.ROOT, "soak: %,d predicts: resident memory %+.3f bytes per call (%,d -> %,d bytes);"
                        + " %,d training steps: %+.1f bytes per step (%,d -> %,d bytes)%n",
                predicts, predictSlope, predict.get(0).rss(), predict.get(samples).rss(),
                steps, trainSlope, train.get(0).rss(), train.get(samples).rss());
        assertTrue(predictSlope < PREDICT_BYTES_PER_CALL, "resident memory grows " + predictSlope + " bytes per predict:\n" + out);
        assertTrue(trainSlope < TRAINING_BYTES_PER_STEP, "resident memory grows " + trainSlope + " bytes per training step:\n" + out);
        for (List<Sample> phase : List.of(predict, train)) {
            for (Sample s : phase) assertEquals(phase.get(0).offHeap(), s.offHeap(), "Neurite's off-heap bytes moved:\n" + out);
        }
    }

    private static List<Sample> samples(String out, String phase) {
        List<Sample> samples = new ArrayList<>();
        for (String line : out.split("\\R")) {
            String[] f = line.split(" ");
            if (f.length == 5 && f[0].equals("sample") && f[1].equals(phase)) {
                samples.add(new Sample(Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])));
            }
        }
        return samples;
    }

    /**
     * The Theil-Sen slope of resident bytes against calls: the median of the slopes between
     * every two samples. A leak moves them all; a one-off step (a late compilation, a malloc
     * arena) moves few, and does not pass for a trend as in a least-squares fit.
     */
    private static double slope(List<Sample> samples) {
        List<Double> slopes = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            for (int j = i + 1; j < samples.size(); j++) {
                Sample a = samples.get(i), b = samples.get(j);
                slopes.add((double) (b.rss() - a.rss()) / (b.calls() - a.calls()));
            }
        }
        Collections.sort(slopes);
        int n = slopes.size();
        return n % 2 == 1 ? slopes.get(n / 2) : (slopes.get(n / 2 - 1) + slopes.get(n / 2)) / 2;
    }
}

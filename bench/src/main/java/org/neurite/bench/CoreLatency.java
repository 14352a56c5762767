package org.neurite.bench;

/**
 * The round trip of a cache line between two threads, printed beside benchmark results: on a
 * shared virtual machine it moves between about 100 and 600 ns as the host places the vCPUs,
 * and every parallel op pays it, so batch-1 figures from a slow phase are recognisable.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar org.neurite.bench.CoreLatency
 * }</pre>
 */
public final class CoreLatency {
    private static final int ROUND_TRIPS = 200_000;

    // Apart by more than a cache line, so each flag moves alone.
    private static final class Flags {
        volatile long ping;
        long p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
        volatile long pong;
    }

    private CoreLatency() {}

    /** The median round trip in nanoseconds over a few runs of ROUND_TRIPS each. */
    public static double roundTripNanos() throws InterruptedException {
        double[] runs = new double[5];
        for (int run = 0; run < runs.length; run++) {
            Flags f = new Flags();
            Thread echo = new Thread(() -> {
                for (long i = 1; i <= ROUND_TRIPS; i++) {
                    while (f.ping < i) Thread.onSpinWait();
                    f.pong = i;
                }
            });
            echo.start();
            long start = System.nanoTime();
            for (long i = 1; i <= ROUND_TRIPS; i++) {
                f.ping = i;
                while (f.pong < i) Thread.onSpinWait();
            }
            runs[run] = (System.nanoTime() - start) / (double) ROUND_TRIPS;
            echo.join();
        }
        java.util.Arrays.sort(runs);
        return runs[runs.length / 2];
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.printf("core-to-core round trip: %.0f ns%n", roundTripNanos());
    }
}

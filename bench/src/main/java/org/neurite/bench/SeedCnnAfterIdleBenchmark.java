package org.neurite.bench;

import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * The seed CNN as a server with sporadic requests sees it: every call comes after 1 ms of
 * idleness (not timed), when helper threads have stopped polling and gone to sleep. The
 * same implementations and batches as {@link SeedCnnBenchmark}, whose back-to-back calls
 * keep every thread hot.
 */
public class SeedCnnAfterIdleBenchmark extends SeedCnnBenchmark {
    private static final long IDLE_NANOS = 1_000_000;

    @Setup(Level.Invocation)
    public void idle() {
        LockSupport.parkNanos(IDLE_NANOS);
    }
}

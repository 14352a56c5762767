package org.neurite.cli;

/** Argument checks that fail with one clear line. */
final class Checks {
    private Checks() {}

    static void positive(String option, long value) {
        if (value <= 0) throw new UsageException(option + " must be positive, got " + value);
    }

    static void notNegative(String option, long value) {
        if (value < 0) throw new UsageException(option + " must not be negative, got " + value);
    }
}

package org.neurite.cli;

/** A user's mistake (a missing file, a wrong pairing, a bad number): one line on stderr and exit code 2, no stack trace. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}

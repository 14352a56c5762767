package org.neurite.bench;

import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.backend.NativeBackend;

/**
 * The implementations compared side by side in one run. NEURITE runs the best kernels this
 * CPU has; NEURITE_AVX2 the same library capped at AVX2, so that a CPU with AVX-512 shows
 * both tiers in one run.
 */
enum Impl {
    NEURITE, NEURITE_AVX2, ONEDNN, OPENBLAS, ONNXRUNTIME, JAVA;

    static Impl of(String name) {
        return valueOf(name.toUpperCase());
    }

    /**
     * Neurite's backend for NEURITE and NEURITE_AVX2 (native, ISA cap set) and JAVA (the
     * fallback). A peer library has none: a benchmark that asks for one has no code for that
     * peer, and running Neurite under the peer's name would report a figure as the peer's.
     */
    Backend backend() {
        if (this == JAVA) return Backends.java();
        if (this != NEURITE && this != NEURITE_AVX2) {
            throw new IllegalArgumentException(name().toLowerCase() + " is a peer library, not a Neurite backend: this benchmark does not run it");
        }
        NativeBackend.maxIsa(this == NEURITE_AVX2 ? NativeBackend.Isa.AVX2 : NativeBackend.Isa.AVX512);
        return Backends.nativeBackend();
    }
}

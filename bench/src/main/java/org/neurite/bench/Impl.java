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

    /** Neurite's backend for NEURITE and NEURITE_AVX2 (native, ISA cap set) and JAVA (the fallback). */
    Backend backend() {
        if (this == JAVA) return Backends.java();
        NativeBackend.maxIsa(this == NEURITE_AVX2 ? NativeBackend.Isa.AVX2 : NativeBackend.Isa.AVX512);
        return Backends.nativeBackend();
    }
}

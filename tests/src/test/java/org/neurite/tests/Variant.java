package org.neurite.tests;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.backend.NativeBackend;
import org.neurite.backend.NativeBackend.Isa;

/**
 * Where an op runs: the pure-Java backend, or the native one capped at one ISA tier. Tests
 * run every variant; one this CPU lacks is reported as skipped with a SKIPPED line, never
 * passed in silence.
 */
public enum Variant {
    JAVA(null),
    NATIVE_REF(Isa.REF),
    NATIVE_AVX2(Isa.AVX2),
    NATIVE_AVX512(Isa.AVX512);

    private final Isa isa;

    Variant(Isa isa) {
        this.isa = isa;
    }

    /**
     * The backend, with the native ISA cap set for this variant; aborts the calling test (JUnit
     * reports it skipped) where the CPU lacks the ISA.
     */
    public Backend activate() {
        if (isa == null) return Backends.java();
        if (!runsHere()) {
            String why = "SKIPPED " + this + ": this CPU's best ISA is " + NativeBackend.detectedIsa();
            System.out.println(why);
            Assumptions.abort(why);
        }
        NativeBackend.maxIsa(isa);
        return Backends.nativeBackend();
    }

    /** Whether this CPU has the variant's ISA. */
    public boolean runsHere() {
        return isa == null || NativeBackend.detectedIsa().compareTo(isa) >= 0;
    }

    /** The suffix of the kernel names this variant must run, or null for Java. */
    public String kernelSuffix() {
        return isa == null ? null : "_" + isa.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Every variant, including those this CPU lacks (their tests are skipped, visibly). */
    public static List<Variant> all() {
        return List.of(values());
    }

    /** The fastest native variant this CPU runs. */
    public static Variant bestNative() {
        Variant best = NATIVE_REF;
        for (Variant v : values()) if (v.isa != null && v.runsHere()) best = v;
        return best;
    }
}

package org.neurite.tests;

import java.util.ArrayList;
import java.util.List;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.backend.NativeBackend;

/** Where an op runs: the pure-Java backend, or the native one capped at the reference or AVX2 kernels. */
public enum Variant {
    JAVA,
    NATIVE_REF,
    NATIVE_AVX2;

    /** The backend, with the native ISA cap set for this variant. */
    public Backend activate() {
        if (this == JAVA) return Backends.java();
        NativeBackend.maxIsa(this == NATIVE_REF ? NativeBackend.Isa.REF : NativeBackend.Isa.AVX2);
        return Backends.nativeBackend();
    }

    /** The suffix of the kernel names this variant must run, or null for Java. */
    public String kernelSuffix() {
        return switch (this) {
            case JAVA -> null;
            case NATIVE_REF -> "_ref";
            case NATIVE_AVX2 -> "_avx2";
        };
    }

    /** Every variant this machine runs; AVX2 only where the CPU has it. */
    public static List<Variant> available() {
        List<Variant> variants = new ArrayList<>(List.of(JAVA, NATIVE_REF));
        if (NativeBackend.detectedIsa() == NativeBackend.Isa.AVX2) variants.add(NATIVE_AVX2);
        return variants;
    }
}

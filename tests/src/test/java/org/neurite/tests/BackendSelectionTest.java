package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Backend selection as an application meets it, each case in a fresh JVM: the default,
 * forcing Java (which must never load JavaCPP), a classpath without the native library
 * (one log line, then Java), forcing native where it cannot load, and the ISA cap from the
 * environment.
 */
class BackendSelectionTest {
    record Run(int exit, String out) {}

    private static String classpath(boolean withNative) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        if (withNative) return cp;
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !e.contains("neurite-bindings") && !e.contains("bindings/target") && !e.contains("javacpp")
                        && !e.contains("dnnl"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Run run(boolean withNative, Map<String, String> env, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmOptions));
        command.add("-cp");
        command.add(classpath(withNative));
        command.add(BackendProbe.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("NEURITE_MAX_ISA");
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), out);
    }

    @Test
    void defaultsToNativeWhereItLoads() throws Exception {
        Run r = run(true, Map.of());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("backend=native outputs=3"), r.out());
        assertTrue(r.out().contains("max_isa=AVX2") || r.out().contains("max_isa=REF"), r.out());
    }

    @Test
    void forcedJavaNeverLoadsJavaCpp() throws Exception {
        Run r = run(true, Map.of(), "-Dneurite.backend=java", "-verbose:class");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("backend=java outputs=3"), r.out());
        assertTrue(r.out().contains("org.neurite.backend.JavaBackend"), "class loading was not logged");
        assertFalse(r.out().contains("org.bytedeco"), "JavaCPP classes were loaded on the Java path");
        assertFalse(r.out().contains("org.neurite.backend.NativeBackend"), "NativeBackend was loaded on the Java path");
    }

    @Test
    void fallsBackToJavaWithOneLogLineWhereNativeCannotLoad() throws Exception {
        Run r = run(false, Map.of());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("backend=java outputs=3"), r.out());
        long lines = r.out().lines().filter(l -> l.contains("native backend unavailable")).count();
        assertEquals(1, lines, r.out());
        assertTrue(r.out().contains("NoClassDefFoundError") || r.out().contains("ClassNotFoundException"), r.out());
    }

    @Test
    void forcingNativeWhereItCannotLoadIsAnError() throws Exception {
        Run r = run(false, Map.of(), "-Dneurite.backend=native");
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("native backend unavailable"), r.out());
    }

    @Test
    void isaCapComesFromTheEnvironment() throws Exception {
        Run r = run(true, Map.of("NEURITE_MAX_ISA", "ref", "NEURITE_VERBOSE", "1"));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("max_isa=REF"), r.out());
        assertTrue(r.out().contains("conv2d_nhwc_direct_f32_avx2 declined: ISA not available or capped"), r.out());
        assertTrue(r.out().contains("conv2d_nhwc_f32_ref runs"), r.out());
    }
}

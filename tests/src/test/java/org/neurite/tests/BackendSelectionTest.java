package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend selection as an application meets it, each case in a fresh JVM: the default,
 * forcing Java (which must never load JavaCPP), a classpath without the native library
 * (one log line, then Java), forcing native where it cannot load, the ISA cap from the
 * environment, and the jar loading itself away from the build that made it.
 */
class BackendSelectionTest {
    record Run(int exit, String out) {}

    private static String classpath(boolean withNative) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        if (withNative) return cp;
        return without(cp, "neurite-bindings", "bindings/target", "javacpp", "dnnl");
    }

    private static String without(String classpath, String... parts) {
        return Arrays.stream(classpath.split(File.pathSeparator)).filter(e -> Arrays.stream(parts).noneMatch(e::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Run run(boolean withNative, Map<String, String> env, String... jvmOptions) throws Exception {
        return run(classpath(withNative), env, jvmOptions);
    }

    private static Run run(String classpath, Map<String, String> env, String... jvmOptions) throws Exception {
        return run(classpath, env, List.of(), jvmOptions);
    }

    private static Run run(String classpath, Map<String, String> env, List<String> args, String... jvmOptions) throws Exception {
        return run(Path.of(System.getProperty("java.home")), classpath, env, args, jvmOptions);
    }

    private static Run run(Path javaHome, String classpath, Map<String, String> env, List<String> args, String... jvmOptions)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(Arrays.asList(jvmOptions));
        command.add("-cp");
        command.add(classpath);
        command.add(BackendProbe.class.getName());
        command.addAll(args);
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
        assertTrue(r.out().matches("(?s).*detected_isa=(\\w+) max_isa=\\1\\b.*"), "no cap by default: " + r.out());
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
        List<String> lines = r.out().lines().filter(l -> l.contains("native backend unavailable")).toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.get(0).contains("WARN org.neurite"), "through the application's SLF4J provider: " + r.out());
        assertTrue(r.out().contains("NoClassDefFoundError") || r.out().contains("ClassNotFoundException"), r.out());
    }

    @Test
    void withoutAnSlf4jProviderTheLineGoesToTheJdkLogger() throws Exception {
        Run r = run(without(classpath(false), "slf4j-simple"), Map.of());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("backend=java outputs=3"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.contains("native backend unavailable")).count(), r.out());
    }

    @Test
    void anUnknownBackendFailsEveryCallClearlyUntilFixed() throws Exception {
        Run r = run(classpath(true), Map.of(), List.of("retry"), "-Dneurite.backend=gpu");
        assertEquals(0, r.exit(), r.out());
        for (int call = 0; call < 2; call++) {
            assertTrue(r.out().contains("call " + call + ": IllegalArgumentException: -Dneurite.backend must be java or native, got 'gpu'"),
                    r.out());
        }
        assertTrue(r.out().contains("backend=native outputs=3"), "the fixed setting works in the same JVM: " + r.out());
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
        assertTrue(r.out().contains("conv2d_nhwc_f32_ref runs"), r.out());
        // Each faster kernel says why it declined: the cap where the CPU has its ISA, the CPU otherwise.
        for (Variant v : List.of(Variant.NATIVE_AVX2, Variant.NATIVE_AVX512)) {
            String why = v.runsHere() ? "capped by NEURITE_MAX_ISA" : "the CPU lacks";
            assertTrue(r.out().contains("conv2d_nhwc_direct_f32" + v.kernelSuffix() + " declined: " + why), r.out());
        }
    }

    @Test
    void avx2CapLeavesAvx512Out() throws Exception {
        Run r = run(true, Map.of("NEURITE_MAX_ISA", "avx2", "NEURITE_VERBOSE", "1"));
        assertEquals(0, r.exit(), r.out());
        if (Variant.NATIVE_AVX2.runsHere()) {
            assertTrue(r.out().contains("max_isa=AVX2"), r.out());
            assertTrue(r.out().contains("conv2d_nhwc_direct_f32_avx2 runs"), r.out());
        }
        assertTrue(r.out().contains("conv2d_nhwc_direct_f32_avx512 declined: "
                + (Variant.NATIVE_AVX512.runsHere() ? "capped by NEURITE_MAX_ISA" : "the CPU lacks")), r.out());
    }

    @Test
    void unknownIsaCapIsAnErrorNamingTheAcceptedValues() throws Exception {
        for (String value : List.of("foo", "REF", "avx-512")) {
            Run r = run(true, Map.of("NEURITE_MAX_ISA", value));
            assertNotEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("NEURITE_MAX_ISA='" + value + "' is not one of ref, avx2, avx512"), r.out());
            assertFalse(r.out().contains("backend="), "the model ran despite the bad setting: " + r.out());
        }
    }

    private static final String LIBRARIES = "org/neurite/bindings/linux-x86_64/";

    @Test
    void theLibrariesInTheJarNameNoFolderOfTheBuild() throws IOException {
        for (String library : List.of("libneurite.so", "libjniNeuriteNative.so")) {
            byte[] elf;
            try (InputStream in = BackendSelectionTest.class.getClassLoader().getResourceAsStream(LIBRARIES + library)) {
                assertTrue(in != null, library + " is not on the classpath");
                elf = in.readAllBytes();
            }
            for (String path : searchPaths(elf)) {
                assertTrue(path.startsWith("$ORIGIN"), library + " searches " + path + " for its dependencies");
            }
        }
    }

    /** The DT_RPATH and DT_RUNPATH entries of a 64-bit little-endian ELF file, split at ':'. */
    private static List<String> searchPaths(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x464c457f, b.getInt(0), "not an ELF file");
        assertEquals(2, b.get(4), "not a 64-bit ELF file");
        long sectionTable = b.getLong(0x28);
        int sectionSize = Short.toUnsignedInt(b.getShort(0x3a));
        int sections = Short.toUnsignedInt(b.getShort(0x3c));
        List<String> paths = new ArrayList<>();
        boolean sawDynamic = false;
        for (int i = 0; i < sections; i++) {
            int header = Math.toIntExact(sectionTable + (long) i * sectionSize);
            if (b.getInt(header + 4) != 6) continue; // SHT_DYNAMIC
            sawDynamic = true;
            int strings = Math.toIntExact(sectionTable + (long) b.getInt(header + 0x28) * sectionSize);
            long stringsOffset = b.getLong(strings + 0x18);
            long offset = b.getLong(header + 0x18);
            long size = b.getLong(header + 0x20);
            for (long entry = offset; entry + 16 <= offset + size; entry += 16) {
                long tag = b.getLong(Math.toIntExact(entry));
                if (tag == 0) break; // DT_NULL
                if (tag != 15 && tag != 29) continue; // DT_RPATH, DT_RUNPATH
                int start = Math.toIntExact(stringsOffset + b.getLong(Math.toIntExact(entry + 8)));
                int end = start;
                while (elf[end] != 0) end++;
                paths.addAll(Arrays.asList(new String(elf, start, end - start, StandardCharsets.UTF_8).split(":")));
            }
        }
        assertTrue(sawDynamic, "no dynamic section");
        return paths;
    }

    @Test
    void jvmsStartedTogetherShareOneFreshCache(@TempDir Path dir) throws Exception {
        // The bindings from a jar copied out of the build, as an application gets them.
        Path jar = dir.resolve("neurite-bindings.jar");
        List<String> entries = new ArrayList<>();
        for (String entry : classpath(true).split(File.pathSeparator)) {
            boolean bindings = entry.contains("neurite-bindings") || entry.replace('\\', '/').contains("bindings/target");
            if (bindings && !entries.contains(jar.toString())) copyAsJar(Path.of(entry), jar);
            entries.add(bindings ? jar.toString() : entry);
        }
        assertTrue(Files.exists(jar), "no bindings on the classpath: " + classpath(true));
        String cp = String.join(File.pathSeparator, entries);
        int jvms = 3;
        for (int round = 0; round < 2; round++) {
            String cache = "-Dorg.bytedeco.javacpp.cachedir=" + Files.createDirectory(dir.resolve("cache" + round));
            ExecutorService pool = Executors.newFixedThreadPool(jvms);
            try {
                List<Future<Run>> runs = new ArrayList<>();
                for (int i = 0; i < jvms; i++) runs.add(pool.submit(() -> run(cp, Map.of(), cache)));
                for (Future<Run> f : runs) {
                    Run r = f.get();
                    assertEquals(0, r.exit(), r.out());
                    assertTrue(r.out().contains("backend=native outputs=3"), r.out());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void copyAsJar(Path from, Path jar) throws IOException {
        if (Files.isRegularFile(from)) {
            Files.copy(from, jar);
            return;
        }
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out);
             Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                zip.putNextEntry(new ZipEntry(from.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
    }

    @Test
    void theReadmesFlagSilencesJdk22sNativeAccessWarning() throws Exception {
        Optional<Path> jdk = jdk22OrLater();
        Assumptions.assumeTrue(jdk.isPresent(), "no JDK 22 or later here (-Dneurite.test.jdk=HOME names one)");
        String readme = Files.readString(Path.of(System.getProperty("neurite.shapes")).getParent().getParent().resolve("README.md"));
        String flag = "--enable-native-access=ALL-UNNAMED";
        assertTrue(readme.contains(flag), "README.md does not document " + flag);

        Run without = run(jdk.get(), classpath(true), Map.of(), List.of());
        assertEquals(0, without.exit(), without.out());
        assertTrue(without.out().contains("WARNING: A restricted method"), "the check below could not fail: " + without.out());

        Run with = run(jdk.get(), classpath(true), Map.of(), List.of(), flag);
        assertEquals(0, with.exit(), with.out());
        assertTrue(with.out().contains("backend=native outputs=3"), with.out());
        assertFalse(with.out().contains("WARNING"), with.out());
    }

    private static Optional<Path> jdk22OrLater() throws IOException {
        String named = System.getProperty("neurite.test.jdk");
        List<Path> homes = new ArrayList<>();
        if (named != null) homes.add(Path.of(named));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.sorted().forEach(homes::add);
            }
        }
        Pattern version = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");
        for (Path home : homes) {
            Path release = home.resolve("release");
            if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin/java"))) continue;
            Matcher m = version.matcher(Files.readString(release));
            if (m.find() && Integer.parseInt(m.group(1)) >= 22) return Optional.of(home);
        }
        return Optional.empty();
    }
}

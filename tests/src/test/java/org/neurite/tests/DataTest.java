package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurite.data.Dataset;
import org.neurite.data.Mnist;
import org.neurite.data.SpamAssassin;
import org.neurite.data.Vocabulary;

/** The real-data loaders, on small files written here, broken ones included. */
class DataTest {
    @TempDir
    Path dir;

    private static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] pixels(int n) {
        byte[] p = new byte[n * 784];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 7);
        return p;
    }

    @Test
    void mnistIdxFilesGiveScaledImagesRowsAndLabels() throws IOException {
        Path images = write("i", idx(0x803, new int[] {3, 28, 28}, pixels(3)));
        Path labels = write("l", idx(0x801, new int[] {3}, new byte[] {7, 0, 9}));
        Mnist mnist = Mnist.read(images, labels);
        assertEquals(3, mnist.size());
        Dataset cnn = mnist.images(), rnn = mnist.rows();
        assertArrayEquals(new int[] {28, 28, 1}, cnn.inputShape());
        assertArrayEquals(new int[] {28, 28}, rnn.inputShape());
        float[] x = new float[2 * 784], y = new float[2];
        cnn.read(new int[] {2, 0}, 0, 2, x, y);
        assertArrayEquals(new float[] {9, 7}, y);
        for (int p = 0; p < 784; p++) {
            assertEquals(((2 * 784 + p) * 7 & 0xFF) / 255f, x[p], 1e-7f, "pixel " + p + " of image 2");
            assertEquals(((p * 7) & 0xFF) / 255f, x[784 + p], 1e-7f, "pixel " + p + " of image 0");
        }
        assertEquals(9, rnn.label(2));
    }

    @Test
    void brokenMnistFilesAreRefusedNamingTheFileAndWhatWasExpected() throws IOException {
        Path labels = write("labels", idx(0x801, new int[] {2}, new byte[] {1, 2}));
        Object[][] cases = {
                {idx(0x801, new int[] {2, 28, 28}, pixels(2)), "magic number 0x00000801, expected 0x00000803"},
                {Arrays.copyOf(idx(0x803, new int[] {2, 28, 28}, pixels(2)), 16 + 784 + 5), "expected 1584 bytes"},
                {idx(0x803, new int[] {2, 27, 28}, pixels(2)), "28x28"},
                {new byte[] {0, 0, 8}, "truncated"},
                {idx(0x803, new int[] {3, 28, 28}, pixels(3)), "2 labels for the 3 images"}};
        for (Object[] c : cases) {
            Path images = write("images", (byte[]) c[0]);
            IOException e = assertThrows(IOException.class, () -> Mnist.read(images, labels));
            assertTrue(e.getMessage().contains((String) c[1]) && e.getMessage().contains(dir.toString()), e.getMessage());
        }
        Path images = write("images", idx(0x803, new int[] {2, 28, 28}, pixels(2)));
        Path badLabel = write("bad", idx(0x801, new int[] {2}, new byte[] {1, 10}));
        assertTrue(assertThrows(IOException.class, () -> Mnist.read(images, badLabel)).getMessage().contains("label 1 is 10"));
        assertTrue(assertThrows(IOException.class, () -> Mnist.read(dir.resolve("none"), labels)).getMessage().contains("no such file"));
    }

    private void message(String name, String group, String text) throws IOException {
        Files.createDirectories(dir.resolve(name).getParent());
        Files.writeString(dir.resolve(name.replace(".txt", ".json")), "{\"id\":\"" + name + "\",\"group\":\"" + group + "\",\"text\":"
                + new com.google.gson.Gson().toJson(text) + "}",
                StandardCharsets.UTF_8);
    }

    @Test
    void spamAssassinBodiesLabelsAndTheMd5Split() throws IOException {
        // Expected splits from Python's hashlib: MD5("message 1\n")[:4] = 3400091175 (above 2^31), divisible by 5
        message("spam-1/a.txt", "spam-1", "From: x\nSubject: y\n\nmessage 1\n");
        message("easy-ham-1/b.txt", "easy-ham-1", "From: z\n\nmessage 2\n");
        message("hard-ham-1/c.txt", "hard-ham-1", "Subject: q\n\nÜnïcode body ✓ 5");
        message("spam-2/d.txt", "spam-2", "no headers at all");
        Files.writeString(dir.resolve("file_list.json"), "[\"spam-1/a.txt\", \"easy-ham-1/b.txt\", \"hard-ham-1/c.txt\", \"spam-2/d.txt\"]");
        SpamAssassin corpus = SpamAssassin.read(dir);
        assertEquals(List.of("message 2\n", "no headers at all"), corpus.train().stream().map(SpamAssassin.Message::body).toList());
        assertEquals(List.of("message 1\n", "Ünïcode body ✓ 5"), corpus.test().stream().map(SpamAssassin.Message::body).toList());
        assertEquals(List.of(false, true), corpus.train().stream().map(SpamAssassin.Message::spam).toList());
        assertEquals(List.of(true, false), corpus.test().stream().map(SpamAssassin.Message::spam).toList());
        assertFalse(SpamAssassin.isTest("message 2\n"), "MD5 prefix 2979293897... not divisible by 5"); // hashlib: 'hello\n' etc.
        assertTrue(SpamAssassin.isTest("message 39\n"), "608221785");
        assertFalse(SpamAssassin.isTest(""), "3558706393");
        Vocabulary words = Vocabulary.build(corpus.train().stream().map(SpamAssassin.Message::body).toList(), 5);
        Dataset data = SpamAssassin.sequences(corpus.train(), words, 4);
        float[] x = new float[8], y = new float[2];
        data.read(new int[] {0, 1}, 0, 2, x, y);
        assertArrayEquals(new float[] {0, 1}, y);
        assertEquals(words.id("message"), (int) x[0]);
        assertEquals(0, (int) x[2], "padded at the end");
    }

    @Test
    void brokenCorporaAreRefusedClearly() throws IOException {
        assertTrue(assertThrows(IOException.class, () -> SpamAssassin.read(dir)).getMessage().contains("file_list.json"));
        Files.writeString(dir.resolve("file_list.json"), "{not json");
        assertTrue(assertThrows(IOException.class, () -> SpamAssassin.read(dir)).getMessage().contains("JSON array"));
        Files.writeString(dir.resolve("file_list.json"), "[\"../../etc/passwd\"]");
        assertTrue(assertThrows(IOException.class, () -> SpamAssassin.read(dir)).getMessage().contains("not a file name inside"));
        Files.writeString(dir.resolve("file_list.json"), "[\"missing.txt\"]");
        assertTrue(assertThrows(IOException.class, () -> SpamAssassin.read(dir)).getMessage().contains("missing"));
        Files.writeString(dir.resolve("x.json"), "{\"group\": \"spam\"}");
        Files.writeString(dir.resolve("file_list.json"), "[\"x.txt\"]");
        assertTrue(assertThrows(IOException.class, () -> SpamAssassin.read(dir)).getMessage().contains("\"text\""));
    }

    @Test
    void vocabularyFollowsKerasTextVectorizationDefaults() {
        assertEquals(List.of("hello", "world", "dont", "stop", "née"), Vocabulary.tokens("Hello, World!\n don't\tSTOP... Née"));
        Vocabulary v = Vocabulary.build(List.of("b a c", "c b", "c d"), 4); // c:3, b:2, then a and d tie at 1: a first
        assertEquals(List.of("c", "b"), v.words());
        assertEquals(4, v.size());
        assertArrayEquals(new int[] {3, 2, 1, 0, 0}, v.encode("b c zzz", 5));
        assertArrayEquals(new int[] {3, 2}, v.encode("b c c c", 2));
        Vocabulary three = Vocabulary.build(List.of("b a c", "c b", "c d"), 5);
        assertEquals(List.of("c", "b", "a"), three.words(), "ties in alphabetical order");
        assertEquals("[UNK]", v.word(1));
    }
}

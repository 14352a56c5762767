package org.neurite.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (as Hugging Face's reference implementation writes and reads it): an
 * 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, an optional string-to-string {@code __metadata__}, then the little-endian data. Only
 * F32 tensors, which is what Neurite keeps. Writes are atomic: a temporary file in the same
 * folder, forced to disk, then renamed over the target, so a failed save leaves the old file.
 * Reads check every size and offset before allocating, so a truncated, corrupt or hostile
 * file gives an {@link IOException} naming the problem.
 */
public final class Safetensors {
    /** Headers above this are refused before they are read (ours are a few kB). */
    static final long MAX_HEADER = 64L << 20;

    private final Map<String, String> metadata;
    private final Map<String, int[]> shapes;
    private final Map<String, float[]> tensors;

    private Safetensors(Map<String, String> metadata, Map<String, int[]> shapes, Map<String, float[]> tensors) {
        this.metadata = metadata;
        this.shapes = shapes;
        this.tensors = tensors;
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Tensor names, in file order. */
    public java.util.Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public int[] shape(String name) {
        return require(name, shapes).clone();
    }

    public float[] values(String name) {
        return require(name, tensors);
    }

    private static <T> T require(String name, Map<String, T> map) {
        T t = map.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor '" + name + "' in the file; it has " + map.keySet());
        return t;
    }

    /** Writes tensors (name to shape and values, in order) and metadata to {@code path}, atomically. */
    public static void write(Path path, Map<String, String> metadata, Map<String, int[]> shapes, Map<String, float[]> values)
            throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            float[] v = values.get(e.getKey());
            long count = 1;
            for (int d : e.getValue()) count *= d;
            if (v == null || v.length != count) {
                throw new IllegalArgumentException(e.getKey() + ": " + (v == null ? "no" : v.length) + " values for shape "
                        + Arrays.toString(e.getValue()));
            }
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : e.getValue()) shape.add(d);
            entry.add("shape", shape);
            JsonArray range = new JsonArray();
            range.add(offset);
            range.add(offset += 4L * v.length);
            entry.add("data_offsets", range);
            header.add(e.getKey(), entry);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7; // the data starts 8-byte aligned, as the reference writer pads with spaces
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
        boolean done = false;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, head);
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (String name : shapes.keySet()) {
                    float[] v = values.get(name);
                    for (int i = 0; i < v.length; ) {
                        chunk.clear();
                        FloatBuffer f = chunk.asFloatBuffer();
                        int n = Math.min(f.capacity(), v.length - i);
                        f.put(v, i, n);
                        chunk.limit(4 * n);
                        writeFully(out, chunk);
                        i += n;
                    }
                }
                out.force(true);
            }
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(temp);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /** Reads a whole file, checking it as described above. */
    public static Safetensors read(Path path) throws IOException {
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = in.size();
            if (size < 8) throw new IOException(path + ": truncated: " + size + " bytes, not even a safetensors header length");
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(in, lengthBytes, 0, path);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw new IOException(path + ": header length " + Long.toUnsignedString(headerLength) + " does not fit a file of "
                        + size + " bytes (at most " + MAX_HEADER + ")");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(in, headerBytes, 8, path);
            JsonObject header;
            try {
                JsonElement parsed = Json.parse(new String(headerBytes.array(), StandardCharsets.UTF_8));
                if (!parsed.isJsonObject()) throw new IOException(path + ": the header is not a JSON object");
                header = parsed.getAsJsonObject();
            } catch (JsonParseException e) {
                throw new IOException(path + ": the header is not valid JSON (" + e.getMessage() + ")", e);
            }
            long dataStart = 8 + headerLength, dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, int[]> shapes = new LinkedHashMap<>();
            Map<String, long[]> ranges = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    if (!e.getValue().isJsonObject()) throw new IOException(path + ": __metadata__ is not an object");
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                        if (!m.getValue().isJsonPrimitive()) throw new IOException(path + ": metadata '" + m.getKey() + "' is not a string");
                        metadata.put(m.getKey(), m.getValue().getAsString());
                    }
                    continue;
                }
                entry(path, e.getKey(), e.getValue(), dataSize, shapes, ranges);
            }
            Map<String, float[]> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : ranges.entrySet()) {
                long[] r = e.getValue();
                ByteBuffer bytes = ByteBuffer.allocate((int) (r[1] - r[0])).order(ByteOrder.LITTLE_ENDIAN);
                readFully(in, bytes, dataStart + r[0], path);
                float[] v = new float[bytes.capacity() / 4];
                bytes.flip();
                bytes.asFloatBuffer().get(v);
                tensors.put(e.getKey(), v);
            }
            return new Safetensors(metadata, shapes, tensors);
        }
    }

    private static void entry(Path path, String name, JsonElement value, long dataSize, Map<String, int[]> shapes,
                              Map<String, long[]> ranges) throws IOException {
        String where = path + ": tensor '" + name + "'";
        try {
            JsonObject o = value.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            if (!dtype.equals("F32")) throw new IOException(where + " has dtype " + dtype + "; only F32 is supported");
            JsonArray shapeJson = o.get("shape").getAsJsonArray();
            int[] shape = new int[shapeJson.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsBigDecimal().intValueExact();
                if (shape[i] < 0) throw new IOException(where + " has a negative dimension in " + shapeJson);
                count = Math.multiplyExact(count, shape[i]);
            }
            JsonArray offsets = o.get("data_offsets").getAsJsonArray();
            if (offsets.size() != 2) throw new IOException(where + ": data_offsets must be [begin, end]");
            long begin = offsets.get(0).getAsBigDecimal().longValueExact(), end = offsets.get(1).getAsBigDecimal().longValueExact();
            if (begin < 0 || end < begin || end > dataSize) {
                throw new IOException(where + ": bytes [" + begin + ", " + end + ") lie outside the " + dataSize + " bytes of data");
            }
            if (end - begin != 4 * count || count > Integer.MAX_VALUE / 4) {
                throw new IOException(where + ": " + (end - begin) + " bytes for shape " + shapeJson + " of F32 (" + 4 * count + " expected)");
            }
            shapes.put(name, shape);
            ranges.put(name, new long[] {begin, end});
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException | NumberFormatException
                 | ArithmeticException e) {
            throw new IOException(where + ": expected {\"dtype\", \"shape\", \"data_offsets\"} (" + e + ")", e);
        }
    }

    private static void readFully(FileChannel in, ByteBuffer b, long position, Path path) throws IOException {
        while (b.hasRemaining()) {
            int n = in.read(b, position + b.position());
            if (n < 0) throw new IOException(path + ": truncated at byte " + (position + b.position()));
        }
    }
}

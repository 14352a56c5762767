package org.neurite.bench.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Protocol Buffers' wire format, as far as ONNX's messages need it: varint fields (integers
 * and enums) and length-delimited fields (strings, bytes, nested messages). Each field is a
 * key {@code (field number << 3) | wire type} followed by its value; a repeated field is the
 * same key written once per element, which every parser accepts.
 *
 * <pre>{@code
 * byte[] opset = new ProtoWriter().string(1, "").varint(2, 17).toByteArray();
 * }</pre>
 */
public final class ProtoWriter {
    private static final int VARINT = 0, LENGTH_DELIMITED = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** An int64, int32 or enum field; negative values take ten bytes, as protobuf's int64 does. */
    public ProtoWriter varint(int field, long value) {
        key(field, VARINT);
        rawVarint(value);
        return this;
    }

    public ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public ProtoWriter bytes(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    public ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        rawVarint((long) field << 3 | wireType);
    }

    /** Seven bits per byte, least significant group first; the high bit says more bytes follow. */
    private void rawVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}

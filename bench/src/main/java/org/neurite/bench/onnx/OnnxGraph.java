package org.neurite.bench.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * An ONNX graph built node by node and serialised as a ModelProto, for ONNX Runtime to load
 * from memory. It covers what an inference graph of standard operators needs: nodes with
 * int and ints attributes, float and int64 initializers, and inputs and outputs whose
 * first axis is the symbolic {@code batch}. Nodes must be added in topological order.
 *
 * <pre>{@code
 * OnnxGraph g = new OnnxGraph("affine");
 * g.input("x", OnnxGraph.FLOAT, 4);
 * String w = g.floats("w", new float[8], 4, 2), b = g.floats("b", new float[2], 2);
 * g.node("Gemm", List.of("x", w, b), "y");
 * g.output("y", OnnxGraph.FLOAT, 2);
 * byte[] model = g.toModel(17);
 * }</pre>
 */
public final class OnnxGraph {
    /** TensorProto.DataType values. */
    public static final int FLOAT = 1, INT64 = 7;

    // Field numbers from onnx.proto, by message.
    private static final int MODEL_IR_VERSION = 1, MODEL_PRODUCER_NAME = 2, MODEL_GRAPH = 7, MODEL_OPSET_IMPORT = 8;
    private static final int OPSET_ID_VERSION = 2;
    private static final int GRAPH_NODE = 1, GRAPH_NAME = 2, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11, GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_OP_TYPE = 4, NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_NAME = 1, ATTRIBUTE_I = 3, ATTRIBUTE_INTS = 8, ATTRIBUTE_TYPE = 20;
    private static final int TENSOR_DIMS = 1, TENSOR_DATA_TYPE = 2, TENSOR_NAME = 8, TENSOR_RAW_DATA = 9;
    private static final int VALUE_INFO_NAME = 1, VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR = 1, TENSOR_TYPE_ELEM_TYPE = 1, TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1, DIMENSION_VALUE = 1, DIMENSION_PARAM = 2;

    /** IR version 8 came with opsets 15 to 17 (ONNX 1.10 to 1.12); any runtime since reads it. */
    private static final int IR_VERSION = 8;

    private final ProtoWriter graph = new ProtoWriter();

    public OnnxGraph(String name) {
        graph.string(GRAPH_NAME, name);
    }

    /** A node attribute (AttributeProto), with the type discriminator IR version 2 and later require. */
    public static final class Attribute {
        private static final int INT = 2, INTS = 7;

        private final ProtoWriter proto;

        private Attribute(String name, int type) {
            proto = new ProtoWriter().string(ATTRIBUTE_NAME, name).varint(ATTRIBUTE_TYPE, type);
        }

        public static Attribute of(String name, long value) {
            Attribute a = new Attribute(name, INT);
            a.proto.varint(ATTRIBUTE_I, value);
            return a;
        }

        public static Attribute ints(String name, long... values) {
            Attribute a = new Attribute(name, INTS);
            for (long v : values) a.proto.varint(ATTRIBUTE_INTS, v);
            return a;
        }
    }

    /** Adds a node of the default (ai.onnx) domain with one output; returns that output's name. */
    public String node(String op, List<String> inputs, String output, Attribute... attributes) {
        node(op, inputs, List.of(output), attributes);
        return output;
    }

    /** Adds a node; an empty name skips an optional input or output, as ONNX specifies. */
    public void node(String op, List<String> inputs, List<String> outputs, Attribute... attributes) {
        ProtoWriter node = new ProtoWriter().string(NODE_OP_TYPE, op);
        for (String input : inputs) node.string(NODE_INPUT, input);
        for (String output : outputs) node.string(NODE_OUTPUT, output);
        for (Attribute attribute : attributes) node.message(NODE_ATTRIBUTE, attribute.proto);
        graph.message(GRAPH_NODE, node);
    }

    /** A float initializer of shape {@code dims}, row-major; returns its name. */
    public String floats(String name, float[] values, long... dims) {
        ByteBuffer raw = littleEndian((long) values.length * Float.BYTES);
        raw.asFloatBuffer().put(values);
        return initializer(name, FLOAT, values.length, raw, dims);
    }

    /** A one-dimensional int64 initializer, e.g. axes; returns its name. */
    public String int64s(String name, long... values) {
        ByteBuffer raw = littleEndian((long) values.length * Long.BYTES);
        raw.asLongBuffer().put(values);
        return initializer(name, INT64, values.length, raw, values.length);
    }

    /** A graph input {@code [batch, sampleShape...]}. */
    public void input(String name, int elementType, int... sampleShape) {
        graph.message(GRAPH_INPUT, valueInfo(name, elementType, sampleShape));
    }

    /** A graph output {@code [batch, sampleShape...]}. */
    public void output(String name, int elementType, int... sampleShape) {
        graph.message(GRAPH_OUTPUT, valueInfo(name, elementType, sampleShape));
    }

    /** The ModelProto's bytes: this graph, importing the default domain's operators at {@code opset}. */
    public byte[] toModel(int opset) {
        return new ProtoWriter()
                .varint(MODEL_IR_VERSION, IR_VERSION)
                .string(MODEL_PRODUCER_NAME, "neurite-bench")
                .message(MODEL_GRAPH, graph)
                // An OperatorSetIdProto without a domain names the default one, ai.onnx.
                .message(MODEL_OPSET_IMPORT, new ProtoWriter().varint(OPSET_ID_VERSION, opset))
                .toByteArray();
    }

    private String initializer(String name, int dataType, int count, ByteBuffer raw, long... dims) {
        long expected = 1;
        for (long d : dims) expected *= d;
        if (expected != count) {
            throw new IllegalArgumentException("initializer " + name + ": shape " + Arrays.toString(dims)
                    + " holds " + expected + " values, got " + count);
        }
        ProtoWriter tensor = new ProtoWriter();
        for (long d : dims) tensor.varint(TENSOR_DIMS, d);
        tensor.varint(TENSOR_DATA_TYPE, dataType).string(TENSOR_NAME, name).bytes(TENSOR_RAW_DATA, raw.array());
        graph.message(GRAPH_INITIALIZER, tensor);
        return name;
    }

    /** raw_data holds fixed-width little-endian values, whatever the machine's order. */
    private static ByteBuffer littleEndian(long bytes) {
        return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ProtoWriter valueInfo(String name, int elementType, int... sampleShape) {
        ProtoWriter shape = new ProtoWriter().message(SHAPE_DIM, new ProtoWriter().string(DIMENSION_PARAM, "batch"));
        for (int d : sampleShape) shape.message(SHAPE_DIM, new ProtoWriter().varint(DIMENSION_VALUE, d));
        ProtoWriter tensorType = new ProtoWriter().varint(TENSOR_TYPE_ELEM_TYPE, elementType).message(TENSOR_TYPE_SHAPE, shape);
        return new ProtoWriter().string(VALUE_INFO_NAME, name)
                .message(VALUE_INFO_TYPE, new ProtoWriter().message(TYPE_TENSOR, tensorType));
    }
}

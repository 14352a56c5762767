package org.neurite.bench.onnx;

import static org.neurite.bench.onnx.OnnxGraph.Attribute.ints;

import java.util.List;
import org.neurite.Activation;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.neurite.backend.ConvGeometry;
import org.neurite.backend.PoolGeometry;
import org.neurite.backend.RnnGeometry;
import org.neurite.bench.SeedModels;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.Embedding;
import org.neurite.layers.Flatten;
import org.neurite.layers.LSTM;
import org.neurite.layers.Layer;
import org.neurite.layers.MaxPool2D;

/**
 * The seed models of {@link SeedModels} as ONNX models carrying a built Neurite model's
 * weights, laid out as a Keras-to-ONNX converter lays them out: the graph takes Neurite's
 * (Keras') input as is and converts the weights from Keras' layouts to ONNX's. Each layer's
 * configuration is checked against what the graph encodes, so a changed seed model fails
 * here rather than computing something else.
 *
 * <pre>{@code
 * try (Sequential cnn = SeedModels.cnn().build()) {
 *     byte[] onnx = OnnxSeedModels.cnn(cnn); // input "images" [batch, 28, 28, 1], output "probabilities"
 * }
 * }</pre>
 */
public final class OnnxSeedModels {
    /** The CNN's input: float images, NHWC {@code [batch, 28, 28, 1]}. */
    public static final String CNN_INPUT = "images";
    /** The RNN's input: int64 word ids {@code [batch, 100]}, no padding (the graph has no mask). */
    public static final String RNN_INPUT = "ids";
    /** Both models' output: class probabilities {@code [batch, 10]}. */
    public static final String OUTPUT = "probabilities";

    private static final int OPSET = 17;

    /** ONNX's LSTM stacks its gates as i, o, f, c; Keras' as i, f, c, o. Entry g: the Keras gate of ONNX gate g. */
    private static final int[] KERAS_GATE_OF_ONNX_GATE = {0, 3, 1, 2};

    private OnnxSeedModels() {}

    /** Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool -> Conv2D(64) -> Flatten -> Dense(64, relu) -> Dense(10, softmax). */
    public static byte[] cnn(Sequential model) {
        requireLayers(model, 8);
        OnnxGraph g = new OnnxGraph("seed_cnn");
        g.input(CNN_INPUT, OnnxGraph.FLOAT, model.inputShape());
        // ONNX's Conv and MaxPool read NCHW: transpose the NHWC input once, as converters from Keras do.
        String x = g.node("Transpose", List.of(CNN_INPUT), "images_nchw", ints("perm", 0, 3, 1, 2));
        x = conv(g, "conv1", layer(model, 0, Conv2D.class), x);
        x = maxPool(g, "pool1", layer(model, 1, MaxPool2D.class), x);
        x = conv(g, "conv2", layer(model, 2, Conv2D.class), x);
        x = maxPool(g, "pool2", layer(model, 3, MaxPool2D.class), x);
        x = conv(g, "conv3", layer(model, 4, Conv2D.class), x);
        layer(model, 5, Flatten.class);
        // Keras flattens channels-last, and the Dense kernel's rows follow that order: back to NHWC first.
        x = g.node("Transpose", List.of(x), "conv3_nhwc", ints("perm", 0, 2, 3, 1));
        x = g.node("Flatten", List.of(x), "flat");
        x = dense(g, "dense1", layer(model, 6, Dense.class), Activation.RELU, x);
        x = dense(g, "dense2", layer(model, 7, Dense.class), Activation.LINEAR, x);
        g.node("Softmax", List.of(x), OUTPUT);
        g.output(OUTPUT, OnnxGraph.FLOAT, model.outputShape());
        return g.toModel(OPSET);
    }

    /** Embedding(10000, 64) -> LSTM(64), last state -> Dense(64, relu) -> Dense(10, softmax); no mask. */
    public static byte[] rnn(Sequential model) {
        requireLayers(model, 4);
        OnnxGraph g = new OnnxGraph("seed_rnn");
        g.input(RNN_INPUT, OnnxGraph.INT64, model.inputShape());
        // ONNX Runtime's CPU LSTM reads only [steps, batch, features] (it refuses layout = 1, batch first), and
        // transposing the ids moves 64 times less data than transposing the embedded sequence.
        String x = g.node("Transpose", List.of(RNN_INPUT), "ids_by_step", ints("perm", 1, 0));
        x = embedding(g, "embedding", layer(model, 0, Embedding.class), x);
        x = lstm(g, "lstm", layer(model, 1, LSTM.class), x);
        x = dense(g, "dense1", layer(model, 2, Dense.class), Activation.RELU, x);
        x = dense(g, "dense2", layer(model, 3, Dense.class), Activation.LINEAR, x);
        g.node("Softmax", List.of(x), OUTPUT);
        g.output(OUTPUT, OnnxGraph.FLOAT, model.outputShape());
        return g.toModel(OPSET);
    }

    /** Conv with ONNX's defaults (stride 1, no padding: Keras' "valid"), then its activation. */
    private static String conv(OnnxGraph g, String name, Conv2D layer, String x) {
        ConvGeometry c = layer.geometry();
        require(c.strideH() == 1 && c.strideW() == 1 && c.dilationH() == 1 && c.dilationW() == 1 && c.groups() == 1
                && c.outH() == c.inH() - c.kernelH() + 1 && c.outW() == c.inW() - c.kernelW() + 1,
                layer, "stride 1, no dilation, one group and valid padding");
        List<float[]> weights = layer.getWeights().stream().map(Tensor::toArray).toList();
        String kernel = g.floats(name + ".kernel", hwioToOihw(weights.get(0), c), c.outC(), c.inC(), c.kernelH(), c.kernelW());
        String bias = g.floats(name + ".bias", weights.get(1), c.outC());
        return activation(g, name, c.activation(), g.node("Conv", List.of(x, kernel, bias), name));
    }

    private static String maxPool(OnnxGraph g, String name, MaxPool2D layer, String x) {
        PoolGeometry p = layer.geometry();
        // ONNX rounds the output size down by default, as Keras' "valid" does.
        require(p.padTop() == 0 && p.padLeft() == 0 && p.outH() == (p.inH() - p.poolH()) / p.strideH() + 1
                && p.outW() == (p.inW() - p.poolW()) / p.strideW() + 1, layer, "valid padding");
        return g.node("MaxPool", List.of(x), name, ints("kernel_shape", p.poolH(), p.poolW()),
                ints("strides", p.strideH(), p.strideW()));
    }

    /** Gemm computes x W + b with W [in, out]: Keras' kernel as it is. */
    private static String dense(OnnxGraph g, String name, Dense layer, Activation activation, String x) {
        require(layer.geometry().activation() == activation, layer, activation + " activation");
        List<float[]> weights = layer.getWeights().stream().map(Tensor::toArray).toList();
        int in = layer.geometry().in(), out = layer.geometry().out();
        String kernel = g.floats(name + ".kernel", weights.get(0), in, out);
        String bias = g.floats(name + ".bias", weights.get(1), out);
        return activation(g, name, activation, g.node("Gemm", List.of(x, kernel, bias), name));
    }

    private static String embedding(OnnxGraph g, String name, Embedding layer, String ids) {
        int dim = layer.outputShape()[1];
        float[] table = layer.getWeights().get(0).toArray();
        return g.node("Gather", List.of(g.floats(name + ".table", table, table.length / dim, dim), ids), name);
    }

    /**
     * Keras' LSTM and ONNX's compute the same equations from differently laid out weights:
     * Keras keeps the gates side by side in the columns of kernel {@code [in, 4u]} and
     * recurrent kernel {@code [u, 4u]}; ONNX stacks them in rows, {@code W [1, 4u, in]} and
     * {@code R [1, 4u, u]}, in its own gate order, and adds two biases, Wb and Rb, of which
     * Rb stays zero here. Returns the last state, {@code [batch, u]}.
     */
    private static String lstm(OnnxGraph g, String name, LSTM layer, String sequence) {
        RnnGeometry r = layer.geometry();
        require(r.activation() == Activation.TANH && r.recurrentActivation() == Activation.SIGMOID && !r.goBackwards()
                && !r.returnSequences(), layer, "tanh and sigmoid activations, forward, last state only");
        int in = r.inputSize(), u = r.units();
        List<float[]> weights = layer.getWeights().stream().map(Tensor::toArray).toList();
        String kernel = g.floats(name + ".W", gatesToRows(weights.get(0), in, u), 1, 4L * u, in);
        String recurrent = g.floats(name + ".R", gatesToRows(weights.get(1), u, u), 1, 4L * u, u);
        float[] bias = new float[8 * u];
        for (int gate = 0; gate < 4; gate++) {
            System.arraycopy(weights.get(2), KERAS_GATE_OF_ONNX_GATE[gate] * u, bias, gate * u, u);
        }
        String biases = g.floats(name + ".B", bias, 1, 8L * u);
        // The sequence output Y is not needed: an empty name leaves it out. Y_h is [directions = 1, batch, u].
        g.node("LSTM", List.of(sequence, kernel, recurrent, biases), List.of("", name + ".Y_h"),
                OnnxGraph.Attribute.of("hidden_size", u));
        return g.node("Squeeze", List.of(name + ".Y_h", g.int64s(name + ".directions_axis", 0)), name);
    }

    /** Keras' {@code [rows, 4u]}, gates i, f, c, o side by side, to ONNX's {@code [4u, rows]}, gates i, o, f, c stacked. */
    private static float[] gatesToRows(float[] keras, int rows, int u) {
        float[] onnx = new float[keras.length];
        for (int gate = 0; gate < 4; gate++) {
            int kerasColumn = KERAS_GATE_OF_ONNX_GATE[gate] * u;
            for (int j = 0; j < u; j++) {
                for (int row = 0; row < rows; row++) onnx[(gate * u + j) * rows + row] = keras[row * 4 * u + kerasColumn + j];
            }
        }
        return onnx;
    }

    /** Keras' kernel {@code [h, w, in, out]} to ONNX's {@code [out, in, h, w]}. */
    private static float[] hwioToOihw(float[] hwio, ConvGeometry c) {
        int kh = c.kernelH(), kw = c.kernelW(), in = c.inC(), out = c.outC();
        float[] oihw = new float[hwio.length];
        for (int h = 0; h < kh; h++) {
            for (int w = 0; w < kw; w++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) oihw[((o * in + i) * kh + h) * kw + w] = hwio[((h * kw + w) * in + i) * out + o];
                }
            }
        }
        return oihw;
    }

    private static String activation(OnnxGraph g, String name, Activation activation, String x) {
        return switch (activation) {
            case LINEAR -> x;
            case RELU -> g.node("Relu", List.of(x), name + ".relu");
            default -> throw new UnsupportedOperationException(name + ": no ONNX translation for " + activation);
        };
    }

    private static <T extends Layer> T layer(Sequential model, int index, Class<T> type) {
        Layer layer = model.layers().get(index);
        require(type.isInstance(layer), layer, "a " + type.getSimpleName() + " at position " + index + " of the seed model");
        return type.cast(layer);
    }

    /** Builds the model (creating its weights) and checks it has the seed model's number of layers. */
    private static void requireLayers(Sequential model, int count) {
        model.build();
        if (model.layers().size() != count) {
            throw new UnsupportedOperationException("OnnxSeedModels: expected a seed model of " + count + " layers, got "
                    + model.layers().size());
        }
    }

    private static void require(boolean translatable, Layer layer, String what) {
        if (!translatable) {
            throw new UnsupportedOperationException("OnnxSeedModels: layer " + layer.name() + " ("
                    + layer.getClass().getSimpleName() + ") is not " + what + ", which is all the ONNX graph encodes");
        }
    }
}

package org.neurite.layers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Locale;
import org.neurite.Activation;
import org.neurite.Padding;

/**
 * A layer's configuration as JSON in Keras' terms ({@code {"class_name": "Conv2D", "config":
 * {"filters": 32, "kernel_size": [3, 3], ...}}}), and the layer back from it: what a model
 * file keeps besides the weights. Both directions live here, over the layers' fields.
 */
public final class LayerConfig {
    private LayerConfig() {}

    public static JsonObject of(Layer layer) {
        JsonObject c = new JsonObject();
        c.addProperty("name", layer.name());
        if (layer instanceof ConvolutionLayer<?> conv) {
            if (conv.depthwise) c.addProperty("depth_multiplier", conv.filters);
            else c.addProperty("filters", conv.filters);
            c.add("kernel_size", pair(conv.kernelH, conv.kernelW, conv.spatialRank));
            c.add("strides", pair(conv.strideH, conv.strideW, conv.spatialRank));
            if (conv.explicitPadH >= 0) c.add("padding", pair(conv.explicitPadH, conv.explicitPadW, conv.spatialRank));
            else c.addProperty("padding", lower(conv.padding));
            c.add("dilation_rate", pair(conv.dilationH, conv.dilationW, conv.spatialRank));
            if (!conv.depthwise) c.addProperty("groups", conv.groups);
            activation(c, conv.activation, conv.alpha);
            c.addProperty("use_bias", conv.useBias);
        } else if (layer instanceof Dense dense) {
            c.addProperty("units", dense.units);
            activation(c, dense.activation, dense.alpha);
            c.addProperty("use_bias", dense.useBias);
        } else if (layer instanceof PoolingLayer pool) {
            if (!pool.global) {
                c.add("pool_size", pair(pool.poolH, pool.poolW, pool.spatialRank));
                c.add("strides", pair(pool.strideH, pool.strideW, pool.spatialRank));
                c.addProperty("padding", lower(pool.padding));
            }
        } else if (layer instanceof RecurrentLayer<?> rnn) {
            recurrent(c, rnn);
        } else if (layer instanceof Bidirectional bi) {
            c.addProperty("merge_mode", lower(bi.merge));
            JsonObject inner = new JsonObject();
            recurrent(inner, bi.wrapped);
            JsonObject wrapped = new JsonObject();
            wrapped.addProperty("class_name", bi.wrapped.getClass().getSimpleName());
            wrapped.add("config", inner);
            c.add("layer", wrapped);
        } else if (layer instanceof Embedding e) {
            c.addProperty("input_dim", e.vocabulary);
            c.addProperty("output_dim", e.dim);
            c.addProperty("mask_zero", e.maskZero);
        } else if (layer instanceof ActivationLayer a) {
            activation(c, a.activation, a.alpha);
        } else if (layer instanceof Dropout d) {
            c.addProperty("rate", d.rate());
        } else if (!(layer instanceof Flatten)) {
            throw new IllegalArgumentException(layer.getClass().getName() + ": no configuration format for this layer type");
        }
        JsonObject o = new JsonObject();
        o.addProperty("class_name", layer.getClass().getSimpleName());
        o.add("config", c);
        return o;
    }

    private static void recurrent(JsonObject c, RecurrentLayer<?> rnn) {
        c.addProperty("units", rnn.units());
        c.addProperty("activation", lower(rnn.activation));
        if (rnn.cell != org.neurite.backend.RnnGeometry.Cell.SIMPLE) c.addProperty("recurrent_activation", lower(rnn.recurrentActivation));
        if (rnn.activation == Activation.LEAKY_RELU || rnn.recurrentActivation == Activation.LEAKY_RELU) c.addProperty("alpha", rnn.alpha);
        c.addProperty("use_bias", rnn.useBias);
        c.addProperty("return_sequences", rnn.returnSequences);
        c.addProperty("go_backwards", rnn.goBackwards);
        c.addProperty("zero_output_for_mask", rnn.zeroOutputForMask);
        if (rnn instanceof GRU) c.addProperty("reset_after", rnn.resetAfter);
        if (rnn instanceof LSTM) c.addProperty("unit_forget_bias", rnn.unitForgetBias);
    }

    /** The layer a configuration describes, unbuilt; a missing, mistyped or unknown entry throws {@link IllegalArgumentException} naming it. */
    public static Layer layer(JsonObject o) {
        String type = string(o, "class_name", "layer");
        JsonObject c = object(o, "config", type);
        Layer layer = switch (type) {
            case "Conv1D" -> conv(new Conv1D(integer(c, "filters", type), pair(c, "kernel_size", type)[1]), c, type);
            case "Conv2D" -> { int[] k = pair(c, "kernel_size", type); yield conv(new Conv2D(integer(c, "filters", type), k[0], k[1]), c, type); }
            case "DepthwiseConv2D" -> {
                int[] k = pair(c, "kernel_size", type);
                if (k[0] != k[1]) throw bad(type, "kernel_size", "a square kernel");
                yield conv(new DepthwiseConv2D(k[0], integer(c, "depth_multiplier", type)), c, type);
            }
            case "Dense" -> {
                Dense d = new Dense(integer(c, "units", type));
                d.activation(activation(c, type)).alpha(alpha(c, type)).useBias(bool(c, "use_bias", type));
                yield d;
            }
            case "MaxPool1D", "AvgPool1D" -> pool(type.startsWith("Max") ? new MaxPool1D(pair(c, "pool_size", type)[1])
                    : new AvgPool1D(pair(c, "pool_size", type)[1]), c, type);
            case "MaxPool2D", "AvgPool2D" -> {
                int[] p = pair(c, "pool_size", type);
                yield pool(type.startsWith("Max") ? new MaxPool2D(p[0], p[1]) : new AvgPool2D(p[0], p[1]), c, type);
            }
            case "GlobalMaxPool1D" -> new GlobalMaxPool1D();
            case "GlobalMaxPool2D" -> new GlobalMaxPool2D();
            case "GlobalAvgPool1D" -> new GlobalAvgPool1D();
            case "GlobalAvgPool2D" -> new GlobalAvgPool2D();
            case "Flatten" -> new Flatten();
            case "LSTM", "GRU", "SimpleRNN" -> recurrent(type, c);
            case "Bidirectional" -> {
                JsonObject inner = object(c, "layer", type);
                String innerType = string(inner, "class_name", type + " layer");
                if (!innerType.equals("LSTM") && !innerType.equals("GRU") && !innerType.equals("SimpleRNN")) {
                    throw bad(type, "layer", "a recurrent layer, not " + innerType);
                }
                yield new Bidirectional(recurrent(innerType, object(inner, "config", innerType)),
                        choice(Bidirectional.Merge.class, string(c, "merge_mode", type), type, "merge_mode"));
            }
            case "Embedding" -> new Embedding(integer(c, "input_dim", type), integer(c, "output_dim", type))
                    .maskZero(bool(c, "mask_zero", type));
            case "ActivationLayer" -> new ActivationLayer(activation(c, type), alpha(c, type));
            case "Dropout" -> new Dropout((float) number(c, "rate", type));
            default -> throw new IllegalArgumentException("unknown layer type '" + type + "'");
        };
        JsonElement name = c.get("name");
        if (name != null) layer.name(name.getAsString());
        return layer;
    }

    private static RecurrentLayer<?> recurrent(String type, JsonObject c) {
        int units = integer(c, "units", type);
        RecurrentLayer<?> rnn = switch (type) {
            case "LSTM" -> new LSTM(units).unitForgetBias(bool(c, "unit_forget_bias", type));
            case "GRU" -> new GRU(units).resetAfter(bool(c, "reset_after", type));
            default -> new SimpleRNN(units);
        };
        rnn.activation(activation(c, type)).alpha(alpha(c, type));
        if (!type.equals("SimpleRNN")) rnn.recurrentActivation(choice(Activation.class, string(c, "recurrent_activation", type), type,
                "recurrent_activation"));
        return rnn.useBias(bool(c, "use_bias", type)).returnSequences(bool(c, "return_sequences", type))
                .goBackwards(bool(c, "go_backwards", type))
                .zeroOutputForMask(c.has("zero_output_for_mask") && bool(c, "zero_output_for_mask", type)); // Keras' default
    }

    private static ConvolutionLayer<?> conv(ConvolutionLayer<?> conv, JsonObject c, String type) {
        int[] s = pair(c, "strides", type), d = pair(c, "dilation_rate", type);
        conv.strides(s[0], s[1]).dilation(d[0], d[1]);
        if (!conv.depthwise) conv.groups(integer(c, "groups", type));
        JsonElement padding = c.get("padding");
        if (padding != null && (padding.isJsonArray() || padding.isJsonPrimitive() && padding.getAsJsonPrimitive().isNumber())) {
            int[] p = pair(c, "padding", type);
            conv.padding(conv.spatialRank == 1 ? 0 : p[0], p[1]); // a 1D layer pads its width only
        } else {
            conv.padding(choice(Padding.class, string(c, "padding", type), type, "padding"));
        }
        conv.activation(activation(c, type)).alpha(alpha(c, type));
        conv.useBias(bool(c, "use_bias", type));
        return conv;
    }

    private static PoolingLayer pool(PoolingLayer pool, JsonObject c, String type) {
        int[] s = pair(c, "strides", type);
        return pool.strides(s[0], s[1]).padding(choice(Padding.class, string(c, "padding", type), type, "padding"));
    }

    private static void activation(JsonObject c, Activation activation, float alpha) {
        c.addProperty("activation", lower(activation));
        if (activation == Activation.LEAKY_RELU) c.addProperty("alpha", alpha);
    }

    private static Activation activation(JsonObject c, String type) {
        return choice(Activation.class, string(c, "activation", type), type, "activation");
    }

    private static float alpha(JsonObject c, String type) {
        return c.has("alpha") ? (float) number(c, "alpha", type) : Activation.DEFAULT_LEAKY_ALPHA;
    }

    // 1D layers keep only the width (Keras' 1D layers take one number); 2D, [height, width].
    private static JsonArray pair(int h, int w, int spatialRank) {
        JsonArray a = new JsonArray();
        if (spatialRank == 2) a.add(h);
        a.add(w);
        return a;
    }

    /** [height, width]; a 1D layer's single number is [1, width]. */
    private static int[] pair(JsonObject c, String key, String type) {
        JsonElement e = c.get(key);
        try {
            if (e != null && e.isJsonArray()) {
                JsonArray a = e.getAsJsonArray();
                if (a.size() == 1) return new int[] {1, exactInt(a.get(0))};
                if (a.size() == 2) return new int[] {exactInt(a.get(0)), exactInt(a.get(1))};
            } else if (e != null && e.isJsonPrimitive()) {
                return new int[] {1, exactInt(e)};
            }
        } catch (NumberFormatException | UnsupportedOperationException | ArithmeticException ignored) {
            // reported below
        }
        throw bad(type, key, "one or two integers");
    }

    private static int exactInt(JsonElement e) {
        return e.getAsBigDecimal().intValueExact();
    }

    private static int integer(JsonObject c, String key, String type) {
        try {
            return exactInt(required(c, key, type));
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException | ArithmeticException e) {
            throw bad(type, key, "an integer");
        }
    }

    private static double number(JsonObject c, String key, String type) {
        try {
            return required(c, key, type).getAsDouble();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
            throw bad(type, key, "a number");
        }
    }

    private static boolean bool(JsonObject c, String key, String type) {
        JsonElement e = required(c, key, type);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw bad(type, key, "true or false");
        return e.getAsBoolean();
    }

    private static String string(JsonObject c, String key, String type) {
        JsonElement e = required(c, key, type);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw bad(type, key, "a string");
        return e.getAsString();
    }

    private static JsonObject object(JsonObject c, String key, String type) {
        JsonElement e = required(c, key, type);
        if (!e.isJsonObject()) throw bad(type, key, "an object");
        return e.getAsJsonObject();
    }

    private static JsonElement required(JsonObject c, String key, String type) {
        JsonElement e = c.get(key);
        if (e == null || e.isJsonNull()) throw new IllegalArgumentException(type + ": the configuration lacks \"" + key + "\"");
        return e;
    }

    private static <E extends Enum<E>> E choice(Class<E> kind, String value, String type, String key) {
        for (E e : kind.getEnumConstants()) if (lower(e).equals(value)) return e;
        throw bad(type, key, "one of " + java.util.Arrays.stream(kind.getEnumConstants()).map(LayerConfig::lower).toList() + ", not '" + value + "'");
    }

    private static IllegalArgumentException bad(String type, String key, String expected) {
        return new IllegalArgumentException(type + ": \"" + key + "\" must be " + expected);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}

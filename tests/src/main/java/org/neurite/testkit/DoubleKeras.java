package org.neurite.testkit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A Sequential model's forward pass in double precision, written from Keras' documented
 * semantics alone and sharing no code with the library: the ground truth for finite-difference
 * gradient checks, whose central differences need a loss free of float rounding, and an
 * independent check of the float forward pass. Layers come as Keras JSON ({@code {"class_name":
 * ..., "config": {...}}}, as {@code LayerConfig.of} writes them), weights in Keras layout and
 * order; values are batch-major, channels last, as the library lays them out. Masks follow
 * Keras: an Embedding with {@code mask_zero} makes one, layers that support masking pass it on,
 * recurrent layers and {@code GlobalAveragePooling1D} consume it.
 */
public final class DoubleKeras {
    private DoubleKeras() {}

    /** A batch of activations: {@code shape} excludes the batch axis; {@code mask} is [batch][steps], or null. */
    private record Batch(double[] values, int batch, int[] shape, boolean[][] mask) {
        int sampleSize() {
            return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }

        Batch with(double[] newValues, int[] newShape, boolean[][] newMask) {
            return new Batch(newValues, batch, newShape, newMask);
        }
    }

    /**
     * The model's output for {@code input} ({@code [batch, ...inputShape]}, ids as whole
     * numbers for an Embedding), with {@code weights} in the order of the layers and, within
     * each, Keras' order (kernel, recurrent kernel, bias; a Bidirectional's forward layer first).
     */
    public static double[] forward(List<JsonObject> layers, List<double[]> weights, int[] inputShape, int batch,
                                   double[] input) {
        Batch x = new Batch(input.clone(), batch, inputShape.clone(), null);
        if (input.length != batch * x.sampleSize()) throw new IllegalArgumentException("input size " + input.length);
        Iterator<double[]> w = weights.iterator();
        for (JsonObject layer : layers) x = layer(layer, x, w);
        if (w.hasNext()) throw new IllegalArgumentException("more weights than the layers take");
        return x.values();
    }

    private static Batch layer(JsonObject layer, Batch x, Iterator<double[]> w) {
        String type = layer.get("class_name").getAsString();
        JsonObject c = layer.getAsJsonObject("config");
        boolean passesMask = switch (type) {
            case "Dense", "Dropout", "Activation", "ActivationLayer", "SimpleRNN", "LSTM", "GRU", "Bidirectional",
                 "GlobalAvgPool1D", "GlobalAveragePooling1D", "Embedding" -> true;
            default -> false;
        };
        if (x.mask() != null && !passesMask) {
            throw new UnsupportedOperationException(type + " does not support masking (Keras would reject the mask)");
        }
        return switch (type) {
            case "Dense" -> dense(c, x, w);
            case "Conv2D", "Conv1D" -> conv(c, x, w, type.endsWith("1D"), false);
            case "DepthwiseConv2D" -> conv(c, x, w, false, true);
            case "MaxPool2D", "MaxPooling2D", "MaxPool1D", "MaxPooling1D" -> pool(c, x, type.endsWith("1D"), true);
            case "AvgPool2D", "AveragePooling2D", "AvgPool1D", "AveragePooling1D" -> pool(c, x, type.endsWith("1D"), false);
            case "GlobalAvgPool2D", "GlobalAveragePooling2D", "GlobalAvgPool1D", "GlobalAveragePooling1D" ->
                    globalPool(x, false);
            case "GlobalMaxPool2D", "GlobalMaxPooling2D", "GlobalMaxPool1D", "GlobalMaxPooling1D" -> globalPool(x, true);
            case "Embedding" -> embedding(c, x, w);
            case "Flatten" -> x.with(x.values(), new int[] {x.sampleSize()}, null);
            case "Dropout" -> dropout(c, x);
            case "Activation", "ActivationLayer" -> x.with(activate(c, x.values(), x.shape()[x.shape().length - 1]),
                    x.shape(), x.mask());
            case "SimpleRNN", "LSTM", "GRU" -> recurrent(type, c, x, w);
            case "Bidirectional" -> bidirectional(c, x, w);
            default -> throw new UnsupportedOperationException("no reference for layer type " + type);
        };
    }

    // ---- activations ----

    /** {@code alpha} of a leaky ReLU: the config's, else Keras' default for the "leaky_relu" activation. */
    private static double alpha(JsonObject c) {
        return c.has("alpha") ? c.get("alpha").getAsDouble() : 0.2;
    }

    /** The config's activation over {@code v}, whose last axis has {@code width} entries (softmax needs it). */
    private static double[] activate(JsonObject c, double[] v, int width) {
        String name = c.get("activation").getAsString();
        double[] y = new double[v.length];
        if (name.equals("softmax")) {
            for (int row = 0; row < v.length; row += width) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < width; j++) max = Math.max(max, v[row + j]);
                for (int j = 0; j < width; j++) sum += y[row + j] = Math.exp(v[row + j] - max);
                for (int j = 0; j < width; j++) y[row + j] /= sum;
            }
            return y;
        }
        double alpha = alpha(c);
        for (int i = 0; i < v.length; i++) y[i] = Reference.activate(name, alpha, v[i]);
        return y;
    }

    // ---- layers ----

    /** Keras' Dense acts on the last axis, whatever comes before it. */
    private static Batch dense(JsonObject c, Batch x, Iterator<double[]> w) {
        int in = x.shape()[x.shape().length - 1], units = c.get("units").getAsInt();
        double[] kernel = take(w, "Dense kernel", in * units);
        double[] bias = c.get("use_bias").getAsBoolean() ? take(w, "Dense bias", units) : new double[units];
        int rows = x.values().length / in;
        double[] y = new double[rows * units];
        for (int r = 0; r < rows; r++) {
            for (int u = 0; u < units; u++) {
                double sum = bias[u];
                for (int i = 0; i < in; i++) sum += x.values()[r * in + i] * kernel[i * units + u];
                y[r * units + u] = sum;
            }
        }
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = units;
        return x.with(activate(c, y, units), shape, x.mask());
    }

    /** One axis' padding before the first cell, and its output length. */
    private record Axis(int padBefore, int out) {}

    private static Axis axis(JsonElement padding, int explicit, int in, int kernel, int stride, int dilation) {
        int span = (kernel - 1) * dilation + 1;
        if (padding.isJsonArray()) return new Axis(explicit, (in + 2 * explicit - span) / stride + 1); // both sides
        return switch (padding.getAsString()) {
            case "valid" -> new Axis(0, (in - span) / stride + 1);
            case "same" -> { // TensorFlow's: the odd cell of padding goes after
                int out = (in + stride - 1) / stride;
                yield new Axis(Math.max((out - 1) * stride + span - in, 0) / 2, out);
            }
            case "causal" -> new Axis(span - 1, (in - 1) / stride + 1); // left-padded, then valid
            default -> throw new UnsupportedOperationException("padding " + padding);
        };
    }

    /** [height, width] of a 2D option, or [1, w] of a 1D one (Keras' 1D layers run as a 2D layer of height 1). */
    private static int[] pair(JsonObject c, String key) {
        JsonElement e = c.get(key);
        if (e.isJsonPrimitive()) return new int[] {1, e.getAsInt()};
        var a = e.getAsJsonArray();
        return a.size() == 1 ? new int[] {1, a.get(0).getAsInt()} : new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
    }

    /**
     * Conv1D, Conv2D and DepthwiseConv2D. A depthwise kernel [kh, kw, in, multiplier] is, value
     * for value, the kernel of a convolution with {@code groups = in} and {@code in * multiplier}
     * filters (filter {@code c * multiplier + m} reads channel c), so both share one loop.
     */
    private static Batch conv(JsonObject c, Batch x, Iterator<double[]> w, boolean oneD, boolean depthwise) {
        int inH = oneD ? 1 : x.shape()[0], inW = oneD ? x.shape()[0] : x.shape()[1], inC = x.shape()[x.shape().length - 1];
        int[] k = pair(c, "kernel_size"), s = pair(c, "strides"), d = pair(c, "dilation_rate");
        int groups = depthwise ? inC : c.get("groups").getAsInt();
        int filters = depthwise ? inC * c.get("depth_multiplier").getAsInt() : c.get("filters").getAsInt();
        JsonElement padding = c.get("padding");
        int[] explicit = padding.isJsonArray() ? pair(c, "padding") : new int[2];
        Axis h = oneD ? new Axis(0, 1) : axis(padding, explicit[0], inH, k[0], s[0], d[0]);
        Axis wAxis = axis(padding, explicit[1], inW, k[1], s[1], d[1]);
        int inPerGroup = inC / groups, outPerGroup = filters / groups;
        double[] kernel = take(w, "convolution kernel", k[0] * k[1] * inPerGroup * filters);
        double[] bias = c.get("use_bias").getAsBoolean() ? take(w, "convolution bias", filters) : new double[filters];
        double[] in = x.values(), y = new double[x.batch() * h.out() * wAxis.out() * filters];
        for (int n = 0; n < x.batch(); n++) {
            for (int oy = 0; oy < h.out(); oy++) {
                for (int ox = 0; ox < wAxis.out(); ox++) {
                    for (int f = 0; f < filters; f++) {
                        int group = f / outPerGroup;
                        double sum = bias[f];
                        for (int ky = 0; ky < k[0]; ky++) {
                            int iy = oy * s[0] - h.padBefore() + ky * d[0];
                            if (iy < 0 || iy >= inH) continue;
                            for (int kx = 0; kx < k[1]; kx++) {
                                int ix = ox * s[1] - wAxis.padBefore() + kx * d[1];
                                if (ix < 0 || ix >= inW) continue;
                                for (int ic = 0; ic < inPerGroup; ic++) {
                                    sum += in[((n * inH + iy) * inW + ix) * inC + group * inPerGroup + ic]
                                            * kernel[((ky * k[1] + kx) * inPerGroup + ic) * filters + f];
                                }
                            }
                        }
                        y[((n * h.out() + oy) * wAxis.out() + ox) * filters + f] = sum;
                    }
                }
            }
        }
        int[] shape = oneD ? new int[] {wAxis.out(), filters} : new int[] {h.out(), wAxis.out(), filters};
        return x.with(activate(c, y, filters), shape, null);
    }

    /** Max ignores the padding; Keras' average over 'same' padding divides by the real cells alone. */
    private static Batch pool(JsonObject c, Batch x, boolean oneD, boolean max) {
        int inH = oneD ? 1 : x.shape()[0], inW = oneD ? x.shape()[0] : x.shape()[1], ch = x.shape()[x.shape().length - 1];
        int[] p = pair(c, "pool_size"), s = pair(c, "strides");
        JsonElement padding = c.get("padding");
        Axis h = oneD ? new Axis(0, 1) : axis(padding, 0, inH, p[0], s[0], 1);
        Axis wAxis = axis(padding, 0, inW, p[1], s[1], 1);
        double[] y = new double[x.batch() * h.out() * wAxis.out() * ch];
        for (int n = 0; n < x.batch(); n++) {
            for (int oy = 0; oy < h.out(); oy++) {
                for (int ox = 0; ox < wAxis.out(); ox++) {
                    for (int k = 0; k < ch; k++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int cells = 0;
                        for (int py = 0; py < p[0]; py++) {
                            int iy = oy * s[0] - h.padBefore() + py;
                            if (iy < 0 || iy >= inH) continue;
                            for (int px = 0; px < p[1]; px++) {
                                int ix = ox * s[1] - wAxis.padBefore() + px;
                                if (ix < 0 || ix >= inW) continue;
                                double v = x.values()[((n * inH + iy) * inW + ix) * ch + k];
                                acc = max ? Math.max(acc, v) : acc + v;
                                cells++;
                            }
                        }
                        y[((n * h.out() + oy) * wAxis.out() + ox) * ch + k] = max ? acc : acc / cells;
                    }
                }
            }
        }
        int[] shape = oneD ? new int[] {wAxis.out(), ch} : new int[] {h.out(), wAxis.out(), ch};
        return x.with(y, shape, null);
    }

    /** Over every axis but the channels; a 1D average with a mask is the mean of the unmasked steps, as Keras'. */
    private static Batch globalPool(Batch x, boolean max) {
        int ch = x.shape()[x.shape().length - 1], cells = x.sampleSize() / ch;
        double[] y = new double[x.batch() * ch];
        for (int n = 0; n < x.batch(); n++) {
            for (int k = 0; k < ch; k++) {
                double acc = max ? Double.NEGATIVE_INFINITY : 0, count = 0;
                for (int i = 0; i < cells; i++) {
                    if (x.mask() != null && !x.mask()[n][i]) continue;
                    double v = x.values()[(n * cells + i) * ch + k];
                    acc = max ? Math.max(acc, v) : acc + v;
                    count++;
                }
                y[n * ch + k] = max ? acc : acc / count;
            }
        }
        return x.with(y, new int[] {ch}, null);
    }

    private static Batch embedding(JsonObject c, Batch x, Iterator<double[]> w) {
        int vocabulary = c.get("input_dim").getAsInt(), dim = c.get("output_dim").getAsInt();
        double[] table = take(w, "embeddings", vocabulary * dim);
        int steps = x.sampleSize();
        double[] y = new double[x.values().length * dim];
        boolean[][] mask = c.get("mask_zero").getAsBoolean() ? new boolean[x.batch()][steps] : null;
        for (int i = 0; i < x.values().length; i++) {
            int id = (int) x.values()[i];
            if (id != x.values()[i] || id < 0 || id >= vocabulary) throw new IllegalArgumentException("id " + x.values()[i]);
            System.arraycopy(table, id * dim, y, i * dim, dim);
            if (mask != null) mask[i / steps][i % steps] = id != 0;
        }
        int[] shape = Arrays.copyOf(x.shape(), x.shape().length + 1);
        shape[shape.length - 1] = dim;
        return x.with(y, shape, mask);
    }

    private static Batch dropout(JsonObject c, Batch x) {
        // a training step at a positive rate is random: only the identity has a reference
        if (c.get("rate").getAsDouble() != 0) throw new UnsupportedOperationException("Dropout at a rate above 0");
        return x;
    }

    // ---- recurrent layers ----

    /** One recurrent layer's weights and options, for one direction. */
    private record Cell(String type, int units, int features, double[] kernel, double[] recurrent, double[] bias,
                        boolean resetAfter, String activation, String recurrentActivation, double alpha) {
        int gates() {
            return gates(type);
        }

        static int gates(String type) {
            return type.equals("LSTM") ? 4 : type.equals("GRU") ? 3 : 1;
        }

        double act(double v) {
            return Reference.activate(activation, alpha, v);
        }

        double gate(double v) {
            return Reference.activate(recurrentActivation, alpha, v);
        }
    }

    /** A layer's outputs: every step's in processing order, and the last; and its final states (c: LSTM's). */
    private record Run(double[][][] steps, double[][] last, double[][] finalH, double[][] finalC) {}

    private static Cell cell(String type, JsonObject c, int features, Iterator<double[]> w) {
        int units = c.get("units").getAsInt();
        int gu = Cell.gates(type) * units;
        boolean resetAfter = type.equals("GRU") && c.get("reset_after").getAsBoolean();
        double[] kernel = take(w, type + " kernel", features * gu), recurrent = take(w, type + " recurrent kernel", units * gu);
        // GRU with reset_after keeps two biases, [input; recurrent]
        double[] bias = c.get("use_bias").getAsBoolean() ? take(w, type + " bias", (resetAfter ? 2 : 1) * gu)
                : new double[(resetAfter ? 2 : 1) * gu];
        String recurrentActivation = c.has("recurrent_activation") ? c.get("recurrent_activation").getAsString() : "sigmoid";
        return new Cell(type, units, features, kernel, recurrent, bias, resetAfter, c.get("activation").getAsString(),
                recurrentActivation, alpha(c));
    }

    /** x·kernel (+ h·recurrent) for every gate's unit: the gates' pre-activations. */
    private static double[] project(double[] v, int offset, int rows, double[] matrix, int columns) {
        double[] out = new double[columns];
        for (int i = 0; i < rows; i++) {
            double a = v[offset + i];
            for (int j = 0; j < columns; j++) out[j] += a * matrix[i * columns + j];
        }
        return out;
    }

    /**
     * Runs the cell over each sample's steps (from the last one with {@code backwards}), from
     * the initial states {@code h0} and {@code c0} ([batch * units] each; null: zeros). Keras'
     * masking: a masked step leaves the states as they were and outputs the previous output
     * (zeros before any), or zeros with {@code zeroOutputForMask}; the last output is the last
     * step's output after that rule.
     */
    private static Run run(Cell cell, Batch x, boolean backwards, boolean zeroOutputForMask, double[] h0, double[] c0) {
        int steps = x.shape()[0], u = cell.units(), f = cell.features(), gu = cell.gates() * u;
        double[][][] outputs = new double[x.batch()][steps][];
        double[][] last = new double[x.batch()][], finalH = new double[x.batch()][], finalC = new double[x.batch()][];
        for (int n = 0; n < x.batch(); n++) {
            double[] h = h0 == null ? new double[u] : Arrays.copyOfRange(h0, n * u, (n + 1) * u);
            double[] c = c0 == null ? new double[u] : Arrays.copyOfRange(c0, n * u, (n + 1) * u);
            double[] previousOutput = new double[u];
            for (int t = 0; t < steps; t++) {
                int step = backwards ? steps - 1 - t : t;
                int offset = (n * steps + step) * f;
                double[] xw = project(x.values(), offset, f, cell.kernel(), gu);
                double[] hu = project(h, 0, u, cell.recurrent(), gu);
                double[] newH = new double[u], newC = new double[u];
                for (int j = 0; j < u; j++) {
                    switch (cell.type()) {
                        case "SimpleRNN" -> newH[j] = cell.act(xw[j] + hu[j] + cell.bias()[j]);
                        case "LSTM" -> {
                            double[] b = cell.bias();
                            double i = cell.gate(xw[j] + hu[j] + b[j]);
                            double fg = cell.gate(xw[u + j] + hu[u + j] + b[u + j]);
                            double g = cell.act(xw[2 * u + j] + hu[2 * u + j] + b[2 * u + j]);
                            double o = cell.gate(xw[3 * u + j] + hu[3 * u + j] + b[3 * u + j]);
                            newC[j] = fg * c[j] + i * g;
                            newH[j] = o * cell.act(newC[j]);
                        }
                        case "GRU" -> newH[j] = gruUnit(cell, j, xw, hu, h);
                        default -> throw new IllegalStateException(cell.type());
                    }
                }
                boolean valid = x.mask() == null || x.mask()[n][step];
                if (valid) {
                    h = newH;
                    c = newC;
                }
                double[] output = valid ? newH : zeroOutputForMask ? new double[u] : previousOutput;
                outputs[n][t] = output;
                previousOutput = output;
            }
            last[n] = previousOutput;
            finalH[n] = h;
            finalC[n] = c;
        }
        return new Run(outputs, last, finalH, finalC);
    }

    /**
     * Unit j of a GRU step. reset_after (Keras 2's and 3's default, cuDNN's form) applies the
     * reset gate to h·U + recurrent bias; the original form resets h before the product.
     */
    private static double gruUnit(Cell cell, int j, double[] xw, double[] hu, double[] h) {
        int u = cell.units(), gu = 3 * u;
        double[] b = cell.bias();
        if (cell.resetAfter()) {
            double z = cell.gate(xw[j] + b[j] + hu[j] + b[gu + j]);
            double r = cell.gate(xw[u + j] + b[u + j] + hu[u + j] + b[gu + u + j]);
            double candidate = cell.act(xw[2 * u + j] + b[2 * u + j] + r * (hu[2 * u + j] + b[gu + 2 * u + j]));
            return z * h[j] + (1 - z) * candidate;
        }
        double z = cell.gate(xw[j] + b[j] + hu[j]);
        double resetH = 0; // (r * h) · U_h, column j
        for (int i = 0; i < u; i++) {
            double ri = cell.gate(xw[u + i] + b[u + i] + hu[u + i]);
            resetH += ri * h[i] * cell.recurrent()[i * gu + 2 * u + j];
        }
        double candidate = cell.act(xw[2 * u + j] + b[2 * u + j] + resetH);
        return z * h[j] + (1 - z) * candidate;
    }

    /** With return_sequences, the steps in processing order: go_backwards gives them reversed, as in Keras. */
    private static Batch recurrent(String type, JsonObject c, Batch x, Iterator<double[]> w) {
        Cell cell = cell(type, c, x.shape()[1], w);
        boolean sequences = c.get("return_sequences").getAsBoolean();
        Run run = run(cell, x, c.get("go_backwards").getAsBoolean(),
                c.has("zero_output_for_mask") && c.get("zero_output_for_mask").getAsBoolean(), null, null);
        return sequences ? x.with(flatten(run.steps()), new int[] {x.shape()[0], cell.units()}, x.mask())
                : x.with(flatten(run.last()), new int[] {cell.units()}, null);
    }

    /** A recurrent layer's output and its final states; finalC is null but for LSTM. */
    public record Stateful(double[] output, double[] finalH, double[] finalC) {}

    /**
     * One SimpleRNN, LSTM or GRU layer over [batch, steps, features] from given initial states
     * (Keras' initial_state; {@code c0} LSTM's alone), under {@code mask} ([batch][steps], or
     * null), with its final states (Keras' return_state).
     */
    public static Stateful recurrent(JsonObject layer, List<double[]> weights, int batch, int steps, int features,
                                     double[] input, boolean[][] mask, double[] h0, double[] c0) {
        String type = layer.get("class_name").getAsString();
        JsonObject c = layer.getAsJsonObject("config");
        Iterator<double[]> w = weights.iterator();
        Cell cell = cell(type, c, features, w);
        Batch x = new Batch(input, batch, new int[] {steps, features}, mask);
        Run run = run(cell, x, c.get("go_backwards").getAsBoolean(), c.get("zero_output_for_mask").getAsBoolean(), h0, c0);
        double[] output = c.get("return_sequences").getAsBoolean() ? flatten(run.steps()) : flatten(run.last());
        return new Stateful(output, flatten(run.finalH()), type.equals("LSTM") ? flatten(run.finalC()) : null);
    }

    /**
     * Keras' Bidirectional: the backward layer is the wrapped one with go_backwards flipped; its
     * sequence is reversed back into time order before the merge; both layers get
     * zero_output_for_mask = return_sequences.
     */
    private static Batch bidirectional(JsonObject c, Batch x, Iterator<double[]> w) {
        JsonObject inner = c.getAsJsonObject("layer");
        String type = inner.get("class_name").getAsString();
        JsonObject ic = inner.getAsJsonObject("config");
        Cell forwardCell = cell(type, ic, x.shape()[1], w), backwardCell = cell(type, ic, x.shape()[1], w);
        boolean sequences = ic.get("return_sequences").getAsBoolean(), goBackwards = ic.get("go_backwards").getAsBoolean();
        Run forward = run(forwardCell, x, goBackwards, sequences, null, null);
        Run backward = run(backwardCell, x, !goBackwards, sequences, null, null);
        String merge = c.get("merge_mode").getAsString();
        int steps = x.shape()[0], u = forwardCell.units(), width = merge.equals("concat") ? 2 * u : u;
        int outSteps = sequences ? steps : 1;
        double[] y = new double[x.batch() * outSteps * width];
        for (int n = 0; n < x.batch(); n++) {
            for (int t = 0; t < outSteps; t++) {
                double[] a = sequences ? forward.steps()[n][t] : forward.last()[n];
                double[] b = sequences ? backward.steps()[n][steps - 1 - t] : backward.last()[n];
                int base = (n * outSteps + t) * width;
                for (int j = 0; j < u; j++) {
                    switch (merge) {
                        case "concat" -> {
                            y[base + j] = a[j];
                            y[base + u + j] = b[j];
                        }
                        case "sum" -> y[base + j] = a[j] + b[j];
                        case "mul" -> y[base + j] = a[j] * b[j];
                        case "ave" -> y[base + j] = (a[j] + b[j]) / 2;
                        default -> throw new UnsupportedOperationException("merge_mode " + merge);
                    }
                }
            }
        }
        return sequences ? x.with(y, new int[] {steps, width}, x.mask()) : x.with(y, new int[] {width}, null);
    }

    // ---- helpers ----

    private static double[] take(Iterator<double[]> w, String what, int size) {
        if (!w.hasNext()) throw new IllegalArgumentException("missing weights: " + what);
        double[] v = w.next();
        if (v.length != size) throw new IllegalArgumentException(what + ": " + v.length + " values, expected " + size);
        return v;
    }

    private static double[] flatten(double[][] rows) {
        return Arrays.stream(rows).flatMapToDouble(Arrays::stream).toArray();
    }

    private static double[] flatten(double[][][] rows) {
        return Arrays.stream(rows).flatMap(Arrays::stream).flatMapToDouble(Arrays::stream).toArray();
    }
}

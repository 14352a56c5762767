package org.neurite.testkit;

import org.apache.commons.math3.special.Erf;

/**
 * The independent reference: every op written for clarity, one output at a time, in double
 * precision, sharing no code with the library. Each op also returns the error scale of
 * every output (the sum of the magnitudes of the terms it adds), against which float
 * rounding in the library is judged.
 */
public final class Reference {
    private Reference() {}

    /** Values and, for each, the sum of |terms| that produced it. */
    public record Result(double[] values, double[] scale) {}

    public static double activate(String activation, double x) {
        return activate(activation, 0.2, x); // Keras' default slope for "leaky_relu"
    }

    /** Keras' activation by name; {@code alpha} is leaky_relu's negative slope. GELU is Keras' default, exact (erf) form. */
    public static double activate(String activation, double alpha, double x) {
        return switch (activation) {
            case "linear" -> x;
            case "relu" -> Math.max(x, 0);
            case "relu6" -> Math.min(Math.max(x, 0), 6);
            case "sigmoid" -> 1 / (1 + Math.exp(-x));
            case "tanh" -> Math.tanh(x);
            case "leaky_relu" -> x > 0 ? x : alpha * x;
            case "gelu" -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
            case "exponential" -> Math.exp(x);
            default -> throw new IllegalArgumentException(activation);
        };
    }

    /**
     * NHWC convolution with HWIO weights [kh][kw][in/groups][out]; padding given as the
     * top/left amounts (cells outside the input are zero).
     */
    public static Result conv2d(int batch, int inH, int inW, int inC, int outH, int outW, int outC, int kh, int kw,
                                int sh, int sw, int dh, int dw, int padTop, int padLeft, int groups, String activation,
                                double[] x, float[] w, float[] bias) {
        int icg = inC / groups, ocg = outC / groups;
        double[] y = new double[batch * outH * outW * outC], scale = new double[y.length];
        for (int n = 0; n < batch; n++)
            for (int oh = 0; oh < outH; oh++)
                for (int ow = 0; ow < outW; ow++)
                    for (int oc = 0; oc < outC; oc++) {
                        int g = oc / ocg;
                        double sum = bias == null ? 0 : bias[oc];
                        double magnitude = Math.abs(sum);
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++) {
                                int ih = oh * sh + i * dh - padTop, iw = ow * sw + j * dw - padLeft;
                                if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
                                for (int c = 0; c < icg; c++) {
                                    double term = x[((n * inH + ih) * inW + iw) * inC + g * icg + c]
                                            * w[((i * kw + j) * icg + c) * outC + oc];
                                    sum += term;
                                    magnitude += Math.abs(term);
                                }
                            }
                        int at = ((n * outH + oh) * outW + ow) * outC + oc;
                        y[at] = activation.equals("softmax") ? sum : activate(activation, sum);
                        scale[at] = magnitude;
                    }
        return new Result(y, scale);
    }

    /** The bias' gradient of a layer whose output's last axis has `channels`: dPre summed over every other axis. */
    public static Result biasGradient(double[] dPre, int channels) {
        double[] g = new double[channels], scale = new double[channels];
        for (int i = 0; i < dPre.length; i++) {
            g[i % channels] += dPre[i];
            scale[i % channels] += Math.abs(dPre[i]);
        }
        return new Result(g, scale);
    }

    /**
     * The kernel's gradient of {@link #conv2d} in its HWIO layout, dW[kh][kw][c][o] = the sum
     * over the output pixels of x[the pixel's cell for tap (kh, kw), c] dPre[pixel, o], from
     * dPre, the gradient at the convolution's output before its activation.
     */
    public static Result conv2dKernelGradient(int batch, int inH, int inW, int inC, int outH, int outW, int outC, int kh,
                                              int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft, int groups,
                                              double[] x, double[] dPre) {
        int icg = inC / groups, ocg = outC / groups;
        double[] g = new double[kh * kw * icg * outC], scale = new double[g.length];
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++)
                for (int c = 0; c < icg; c++)
                    for (int oc = 0; oc < outC; oc++) {
                        int inChannel = oc / ocg * icg + c;
                        double sum = 0, magnitude = 0;
                        for (int n = 0; n < batch; n++)
                            for (int oh = 0; oh < outH; oh++)
                                for (int ow = 0; ow < outW; ow++) {
                                    int ih = oh * sh + i * dh - padTop, iw = ow * sw + j * dw - padLeft;
                                    if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
                                    double term = x[((n * inH + ih) * inW + iw) * inC + inChannel]
                                            * dPre[((n * outH + oh) * outW + ow) * outC + oc];
                                    sum += term;
                                    magnitude += Math.abs(term);
                                }
                        int at = ((i * kw + j) * icg + c) * outC + oc;
                        g[at] = sum;
                        scale[at] = magnitude;
                    }
        return new Result(g, scale);
    }

    /**
     * The input's gradient of {@link #conv2d}, dX[n, ih, iw, c] = the sum over the output pixels
     * whose window reads the cell through tap (kh, kw) of w[kh][kw][c][o] dPre[pixel, o], over
     * the output channels o of c's group, from dPre, the gradient before the activation.
     */
    public static Result conv2dInputGradient(int batch, int inH, int inW, int inC, int outH, int outW, int outC, int kh,
                                             int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft, int groups,
                                             float[] w, double[] dPre) {
        int icg = inC / groups, ocg = outC / groups;
        double[] g = new double[batch * inH * inW * inC], scale = new double[g.length];
        for (int n = 0; n < batch; n++)
            for (int oh = 0; oh < outH; oh++)
                for (int ow = 0; ow < outW; ow++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++) {
                            int ih = oh * sh + i * dh - padTop, iw = ow * sw + j * dw - padLeft;
                            if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
                            for (int oc = 0; oc < outC; oc++) {
                                double d = dPre[((n * outH + oh) * outW + ow) * outC + oc];
                                int group = oc / ocg;
                                for (int c = 0; c < icg; c++) {
                                    double term = w[((i * kw + j) * icg + c) * outC + oc] * d;
                                    int at = ((n * inH + ih) * inW + iw) * inC + group * icg + c;
                                    g[at] += term;
                                    scale[at] += Math.abs(term);
                                }
                            }
                        }
        return new Result(g, scale);
    }

    public static Result pool2d(int batch, int inH, int inW, int c, int outH, int outW, int ph, int pw, int sh, int sw,
                                int padTop, int padLeft, boolean max, double[] x) {
        double[] y = new double[batch * outH * outW * c], scale = new double[y.length];
        for (int n = 0; n < batch; n++)
            for (int oh = 0; oh < outH; oh++)
                for (int ow = 0; ow < outW; ow++)
                    for (int ch = 0; ch < c; ch++) {
                        double best = Double.NEGATIVE_INFINITY, sum = 0, magnitude = 0;
                        int count = 0;
                        for (int i = 0; i < ph; i++)
                            for (int j = 0; j < pw; j++) {
                                int ih = oh * sh + i - padTop, iw = ow * sw + j - padLeft;
                                if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
                                double v = x[((n * inH + ih) * inW + iw) * c + ch];
                                best = Math.max(best, v);
                                sum += v;
                                magnitude += Math.abs(v);
                                count++;
                            }
                        int at = ((n * outH + oh) * outW + ow) * c + ch;
                        y[at] = count == 0 ? 0 : max ? best : sum / count;
                        scale[at] = count == 0 ? 0 : max ? Math.abs(best) : magnitude / count;
                    }
        return new Result(y, scale);
    }

    /** y[b][o] = act(sum_i x[b][i] w[i][o] + bias[o]), weights [in][out]. */
    public static Result dense(int batch, int in, int out, String activation, double[] x, float[] w, float[] bias) {
        double[] y = new double[batch * out], scale = new double[y.length];
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < out; o++) {
                double sum = bias == null ? 0 : bias[o], magnitude = Math.abs(sum);
                for (int i = 0; i < in; i++) {
                    double term = x[b * in + i] * w[i * out + o];
                    sum += term;
                    magnitude += Math.abs(term);
                }
                y[b * out + o] = activation.equals("softmax") ? sum : activate(activation, sum);
                scale[b * out + o] = magnitude;
            }
        if (activation.equals("softmax")) return softmax(y, out);
        return new Result(y, scale);
    }

    /** Softmax over rows of {@code cols}; outputs are probabilities, so the scale is 1. */
    public static Result softmax(double[] x, int cols) {
        double[] y = new double[x.length], scale = new double[x.length];
        for (int r = 0; r < x.length / cols; r++) {
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp(x[r * cols + c]);
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = Math.exp(x[r * cols + c]) / sum;
                scale[r * cols + c] = 1;
            }
        }
        return new Result(y, scale);
    }

    public static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }
}

package org.neurite.testkit;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;

/**
 * oneDNN (through the org.bytedeco dnnl preset) as a second reference in the tests and as
 * the peer in the benchmarks. Each {@link Op} keeps user memories in Neurite's plain
 * layouts (NHWC activations, HWIO or HWIGO kernels, [in, out] dense weights) and lets the
 * primitive choose its own ({@code format_tag::any}), with reorders that run only when
 * data is set or read: {@link Op#execute()} times the primitive alone, its best case.
 * oneDNN's threads are set by {@code OMP_NUM_THREADS} when the JVM starts.
 *
 * <pre>{@code
 * try (OneDnn.Op conv = OneDnn.conv(32, 28, 28, 1, 26, 26, 32, 3, 3, 1, 1, 1, 1, 0, 0, 1, "relu")) {
 *     conv.set(OneDnn.SRC, images); conv.set(OneDnn.WEIGHTS, hwio); conv.set(OneDnn.BIAS, bias);
 *     conv.execute();
 *     float[] out = conv.get(OneDnn.DST);
 * }
 * }</pre>
 */
public final class OneDnn {
    public static final int SRC = DNNL_ARG_SRC, WEIGHTS = DNNL_ARG_WEIGHTS, BIAS = DNNL_ARG_BIAS, DST = DNNL_ARG_DST;
    public static final int SRC_LAYER = DNNL_ARG_SRC_LAYER, WEIGHTS_LAYER = DNNL_ARG_WEIGHTS_LAYER;
    public static final int WEIGHTS_ITER = DNNL_ARG_WEIGHTS_ITER, DST_LAYER = DNNL_ARG_DST_LAYER;
    public static final int DIFF_SRC = DNNL_ARG_DIFF_SRC, DIFF_DST = DNNL_ARG_DIFF_DST;
    public static final int DIFF_WEIGHTS = DNNL_ARG_DIFF_WEIGHTS, DIFF_BIAS = DNNL_ARG_DIFF_BIAS;
    public static final int DIFF_SRC_LAYER = DNNL_ARG_DIFF_SRC_LAYER, DIFF_DST_LAYER = DNNL_ARG_DIFF_DST_LAYER;
    public static final int DIFF_WEIGHTS_LAYER = DNNL_ARG_DIFF_WEIGHTS_LAYER, DIFF_WEIGHTS_ITER = DNNL_ARG_DIFF_WEIGHTS_ITER;
    public static final int WORKSPACE = DNNL_ARG_WORKSPACE;
    public static final int SRC_ITER = DNNL_ARG_SRC_ITER, SRC_ITER_C = DNNL_ARG_SRC_ITER_C;
    public static final int DIFF_SRC_ITER = DNNL_ARG_DIFF_SRC_ITER, DIFF_SRC_ITER_C = DNNL_ARG_DIFF_SRC_ITER_C;

    private static final dnnl_engine ENGINE = new dnnl_engine();
    private static final dnnl_stream STREAM = new dnnl_stream();

    static {
        check(dnnl_engine_create(ENGINE, dnnl_cpu, 0), "engine");
        check(dnnl_stream_create(STREAM, ENGINE, dnnl_stream_default_flags), "stream");
    }

    private OneDnn() {}

    /** One primitive and its arguments. */
    public static final class Op implements AutoCloseable {
        private final dnnl_primitive primitive = new dnnl_primitive();
        private final List<Arg> args = new ArrayList<>();
        private final dnnl_exec_arg_t execArgs;

        private Op(dnnl_primitive_desc pd, int[] kinds, dnnl_memory_desc[] userMds) {
            check(dnnl_primitive_create(primitive, pd), "primitive");
            for (int i = 0; i < kinds.length; i++) {
                int kind = kinds[i];
                dnnl_memory_desc wanted = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, kind);
                args.add(new Arg(kind, userMds[i], wanted, isOutput(kind)));
            }
            execArgs = new dnnl_exec_arg_t(args.size());
            for (int i = 0; i < args.size(); i++) {
                execArgs.position(i).arg(args.get(i).kind).memory(args.get(i).primitiveMemory);
            }
            execArgs.position(0);
            check(dnnl_primitive_desc_destroy(pd), "destroy primitive desc");
        }

        public Op set(int kind, float[] values) {
            Arg arg = find(kind);
            arg.userData.put(values);
            arg.load();
            return this;
        }

        /** The primitive alone; reorders happen in {@link #set} and {@link #get}. */
        public void execute() {
            check(dnnl_primitive_execute(primitive, STREAM, args.size(), execArgs), "execute");
            check(dnnl_stream_wait(STREAM), "wait");
        }

        /** Reads {@code previous}'s output in place as this op's input, as layers of a model do. */
        public Op feedFrom(Op previous) {
            check(dnnl_memory_set_data_handle(input().userMemory, previous.output().userData), "chain");
            return this;
        }

        /** One step of a model: input reorder (if the primitive wants another format), primitive, output reorder. */
        public void executeStep() {
            input().load();
            execute();
            output().store();
        }

        private Arg input() {
            for (Arg a : args) if (a.kind == SRC || a.kind == SRC_LAYER) return a;
            throw new IllegalStateException("no input");
        }

        private Arg output() {
            for (Arg a : args) if (a.output) return a;
            throw new IllegalStateException("no output");
        }

        /** The user memory of an argument, to fill or read in place (then {@link #executeStep()} runs the reorders). */
        public java.nio.FloatBuffer buffer(int kind) {
            Arg arg = find(kind);
            return arg.userData.capacity(arg.userFloats).asBuffer();
        }

        public float[] get(int kind) {
            Arg arg = find(kind);
            arg.store();
            float[] values = new float[arg.userFloats];
            arg.userData.get(values);
            return values;
        }

        private Arg find(int kind) {
            for (Arg a : args) if (a.kind == kind) return a;
            throw new IllegalArgumentException("no argument " + kind);
        }

        @Override
        public void close() {
            for (Arg a : args) a.close();
            dnnl_primitive_destroy(primitive);
            execArgs.close();
        }
    }

    private static boolean isOutput(int kind) {
        return kind == DST || kind == DST_LAYER || kind == DIFF_SRC || kind == DIFF_WEIGHTS || kind == DIFF_BIAS
                || kind == DIFF_SRC_LAYER || kind == DIFF_WEIGHTS_LAYER || kind == DIFF_WEIGHTS_ITER
                || kind == DIFF_SRC_ITER || kind == DIFF_SRC_ITER_C;
    }

    /**
     * An argument: the user's plain memory, and the primitive's own when its format differs,
     * with a reorder each way (an output may be set too: oneDNN adds RNN weight gradients to
     * what their memories hold).
     */
    private static final class Arg implements AutoCloseable {
        final int kind;
        final boolean output;
        final int userFloats;
        final FloatPointer userData;
        final dnnl_memory userMemory = new dnnl_memory();
        final dnnl_memory primitiveMemory;
        final dnnl_primitive toPrimitive, toUser;
        final FloatPointer primitiveData;

        Arg(int kind, dnnl_memory_desc userMd, dnnl_memory_desc wanted, boolean output) {
            this.kind = kind;
            this.output = output;
            this.userFloats = (int) ((dnnl_memory_desc_get_size(userMd) + 3) / 4);  // a workspace need not be whole floats
            this.userData = new FloatPointer(userFloats);
            check(dnnl_memory_create(userMemory, userMd, ENGINE, userData), "user memory");
            if (dnnl_memory_desc_equal(userMd, wanted) != 0) {
                primitiveMemory = userMemory;
                toPrimitive = toUser = null;
                primitiveData = null;
            } else {
                primitiveData = new FloatPointer(dnnl_memory_desc_get_size(wanted) / 4);
                primitiveMemory = new dnnl_memory();
                check(dnnl_memory_create(primitiveMemory, wanted, ENGINE, primitiveData), "primitive memory");
                toPrimitive = reorder(userMd, wanted);
                toUser = reorder(wanted, userMd);
            }
            dnnl_memory_desc_destroy(userMd);
        }

        private static dnnl_primitive reorder(dnnl_memory_desc from, dnnl_memory_desc to) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, from, ENGINE, to, ENGINE, null), "reorder desc");
            dnnl_primitive reorder = new dnnl_primitive();
            check(dnnl_primitive_create(reorder, pd), "reorder");
            dnnl_primitive_desc_destroy(pd);
            return reorder;
        }

        /** The user's values into the primitive's memory. */
        void load() {
            run(toPrimitive, userMemory, primitiveMemory);
        }

        /** The primitive's values into the user's memory. */
        void store() {
            run(toUser, primitiveMemory, userMemory);
        }

        private static void run(dnnl_primitive reorder, dnnl_memory from, dnnl_memory to) {
            if (reorder == null) return;
            try (dnnl_exec_arg_t a = new dnnl_exec_arg_t(2)) {
                a.position(0).arg(DNNL_ARG_FROM).memory(from);
                a.position(1).arg(DNNL_ARG_TO).memory(to);
                a.position(0);
                check(dnnl_primitive_execute(reorder, STREAM, 2, a), "reorder");
                check(dnnl_stream_wait(STREAM), "wait");
            }
        }

        @Override
        public void close() {
            if (toPrimitive != null) {
                dnnl_primitive_destroy(toPrimitive);
                dnnl_primitive_destroy(toUser);
                dnnl_memory_destroy(primitiveMemory);
                primitiveData.close();
            }
            dnnl_memory_destroy(userMemory);
            userData.close();
        }
    }

    /** NHWC convolution with HWIO (groups = 1) or HWIGO kernels, fused bias and activation. */
    public static Op conv(int batch, int inH, int inW, int inC, int outH, int outW, int outC, int kh, int kw, int sh, int sw,
                          int dh, int dw, int padTop, int padLeft, int groups, String activation) {
        int reachH = (kh - 1) * dh + 1, reachW = (kw - 1) * dw + 1;
        long[] padR = {(long) (outH - 1) * sh + reachH - inH - padTop, (long) (outW - 1) * sw + reachW - inW - padLeft};
        long[] weightDims = groups == 1 ? new long[] {outC, inC, kh, kw}
                : new long[] {groups, outC / groups, inC / groups, kh, kw};
        dnnl_memory_desc src = md(dnnl_nhwc, batch, inC, inH, inW), dst = md(dnnl_nhwc, batch, outC, outH, outW);
        dnnl_memory_desc weights = md(groups == 1 ? dnnl_hwio : dnnl_hwigo, weightDims), bias = md(dnnl_x, outC);
        dnnl_memory_desc anySrc = md(dnnl_format_tag_any, batch, inC, inH, inW);
        dnnl_memory_desc anyDst = md(dnnl_format_tag_any, batch, outC, outH, outW);
        dnnl_memory_desc anyWeights = md(dnnl_format_tag_any, weightDims);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        try (Attr attr = new Attr(activation)) {
            check(dnnl_convolution_forward_primitive_desc_create(pd, ENGINE, dnnl_forward_inference,
                    dnnl_convolution_direct, anySrc, anyWeights, bias, anyDst, new long[] {sh, sw},
                    new long[] {dh - 1, dw - 1}, new long[] {padTop, padLeft}, padR, attr.attr), "convolution");
        }
        destroy(anySrc, anyDst, anyWeights);
        return new Op(pd, new int[] {SRC, WEIGHTS, BIAS, DST}, new dnnl_memory_desc[] {src, weights, bias, dst});
    }

    /**
     * The gradients of {@link #conv} (without its activation, whose derivative comes first):
     * the input's from the output's and the weights ({@code data}), or the weights' and the
     * bias' from the input and the output's ({@code !data}), as oneDNN's backward primitives
     * compute them for training. Same layouts as {@link #conv}.
     */
    public static Op convBackward(boolean data, int batch, int inH, int inW, int inC, int outH, int outW, int outC, int kh,
                                  int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft, int groups) {
        int reachH = (kh - 1) * dh + 1, reachW = (kw - 1) * dw + 1;
        long[] padR = {(long) (outH - 1) * sh + reachH - inH - padTop, (long) (outW - 1) * sw + reachW - inW - padLeft};
        long[] strides = {sh, sw}, dilates = {dh - 1, dw - 1}, padL = {padTop, padLeft};
        long[] weightDims = groups == 1 ? new long[] {outC, inC, kh, kw}
                : new long[] {groups, outC / groups, inC / groups, kh, kw};
        dnnl_memory_desc anySrc = md(dnnl_format_tag_any, batch, inC, inH, inW);
        dnnl_memory_desc anyDst = md(dnnl_format_tag_any, batch, outC, outH, outW);
        dnnl_memory_desc anyWeights = md(dnnl_format_tag_any, weightDims), anyBias = md(dnnl_x, outC);
        dnnl_primitive_desc hint = new dnnl_primitive_desc(), pd = new dnnl_primitive_desc();
        check(dnnl_convolution_forward_primitive_desc_create(hint, ENGINE, dnnl_forward_training, dnnl_convolution_direct,
                anySrc, anyWeights, anyBias, anyDst, strides, dilates, padL, padR, null), "convolution hint");
        if (data) {
            check(dnnl_convolution_backward_data_primitive_desc_create(pd, ENGINE, dnnl_convolution_direct, anySrc,
                    anyWeights, anyDst, strides, dilates, padL, padR, hint, null), "convolution backward data");
        } else {
            check(dnnl_convolution_backward_weights_primitive_desc_create(pd, ENGINE, dnnl_convolution_direct, anySrc,
                    anyWeights, anyBias, anyDst, strides, dilates, padL, padR, hint, null), "convolution backward weights");
        }
        dnnl_primitive_desc_destroy(hint);
        destroy(anySrc, anyDst, anyWeights, anyBias);
        dnnl_memory_desc src = md(dnnl_nhwc, batch, inC, inH, inW), dst = md(dnnl_nhwc, batch, outC, outH, outW);
        dnnl_memory_desc weights = md(groups == 1 ? dnnl_hwio : dnnl_hwigo, weightDims);
        if (data) {
            return new Op(pd, new int[] {DIFF_DST, WEIGHTS, DIFF_SRC}, new dnnl_memory_desc[] {dst, weights, src});
        }
        return new Op(pd, new int[] {SRC, DIFF_DST, DIFF_WEIGHTS, DIFF_BIAS},
                new dnnl_memory_desc[] {src, dst, weights, md(dnnl_x, outC)});
    }

    /** ReLU's backward pass from its output (dst) and the output's gradient, over {@code size} floats. */
    public static Op reluBackward(long size) {
        dnnl_memory_desc dst = md(dnnl_x, size), diff = md(dnnl_x, size), diffSrc = md(dnnl_x, size);
        dnnl_memory_desc src = md(dnnl_x, size);
        dnnl_primitive_desc hint = new dnnl_primitive_desc(), pd = new dnnl_primitive_desc();
        check(dnnl_eltwise_forward_primitive_desc_create(hint, ENGINE, dnnl_forward_training,
                dnnl_eltwise_relu_use_dst_for_bwd, src, src, 0f, 0f, null), "relu hint");
        check(dnnl_eltwise_backward_primitive_desc_create(pd, ENGINE, dnnl_eltwise_relu_use_dst_for_bwd, diffSrc, diff, dst,
                0f, 0f, hint, null), "relu backward");
        dnnl_primitive_desc_destroy(hint);
        destroy(src);
        return new Op(pd, new int[] {DST, DIFF_DST, DIFF_SRC}, new dnnl_memory_desc[] {dst, diff, diffSrc});
    }

    /**
     * Pooling's training step ({@link #pool}'s geometry): forward training (max pooling's
     * workspace filled) and backward; set SRC on the forward op and DIFF_DST on the backward one.
     */
    public static Training poolTraining(int batch, int inH, int inW, int c, int outH, int outW, int ph, int pw, int sh,
                                        int sw, int padTop, int padLeft, boolean max) {
        long[] padR = {(long) (outH - 1) * sh + ph - inH - padTop, (long) (outW - 1) * sw + pw - inW - padLeft};
        long[] strides = {sh, sw}, kernel = {ph, pw}, dilation = {0, 0}, padL = {padTop, padLeft};
        int algorithm = max ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
        dnnl_memory_desc src = md(dnnl_nhwc, batch, c, inH, inW), dst = md(dnnl_nhwc, batch, c, outH, outW);
        dnnl_primitive_desc forwardPd = new dnnl_primitive_desc(), backwardPd = new dnnl_primitive_desc();
        check(dnnl_pooling_forward_primitive_desc_create(forwardPd, ENGINE, dnnl_forward_training, algorithm, src, dst,
                strides, kernel, dilation, padL, padR, null), "pooling training");
        check(dnnl_pooling_backward_primitive_desc_create(backwardPd, ENGINE, algorithm, src, dst, strides, kernel, dilation,
                padL, padR, forwardPd, null), "pooling backward");
        destroy(src, dst);
        dnnl_memory_desc userSrc = md(dnnl_nhwc, batch, c, inH, inW), userDst = md(dnnl_nhwc, batch, c, outH, outW);
        dnnl_memory_desc diffSrc = md(dnnl_nhwc, batch, c, inH, inW), diffDst = md(dnnl_nhwc, batch, c, outH, outW);
        if (!max) {
            return new Training(new Op(forwardPd, new int[] {SRC, DST}, new dnnl_memory_desc[] {userSrc, userDst}),
                    new Op(backwardPd, new int[] {DIFF_DST, DIFF_SRC}, new dnnl_memory_desc[] {diffDst, diffSrc}));
        }
        dnnl_memory_desc forwardWorkspace = clone(dnnl_primitive_desc_query_md(forwardPd, dnnl_query_workspace_md, 0));
        dnnl_memory_desc backwardWorkspace = clone(dnnl_primitive_desc_query_md(backwardPd, dnnl_query_workspace_md, 0));
        Op forward = new Op(forwardPd, new int[] {SRC, DST, WORKSPACE},
                new dnnl_memory_desc[] {userSrc, userDst, forwardWorkspace});
        Op backward = new Op(backwardPd, new int[] {DIFF_DST, WORKSPACE, DIFF_SRC},
                new dnnl_memory_desc[] {diffDst, backwardWorkspace, diffSrc});
        check(dnnl_memory_set_data_handle(backward.find(WORKSPACE).userMemory, forward.find(WORKSPACE).userData),
                "share workspace");
        return new Training(forward, backward);
    }

    /**
     * The gradients of {@link #innerProduct} (activation apart): the input's from the output's
     * and the weights ({@code data}), or the weights' and the bias' from the input and the
     * output's. Same layouts as {@link #innerProduct}.
     */
    public static Op innerProductBackward(boolean data, int batch, int in, int out) {
        dnnl_memory_desc src = md(dnnl_nc, batch, in), anyWeights = md(dnnl_format_tag_any, out, in);
        dnnl_memory_desc bias = md(dnnl_x, out), dst = md(dnnl_nc, batch, out);
        dnnl_primitive_desc hint = new dnnl_primitive_desc(), pd = new dnnl_primitive_desc();
        check(dnnl_inner_product_forward_primitive_desc_create(hint, ENGINE, dnnl_forward_training, src, anyWeights, bias,
                dst, null), "inner product hint");
        if (data) {
            check(dnnl_inner_product_backward_data_primitive_desc_create(pd, ENGINE, src, anyWeights, dst, hint, null),
                    "inner product backward data");
        } else {
            check(dnnl_inner_product_backward_weights_primitive_desc_create(pd, ENGINE, src, anyWeights, bias, dst, hint,
                    null), "inner product backward weights");
        }
        dnnl_primitive_desc_destroy(hint);
        destroy(src, anyWeights, bias, dst);
        dnnl_memory_desc weights = md(dnnl_io, out, in);
        if (data) {
            return new Op(pd, new int[] {DIFF_DST, WEIGHTS, DIFF_SRC},
                    new dnnl_memory_desc[] {md(dnnl_nc, batch, out), weights, md(dnnl_nc, batch, in)});
        }
        return new Op(pd, new int[] {SRC, DIFF_DST, DIFF_WEIGHTS, DIFF_BIAS},
                new dnnl_memory_desc[] {md(dnnl_nc, batch, in), md(dnnl_nc, batch, out), weights, md(dnnl_x, out)});
    }

    /** NHWC max or average pooling; average excludes padding, as Keras. */
    public static Op pool(int batch, int inH, int inW, int c, int outH, int outW, int ph, int pw, int sh, int sw,
                          int padTop, int padLeft, boolean max) {
        long[] padR = {(long) (outH - 1) * sh + ph - inH - padTop, (long) (outW - 1) * sw + pw - inW - padLeft};
        dnnl_memory_desc src = md(dnnl_nhwc, batch, c, inH, inW), dst = md(dnnl_nhwc, batch, c, outH, outW);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_pooling_forward_primitive_desc_create(pd, ENGINE, dnnl_forward_inference,
                max ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding, src, dst, new long[] {sh, sw},
                new long[] {ph, pw}, new long[] {0, 0}, new long[] {padTop, padLeft}, padR, null), "pooling");
        return new Op(pd, new int[] {SRC, DST}, new dnnl_memory_desc[] {src, dst});
    }

    /** Dense: y = act(x W + b) with W as [in, out]; softmax is not fused here. */
    public static Op innerProduct(int batch, int in, int out, String activation) {
        dnnl_memory_desc src = md(dnnl_nc, batch, in), weights = md(dnnl_io, out, in), bias = md(dnnl_x, out);
        dnnl_memory_desc dst = md(dnnl_nc, batch, out), anyWeights = md(dnnl_format_tag_any, out, in);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        try (Attr attr = new Attr(activation)) {
            check(dnnl_inner_product_forward_primitive_desc_create(pd, ENGINE, dnnl_forward_inference, src, anyWeights,
                    bias, dst, attr.attr), "inner product");
        }
        destroy(anyWeights);
        return new Op(pd, new int[] {SRC, WEIGHTS, BIAS, DST}, new dnnl_memory_desc[] {src, weights, bias, dst});
    }

    /** Softmax over the last axis of [rows, cols]. */
    public static Op softmax(int rows, int cols) {
        dnnl_memory_desc src = md(dnnl_nc, rows, cols), dst = md(dnnl_nc, rows, cols);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_softmax_forward_primitive_desc_create(pd, ENGINE, dnnl_forward_inference, dnnl_softmax_accurate, src,
                dst, 1, null), "softmax");
        return new Op(pd, new int[] {SRC, DST}, new dnnl_memory_desc[] {src, dst});
    }

    /**
     * A unidirectional LSTM, GRU or vanilla RNN (tanh) over [batch, steps, in] with Keras'
     * weights (kernel [in, G units] and recurrent kernel [units, G units] are oneDNN's ldigo
     * with one layer and direction; set the bias through {@link #rnnBias}). oneDNN has no
     * masking; its DST_LAYER holds every step's output, [batch, steps, units].
     * Keras' GRU with reset_after is oneDNN's linear-before-reset GRU.
     */
    public static Op rnn(String cell, boolean resetAfter, int batch, int steps, int in, int units) {
        int gates = cell.equals("lstm") ? 4 : cell.equals("gru") ? 3 : 1;
        int biasGates = cell.equals("gru") && resetAfter ? 4 : gates;
        dnnl_memory_desc src = md(dnnl_ntc, steps, batch, in), dst = md(dnnl_ntc, steps, batch, units);
        dnnl_memory_desc weights = md(dnnl_ldigo, 1, 1, in, gates, units), iter = md(dnnl_ldigo, 1, 1, units, gates, units);
        dnnl_memory_desc bias = md(dnnl_ldgo, 1, 1, biasGates, units);
        dnnl_memory_desc anyWeights = md(dnnl_format_tag_any, 1, 1, in, gates, units);
        dnnl_memory_desc anyIter = md(dnnl_format_tag_any, 1, 1, units, gates, units);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        int direction = dnnl_unidirectional_left2right;
        switch (cell) {
            case "lstm" -> check(dnnl_lstm_forward_primitive_desc_create(pd, ENGINE, dnnl_forward_inference, direction, src,
                    null, null, anyWeights, anyIter, null, null, bias, dst, null, null, 0, null), "lstm");
            case "gru" -> check(resetAfter
                    ? dnnl_lbr_gru_forward_primitive_desc_create(pd, ENGINE, dnnl_forward_inference, direction, src, null,
                            anyWeights, anyIter, bias, dst, null, 0, null)
                    : dnnl_gru_forward_primitive_desc_create(pd, ENGINE, dnnl_forward_inference, direction, src, null,
                            anyWeights, anyIter, bias, dst, null, 0, null), "gru");
            default -> check(dnnl_vanilla_rnn_forward_primitive_desc_create(pd, ENGINE, dnnl_forward_inference,
                    dnnl_eltwise_tanh, direction, src, null, anyWeights, anyIter, bias, dst, null, 0, 0f, 0f, null), "rnn");
        }
        destroy(anyWeights, anyIter);
        return new Op(pd, new int[] {SRC_LAYER, WEIGHTS_LAYER, WEIGHTS_ITER, BIAS, DST_LAYER},
                new dnnl_memory_desc[] {src, weights, iter, bias, dst});
    }

    /** One training step as oneDNN runs it: the forward pass that fills the workspace, then the backward pass over it. */
    public static final class Training implements AutoCloseable {
        public final Op forward, backward;

        private Training(Op forward, Op backward) {
            this.forward = forward;
            this.backward = backward;
        }

        /** Both primitives alone; data is set through {@link Op#set} on each beforehand. */
        public void execute() {
            forward.execute();
            backward.execute();
        }

        @Override
        public void close() {
            forward.close();
            backward.close();
        }
    }

    /**
     * A unidirectional LSTM's or GRU's ({@code "lstm"} or {@code "gru"}; Keras' GRU with
     * reset_after is oneDNN's linear-before-reset GRU, without it oneDNN's GRU) training step over
     * [batch, steps, in] from zero states, every step's output kept (as {@link #rnn}), with
     * Keras' weights (the bias in {@link #rnnBias} form): set SRC_LAYER, the weights, the bias and, on the backward op,
     * DST_LAYER and DIFF_DST_LAYER, and zeros into the DIFF_WEIGHTS memories, which oneDNN adds to.
     *
     * <p>The zero initial states are passed as memories, not left out: without them, oneDNN
     * 3.11's LSTM backward pass takes the recurrent kernel's gradient from each step's own
     * output where the state before the step belongs (over one step from zero states, where
     * the gradient is zero, it gave h_0 times the gates' gradients), on every ISA. With them
     * it agrees with Neurite, PyTorch and finite differences.
     */
    public static Training rnnTraining(String cell, boolean resetAfter, int batch, int steps, int in, int units) {
        boolean lstm = cell.equals("lstm"), linearBeforeReset = !lstm && resetAfter;
        int gates = lstm ? 4 : 3, biasGates = linearBeforeReset ? 4 : gates;
        dnnl_memory_desc anySrc = md(dnnl_format_tag_any, steps, batch, in), anyDst = md(dnnl_format_tag_any, steps, batch, units);
        dnnl_memory_desc anyWeights = md(dnnl_format_tag_any, 1, 1, in, gates, units);
        dnnl_memory_desc anyIter = md(dnnl_format_tag_any, 1, 1, units, gates, units);
        dnnl_memory_desc anyBias = md(dnnl_format_tag_any, 1, 1, biasGates, units);
        dnnl_memory_desc state = md(dnnl_ldnc, 1, 1, batch, units), cellState = lstm ? state : null;
        int direction = dnnl_unidirectional_left2right;
        dnnl_primitive_desc forwardPd = new dnnl_primitive_desc(), backwardPd = new dnnl_primitive_desc();
        if (lstm) {
            check(dnnl_lstm_forward_primitive_desc_create(forwardPd, ENGINE, dnnl_forward_training, direction, anySrc, state,
                    cellState, anyWeights, anyIter, null, null, anyBias, anyDst, null, null, 0, null), "lstm training");
            check(dnnl_lstm_backward_primitive_desc_create(backwardPd, ENGINE, dnnl_backward, direction, anySrc, state,
                    cellState, anyWeights, anyIter, null, null, anyBias, anyDst, null, null, anySrc, state, cellState,
                    anyWeights, anyIter, null, null, anyBias, anyDst, null, null, 0, forwardPd, null), "lstm backward");
        } else if (linearBeforeReset) {
            check(dnnl_lbr_gru_forward_primitive_desc_create(forwardPd, ENGINE, dnnl_forward_training, direction, anySrc, state,
                    anyWeights, anyIter, anyBias, anyDst, null, 0, null), "gru training");
            check(dnnl_lbr_gru_backward_primitive_desc_create(backwardPd, ENGINE, dnnl_backward, direction, anySrc, state,
                    anyWeights, anyIter, anyBias, anyDst, null, anySrc, state, anyWeights, anyIter, anyBias, anyDst, null, 0,
                    forwardPd, null), "gru backward");
        } else {
            check(dnnl_gru_forward_primitive_desc_create(forwardPd, ENGINE, dnnl_forward_training, direction, anySrc, state,
                    anyWeights, anyIter, anyBias, anyDst, null, 0, null), "gru training");
            check(dnnl_gru_backward_primitive_desc_create(backwardPd, ENGINE, dnnl_backward, direction, anySrc, state,
                    anyWeights, anyIter, anyBias, anyDst, null, anySrc, state, anyWeights, anyIter, anyBias, anyDst, null, 0,
                    forwardPd, null), "gru backward");
        }
        destroy(anySrc, anyDst, anyWeights, anyIter, anyBias, state);
        dnnl_memory_desc forwardWorkspace = clone(dnnl_primitive_desc_query_md(forwardPd, dnnl_query_workspace_md, 0));
        dnnl_memory_desc backwardWorkspace = clone(dnnl_primitive_desc_query_md(backwardPd, dnnl_query_workspace_md, 0));
        if (dnnl_memory_desc_equal(forwardWorkspace, backwardWorkspace) == 0) {
            throw new IllegalStateException("oneDNN's " + cell + " workspaces differ: " + dnnl_memory_desc_get_size(forwardWorkspace)
                    + " and " + dnnl_memory_desc_get_size(backwardWorkspace) + " bytes");
        }
        // The states: SRC_ITER (and SRC_ITER_C) in, and on the backward op their gradients out.
        int[] states = lstm ? new int[] {SRC_ITER, SRC_ITER_C} : new int[] {SRC_ITER};
        int[] stateGradients = lstm ? new int[] {DIFF_SRC_ITER, DIFF_SRC_ITER_C} : new int[] {DIFF_SRC_ITER};
        Op forward = new Op(forwardPd, concat(new int[] {SRC_LAYER, WEIGHTS_LAYER, WEIGHTS_ITER, BIAS, DST_LAYER, WORKSPACE},
                states), concat(new dnnl_memory_desc[] {md(dnnl_ntc, steps, batch, in), md(dnnl_ldigo, 1, 1, in, gates, units),
                        md(dnnl_ldigo, 1, 1, units, gates, units), md(dnnl_ldgo, 1, 1, biasGates, units),
                        md(dnnl_ntc, steps, batch, units), forwardWorkspace}, stateMds(states.length, batch, units)));
        Op backward = new Op(backwardPd, concat(new int[] {SRC_LAYER, WEIGHTS_LAYER, WEIGHTS_ITER, BIAS, DST_LAYER, WORKSPACE,
                DIFF_DST_LAYER, DIFF_SRC_LAYER, DIFF_WEIGHTS_LAYER, DIFF_WEIGHTS_ITER, DIFF_BIAS}, concat(states, stateGradients)),
                concat(new dnnl_memory_desc[] {md(dnnl_ntc, steps, batch, in), md(dnnl_ldigo, 1, 1, in, gates, units),
                        md(dnnl_ldigo, 1, 1, units, gates, units), md(dnnl_ldgo, 1, 1, biasGates, units),
                        md(dnnl_ntc, steps, batch, units), backwardWorkspace, md(dnnl_ntc, steps, batch, units),
                        md(dnnl_ntc, steps, batch, in), md(dnnl_ldigo, 1, 1, in, gates, units),
                        md(dnnl_ldigo, 1, 1, units, gates, units), md(dnnl_ldgo, 1, 1, biasGates, units)},
                        stateMds(2 * states.length, batch, units)));
        float[] zeros = new float[batch * units];
        for (int kind : states) {
            forward.set(kind, zeros);
            backward.set(kind, zeros);
        }
        // The backward pass reads the workspace the forward pass wrote.
        check(dnnl_memory_set_data_handle(backward.find(WORKSPACE).userMemory, forward.find(WORKSPACE).userData),
                "share workspace");
        return new Training(forward, backward);
    }

    private static dnnl_memory_desc clone(dnnl_memory_desc md) {
        dnnl_memory_desc copy = new dnnl_memory_desc();
        check(dnnl_memory_desc_clone(copy, md), "clone memory desc");
        return copy;
    }

    /**
     * Keras' RNN bias in oneDNN's form: the same, except for GRU with reset_after, whose
     * [input; recurrent] x [z, r, h] biases become linear-before-reset's [z, r, h, h'] (the
     * recurrent z and r biases add to the input ones; only h' stays apart, inside r (.)).
     */
    public static float[] rnnBias(String cell, boolean resetAfter, int units, float[] kerasBias) {
        if (!cell.equals("gru") || !resetAfter) return kerasBias;
        float[] b = new float[4 * units];
        for (int j = 0; j < units; j++) {
            b[j] = kerasBias[j] + kerasBias[3 * units + j];
            b[units + j] = kerasBias[units + j] + kerasBias[4 * units + j];
            b[2 * units + j] = kerasBias[2 * units + j];
            b[3 * units + j] = kerasBias[5 * units + j];
        }
        return b;
    }

    /** Post-ops for a fused activation. */
    private static final class Attr implements AutoCloseable {
        final dnnl_primitive_attr attr = new dnnl_primitive_attr();
        final dnnl_post_ops ops = new dnnl_post_ops();

        Attr(String activation) {
            check(dnnl_primitive_attr_create(attr), "attr");
            check(dnnl_post_ops_create(ops), "post ops");
            switch (activation) {
                case "linear", "softmax" -> { }
                case "relu" -> check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_relu, 0f, 0f), "relu");
                case "leaky_relu" -> check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_relu, 0.2f, 0f), "leaky");
                case "relu6" -> check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_clip, 0f, 6f), "clip");
                case "sigmoid" -> check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_logistic, 0f, 0f), "logistic");
                case "tanh" -> check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_tanh, 0f, 0f), "tanh");
                case "gelu" -> check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_gelu_erf, 0f, 0f), "gelu");
                default -> throw new IllegalArgumentException(activation);
            }
            check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post ops");
        }

        @Override
        public void close() {
            dnnl_post_ops_destroy(ops);
            dnnl_primitive_attr_destroy(attr);
        }
    }

    /** {@code count} descriptors of one layer's, one direction's [batch, units] state. */
    private static dnnl_memory_desc[] stateMds(int count, int batch, int units) {
        dnnl_memory_desc[] mds = new dnnl_memory_desc[count];
        for (int i = 0; i < count; i++) mds[i] = md(dnnl_ldnc, 1, 1, batch, units);
        return mds;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static dnnl_memory_desc[] concat(dnnl_memory_desc[] a, dnnl_memory_desc[] b) {
        dnnl_memory_desc[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static dnnl_memory_desc md(int tag, long... dims) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, tag), "memory desc");
        return md;
    }

    private static void destroy(dnnl_memory_desc... mds) {
        for (dnnl_memory_desc md : mds) dnnl_memory_desc_destroy(md);
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
    }
}

package org.neurite.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.neurite.Activation;
import org.neurite.RowGradient;
import org.neurite.Tensor;
import org.neurite.bindings.NeuriteNative;

/**
 * The backend over {@code libneurite}: one JNI call per operation, tensors passed as direct
 * buffers without copying. Loaded by name from {@link Backends}, so the Java path never
 * loads this class or JavaCPP.
 *
 * <pre>{@code
 * Backend nativeBackend = Backends.nativeBackend();
 * NativeBackend.maxIsa(NativeBackend.Isa.REF); // e.g. to compare with the reference kernels
 * }</pre>
 */
public final class NativeBackend implements Backend {
    /** Instruction sets the dispatcher may use, lowest first; AVX512 means F, BW, VL and DQ. */
    public enum Isa {
        REF(NeuriteNative.NRT_ISA_REF), AVX2(NeuriteNative.NRT_ISA_AVX2), AVX512(NeuriteNative.NRT_ISA_AVX512);

        private final int code;

        Isa(int code) {
            this.code = code;
        }

        static Isa of(int code) {
            for (Isa isa : values()) if (isa.code == code) return isa;
            throw new IllegalStateException("the native library reports an unknown ISA tier " + code);
        }
    }

    /**
     * Loads the library now, so that a failure surfaces in {@link Backends}.
     *
     * @throws IllegalArgumentException if the environment holds an invalid setting, e.g. an
     *     unknown {@code NEURITE_MAX_ISA}
     */
    public NativeBackend() {
        BytePointer settingsError = NeuriteNative.nrt_settings_error();
        if (settingsError != null && !settingsError.isNull()) throw new IllegalArgumentException(settingsError.getString());
    }

    // Per-thread result cells and step descriptors, so a training step allocates nothing native.
    private static final ThreadLocal<FloatBuffer> SCALARS =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer());
    private static final ThreadLocal<DoubleBuffer> SUMS =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Double.BYTES).order(ByteOrder.nativeOrder()).asDoubleBuffer());
    private static final ThreadLocal<LongBuffer> ROW_COUNTS =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer());
    private static final ThreadLocal<NeuriteNative.OptimizerStepDesc> STEPS = ThreadLocal.withInitial(NeuriteNative.OptimizerStepDesc::new);

    @Override
    public String name() {
        return "native";
    }

    /** The best instruction set of this CPU. */
    public static Isa detectedIsa() {
        return Isa.of(NeuriteNative.nrt_detected_isa());
    }

    /** Caps the instruction set for every later call, in this JVM; the CPU's own limit still applies. */
    public static void maxIsa(Isa isa) {
        NeuriteNative.nrt_set_max_isa(isa.code);
    }

    public static Isa maxIsa() {
        return Isa.of(NeuriteNative.nrt_max_isa());
    }

    /** Logs to stderr which kernel runs and why faster ones declined. */
    public static void verbose(boolean on) {
        NeuriteNative.nrt_set_verbose(on ? 1 : 0);
    }

    /** The kernel that ran last on the calling thread, e.g. {@code conv2d_nhwc_direct_f32_avx2}. */
    public static String lastKernel() {
        return NeuriteNative.nrt_last_kernel().getString();
    }

    @Override
    public boolean accepts(Tensor t) {
        return t.isDirect();
    }

    @Override
    public Tensor allocate(int... shape) {
        return Tensor.direct(shape);
    }

    @Override
    public Tensor allocateIds(int... shape) {
        return Tensor.directIds(shape);
    }

    @Override
    public ConvOp conv(ConvGeometry g) {
        return new NativeConv2d(g);
    }

    @Override
    public PoolOp pool(PoolGeometry g) {
        return new NativePool2d(g);
    }

    @Override
    public DenseOp dense(DenseGeometry g) {
        return new NativeDense(g);
    }

    @Override
    public RnnOp rnn(RnnGeometry g) {
        return new NativeRnn(g);
    }

    @Override
    public void activation(Activation activation, float alpha, Tensor input, Tensor output, int threads) {
        check("activation", NeuriteNative.nrt_activation_forward(code(activation), alpha, input.size(),
                buffer(input), input.size(), buffer(output), output.size(), threads));
    }

    @Override
    public void activationBackward(Activation activation, float alpha, Tensor input, Tensor output, Tensor dOutput,
                                   Tensor dInput, int threads) {
        check("activation backward", NeuriteNative.nrt_activation_backward(code(activation), alpha, dInput.size(),
                optional(input), size(input), optional(output), size(output), buffer(dOutput), dOutput.size(),
                buffer(dInput), dInput.size(), threads));
    }

    @Override
    public void softmax(Tensor input, Tensor output, int threads) {
        int cols = input.dim(-1);
        check("softmax", NeuriteNative.nrt_softmax_forward(input.size() / cols, cols, buffer(input), input.size(),
                buffer(output), output.size(), threads));
    }

    @Override
    public void softmaxBackward(Tensor output, Tensor dOutput, Tensor dInput, int threads) {
        int cols = output.dim(-1);
        check("softmax backward", NeuriteNative.nrt_softmax_backward(output.size() / cols, cols, buffer(output),
                output.size(), buffer(dOutput), dOutput.size(), buffer(dInput), dInput.size(), threads));
    }

    @Override
    public void maskedMean(Tensor input, Tensor mask, Tensor output, int threads) {
        check("masked mean", NeuriteNative.nrt_masked_mean_forward(input.dim(0), input.dim(1), input.dim(2), buffer(input),
                input.size(), buffer(mask), mask.size(), buffer(output), output.size(), threads));
    }

    @Override
    public void maskedMeanBackward(Tensor mask, Tensor dOutput, Tensor dInput, int threads) {
        check("masked mean backward", NeuriteNative.nrt_masked_mean_backward(dInput.dim(0), dInput.dim(1), dInput.dim(2),
                buffer(mask), mask.size(), buffer(dOutput), dOutput.size(), buffer(dInput), dInput.size(), threads));
    }

    @Override
    public void dropoutMask(float rate, long seed, Tensor mask, int threads) {
        check("dropout", NeuriteNative.nrt_dropout_mask(mask.size(), rate, seed, buffer(mask), mask.size(), threads));
    }

    @Override
    public float loss(LossKind loss, LossKind.Input input, Tensor output, Tensor target, Tensor rowWeights, Tensor dOutput,
                      int threads) {
        int cols = output.dim(-1);
        FloatBuffer value = SCALARS.get().clear();
        int status = NeuriteNative.nrt_loss(code(loss), code(input), output.size() / cols, cols, buffer(output),
                output.size(), buffer(target), target.size(), rowWeights == null ? null : buffer(rowWeights),
                rowWeights == null ? 0 : rowWeights.size(), buffer(dOutput), dOutput.size(), value, threads);
        if (status == NeuriteNative.NRT_INVALID_ARGUMENT) {
            throw new IllegalArgumentException(NeuriteNative.nrt_last_error().getString());
        }
        check("loss", status);
        return value.get(0);
    }

    @Override
    public void optimizerUpdate(OptimizerStep s, Tensor value, Tensor gradient, Tensor slot0, Tensor slot1, Tensor slot2,
                                int threads) {
        check("optimizer", NeuriteNative.nrt_optimizer_update(describe(s), value.size(), buffer(value), value.size(),
                buffer(gradient), gradient.size(), slot(s, 0, slot0), size(s, 0, slot0), slot(s, 1, slot1),
                size(s, 1, slot1), slot(s, 2, slot2), size(s, 2, slot2), threads));
    }

    @Override
    public void optimizerUpdate(OptimizerStep s, Tensor value, RowGradient gradient, Tensor slot0, Tensor slot1,
                                Tensor slot2, int threads) {
        check("optimizer", NeuriteNative.nrt_optimizer_update_rows(describe(s), value.dim(0), gradient.width(),
                buffer(value), value.size(), buffer(gradient.rows()), gradient.count(), buffer(gradient.values()),
                gradient.values().size(), slot(s, 0, slot0), size(s, 0, slot0), slot(s, 1, slot1), size(s, 1, slot1),
                slot(s, 2, slot2), size(s, 2, slot2), threads));
    }

    // The calling thread's step descriptor, set to s.
    private static NeuriteNative.OptimizerStepDesc describe(OptimizerStep s) {
        return STEPS.get().optimizer(code(s.kind())).learningRate(s.learningRate()).beta1(s.beta1()).beta2(s.beta2())
                .epsilon(s.epsilon()).decay(s.decay()).gradientScale(s.gradientScale()).clipValue(s.clipValue())
                .nesterov(s.nesterov() ? 1 : 0).centered(s.centered() ? 1 : 0);
    }

    private static FloatBuffer slot(OptimizerStep s, int index, Tensor t) {
        return s.usesSlot(index) ? buffer(t) : null;
    }

    private static long size(OptimizerStep s, int index, Tensor t) {
        return s.usesSlot(index) ? t.size() : 0;
    }

    @Override
    public double sumOfSquares(Tensor x, long size, int threads) {
        DoubleBuffer sum = SUMS.get().clear();
        check("sum of squares", NeuriteNative.nrt_sum_of_squares(size, buffer(x), x.size(), sum, threads));
        return sum.get(0);
    }

    private static int code(LossKind loss) {
        return switch (loss) {
            case SPARSE_CATEGORICAL_CROSSENTROPY -> NeuriteNative.NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
            case CATEGORICAL_CROSSENTROPY -> NeuriteNative.NRT_LOSS_CATEGORICAL_CROSSENTROPY;
            case BINARY_CROSSENTROPY -> NeuriteNative.NRT_LOSS_BINARY_CROSSENTROPY;
            case MEAN_SQUARED_ERROR -> NeuriteNative.NRT_LOSS_MEAN_SQUARED_ERROR;
        };
    }

    private static int code(LossKind.Input input) {
        return switch (input) {
            case OUTPUT -> NeuriteNative.NRT_LOSS_INPUT_OUTPUT;
            case LOGITS -> NeuriteNative.NRT_LOSS_INPUT_LOGITS;
            case ACTIVATED -> NeuriteNative.NRT_LOSS_INPUT_ACTIVATED;
        };
    }

    private static int code(OptimizerStep.Kind kind) {
        return switch (kind) {
            case SGD -> NeuriteNative.NRT_OPTIMIZER_SGD;
            case ADAM -> NeuriteNative.NRT_OPTIMIZER_ADAM;
            case RMSPROP -> NeuriteNative.NRT_OPTIMIZER_RMSPROP;
        };
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor output, int threads) {
        check("binary " + op, NeuriteNative.nrt_binary_forward(code(op), output.size(), buffer(a), a.size(), buffer(b),
                b.size(), buffer(output), output.size(), threads));
    }

    @Override
    public void embedding(int vocabulary, Tensor ids, Tensor table, Tensor output, int threads) {
        int status = ids.holdsIds()
                ? NeuriteNative.nrt_embedding_forward_i32(vocabulary, table.dim(-1), ids.size(), buffer(ids), ids.size(),
                        buffer(table), table.size(), buffer(output), output.size(), threads)
                : NeuriteNative.nrt_embedding_forward(vocabulary, table.dim(-1), ids.size(), buffer(ids), ids.size(),
                        buffer(table), table.size(), buffer(output), output.size(), threads);
        if (status == NeuriteNative.NRT_INVALID_ARGUMENT) throw new IllegalArgumentException(NeuriteNative.nrt_last_error().getString());
        check("embedding", status);
    }

    @Override
    public void embeddingBackward(int vocabulary, Tensor ids, Tensor mask, Tensor dOutput, RowGradient dTable, int threads) {
        LongBuffer count = ROW_COUNTS.get();
        Tensor rows = dTable.rows(), dRows = dTable.values();
        check("embedding backward", ids.holdsIds()
                ? NeuriteNative.nrt_embedding_backward_i32(vocabulary, dTable.width(), ids.size(), buffer(ids), ids.size(),
                        optional(mask), size(mask), buffer(dOutput), dOutput.size(), buffer(rows), rows.size(), buffer(dRows),
                        dRows.size(), count, threads)
                : NeuriteNative.nrt_embedding_backward(vocabulary, dTable.width(), ids.size(), buffer(ids), ids.size(),
                        optional(mask), size(mask), buffer(dOutput), dOutput.size(), buffer(rows), rows.size(), buffer(dRows),
                        dRows.size(), count, threads));
        dTable.count(Math.toIntExact(count.get(0)));
    }

    @Override
    public void nonZeroMask(Tensor ids, Tensor mask) {
        check("nonzero mask", ids.holdsIds()
                ? NeuriteNative.nrt_nonzero_mask_i32(ids.size(), buffer(ids), ids.size(), buffer(mask), mask.size())
                : NeuriteNative.nrt_nonzero_mask(ids.size(), buffer(ids), ids.size(), buffer(mask), mask.size()));
    }

    static FloatBuffer optional(Tensor t) {
        return t == null ? null : buffer(t);
    }

    static long size(Tensor t) {
        return t == null ? 0 : t.size();
    }

    static int code(Activation a) {
        return switch (a) {
            case LINEAR -> NeuriteNative.NRT_ACT_NONE;
            case RELU -> NeuriteNative.NRT_ACT_RELU;
            case RELU6 -> NeuriteNative.NRT_ACT_RELU6;
            case SIGMOID -> NeuriteNative.NRT_ACT_SIGMOID;
            case TANH -> NeuriteNative.NRT_ACT_TANH;
            case LEAKY_RELU -> NeuriteNative.NRT_ACT_LEAKY_RELU;
            case GELU -> NeuriteNative.NRT_ACT_GELU;
            case EXPONENTIAL -> NeuriteNative.NRT_ACT_EXPONENTIAL;
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not element-wise");
        };
    }

    static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> NeuriteNative.NRT_BINARY_ADD;
            case MUL -> NeuriteNative.NRT_BINARY_MUL;
            case AVERAGE -> NeuriteNative.NRT_BINARY_AVERAGE;
        };
    }

    static int code(RnnGeometry.Cell cell) {
        return switch (cell) {
            case SIMPLE -> NeuriteNative.NRT_CELL_SIMPLE;
            case LSTM -> NeuriteNative.NRT_CELL_LSTM;
            case GRU -> NeuriteNative.NRT_CELL_GRU;
        };
    }

    /** A direct tensor of a size a native size function returned. */
    static Tensor packedBuffer(long floats) {
        return Tensor.direct(Math.toIntExact(floats));
    }

    static FloatBuffer buffer(Tensor t) {
        if (!t.isDirect()) {
            throw new IllegalArgumentException("the native backend needs off-heap tensors, got " + t
                    + "; create tensors with Tensor.zeros/of while it is active, or with backend.allocate");
        }
        return t.sharedBuffer();
    }

    static void check(String op, int status) {
        if (status != NeuriteNative.NRT_OK) {
            throw new IllegalStateException("native " + op + " failed: " + NeuriteNative.nrt_last_error().getString());
        }
    }
}

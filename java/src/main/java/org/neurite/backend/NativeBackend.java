package org.neurite.backend;

import java.nio.FloatBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.bytedeco.javacpp.BytePointer;
import org.neurite.Activation;
import org.neurite.Tensor;
import org.neurite.bindings.NeuriteNative;
import org.neurite.bindings.NeuriteNative.Conv2dDesc;
import org.neurite.bindings.NeuriteNative.DenseDesc;
import org.neurite.bindings.NeuriteNative.Pool2dDesc;
import org.neurite.bindings.NeuriteNative.RnnDesc;

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

    // Descriptors are immutable once built, so one per geometry serves every thread.
    private final ConcurrentMap<ConvGeometry, Conv2dDesc> convDescs = new ConcurrentHashMap<>();
    private final ConcurrentMap<PoolGeometry, Pool2dDesc> poolDescs = new ConcurrentHashMap<>();
    private final ConcurrentMap<DenseGeometry, DenseDesc> denseDescs = new ConcurrentHashMap<>();
    private final ConcurrentMap<RnnGeometry, RnnDesc> rnnDescs = new ConcurrentHashMap<>();

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
    public Tensor packConv(ConvGeometry g, Tensor hwioWeights) {
        Conv2dDesc desc = desc(g);
        Tensor packed = Tensor.direct(Math.toIntExact(NeuriteNative.nrt_conv2d_packed_size(desc)));
        check("conv2d weight packing", NeuriteNative.nrt_conv2d_pack_weights(desc, buffer(hwioWeights), hwioWeights.size(),
                buffer(packed), packed.size()));
        return packed;
    }

    @Override
    public void conv(ConvGeometry g, Tensor input, Tensor packedWeights, Tensor bias, Tensor output, int threads) {
        check("conv2d", NeuriteNative.nrt_conv2d_forward(desc(g), input.dim(0), buffer(input), input.size(),
                buffer(packedWeights), packedWeights.size(), bias == null ? null : buffer(bias),
                bias == null ? 0 : bias.size(), buffer(output), output.size(), threads));
    }

    @Override
    public void pool(PoolGeometry g, Tensor input, Tensor output, int threads) {
        Pool2dDesc desc = poolDescs.computeIfAbsent(g, NativeBackend::newDesc);
        check("pool2d", NeuriteNative.nrt_pool2d_forward(desc, input.dim(0), buffer(input), input.size(), buffer(output),
                output.size(), threads));
    }

    @Override
    public Tensor packDense(DenseGeometry g, Tensor weights) {
        DenseDesc desc = desc(g);
        Tensor packed = Tensor.direct(Math.toIntExact(NeuriteNative.nrt_dense_packed_size(desc)));
        check("dense weight packing", NeuriteNative.nrt_dense_pack_weights(desc, buffer(weights), weights.size(),
                buffer(packed), packed.size()));
        return packed;
    }

    @Override
    public void dense(DenseGeometry g, Tensor input, Tensor packedWeights, Tensor bias, Tensor output, int threads) {
        check("dense", NeuriteNative.nrt_dense_forward(desc(g), input.dim(0), buffer(input), input.size(),
                buffer(packedWeights), packedWeights.size(), bias == null ? null : buffer(bias),
                bias == null ? 0 : bias.size(), buffer(output), output.size(), threads));
    }

    @Override
    public void activation(Activation activation, float alpha, Tensor input, Tensor output, int threads) {
        check("activation", NeuriteNative.nrt_activation_forward(activation.nativeCode(), alpha, input.size(),
                buffer(input), input.size(), buffer(output), output.size(), threads));
    }

    @Override
    public void softmax(Tensor input, Tensor output, int threads) {
        int cols = input.dim(-1);
        check("softmax", NeuriteNative.nrt_softmax_forward(input.size() / cols, cols, buffer(input), input.size(),
                buffer(output), output.size(), threads));
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor output, int threads) {
        check("binary " + op, NeuriteNative.nrt_binary_forward(op.ordinal(), output.size(), buffer(a), a.size(), buffer(b),
                b.size(), buffer(output), output.size(), threads));
    }

    @Override
    public Tensor[] packRnn(RnnGeometry g, Tensor kernel, Tensor recurrentKernel) {
        RnnDesc desc = desc(g);
        Tensor packedKernel = Tensor.direct(Math.toIntExact(NeuriteNative.nrt_rnn_packed_kernel_size(desc)));
        Tensor packedRecurrent = Tensor.direct(Math.toIntExact(NeuriteNative.nrt_rnn_packed_recurrent_size(desc)));
        check("rnn weight packing", NeuriteNative.nrt_rnn_pack_weights(desc, buffer(kernel), kernel.size(),
                buffer(recurrentKernel), recurrentKernel.size(), buffer(packedKernel), packedKernel.size(),
                buffer(packedRecurrent), packedRecurrent.size()));
        return new Tensor[] {packedKernel, packedRecurrent};
    }

    @Override
    public void rnn(RnnGeometry g, Tensor input, Tensor mask, Tensor packedKernel, Tensor packedRecurrent, Tensor bias,
                    Tensor initialH, Tensor initialC, Tensor output, int outputOffset, Tensor finalH, Tensor finalC,
                    int threads) {
        if (outputOffset < 0 || outputOffset > output.size()) {
            throw new IllegalArgumentException("rnn: output offset " + outputOffset + " outside " + output);
        }
        check("rnn", NeuriteNative.nrt_rnn_forward(desc(g), input.dim(0), input.dim(1), buffer(input), input.size(),
                optional(mask), size(mask), optional(packedKernel), size(packedKernel), buffer(packedRecurrent),
                packedRecurrent.size(), optional(bias), size(bias), optional(initialH), size(initialH),
                optional(initialC), size(initialC), buffer(output).position(outputOffset), output.size() - outputOffset,
                optional(finalH), size(finalH), optional(finalC), size(finalC), threads));
    }

    @Override
    public void embedding(int vocabulary, Tensor ids, Tensor table, Tensor output, int threads) {
        int status = NeuriteNative.nrt_embedding_forward(vocabulary, table.dim(-1), ids.size(), buffer(ids), ids.size(),
                buffer(table), table.size(), buffer(output), output.size(), threads);
        if (status == NeuriteNative.NRT_INVALID_ARGUMENT) throw new IllegalArgumentException(NeuriteNative.nrt_last_error().getString());
        check("embedding", status);
    }

    @Override
    public void nonZeroMask(Tensor ids, Tensor mask) {
        check("nonzero mask", NeuriteNative.nrt_nonzero_mask(ids.size(), buffer(ids), ids.size(), buffer(mask), mask.size()));
    }

    private static FloatBuffer optional(Tensor t) {
        return t == null ? null : buffer(t);
    }

    private static long size(Tensor t) {
        return t == null ? 0 : t.size();
    }

    private RnnDesc desc(RnnGeometry g) {
        return rnnDescs.computeIfAbsent(g, NativeBackend::newDesc);
    }

    private static RnnDesc newDesc(RnnGeometry g) {
        return new RnnDesc().cell(g.cell().ordinal()).inputSize(g.inputSize()).units(g.units())
                .activation(g.activation().nativeCode()).recurrentActivation(g.recurrentActivation().nativeCode())
                .resetAfter(g.resetAfter() ? 1 : 0).goBackwards(g.goBackwards() ? 1 : 0)
                .returnSequences(g.returnSequences() ? 1 : 0).reverseOutput(g.reverseOutput() ? 1 : 0)
                .outputStride(g.outputStride());
    }

    private Conv2dDesc desc(ConvGeometry g) {
        return convDescs.computeIfAbsent(g, NativeBackend::newDesc);
    }

    private DenseDesc desc(DenseGeometry g) {
        return denseDescs.computeIfAbsent(g, NativeBackend::newDesc);
    }

    private static Conv2dDesc newDesc(ConvGeometry g) {
        return new Conv2dDesc().inH(g.inH()).inW(g.inW()).inC(g.inC()).outH(g.outH()).outW(g.outW()).outC(g.outC())
                .kernelH(g.kernelH()).kernelW(g.kernelW()).strideH(g.strideH()).strideW(g.strideW())
                .dilationH(g.dilationH()).dilationW(g.dilationW()).padTop(g.padTop()).padLeft(g.padLeft())
                .groups(g.groups()).activation(g.activation().nativeCode()).alpha(g.alpha());
    }

    private static Pool2dDesc newDesc(PoolGeometry g) {
        return new Pool2dDesc().inH(g.inH()).inW(g.inW()).channels(g.channels()).outH(g.outH()).outW(g.outW())
                .poolH(g.poolH()).poolW(g.poolW()).strideH(g.strideH()).strideW(g.strideW()).padTop(g.padTop())
                .padLeft(g.padLeft()).kind(g.max() ? 0 : 1);
    }

    private static DenseDesc newDesc(DenseGeometry g) {
        return new DenseDesc().inFeatures(g.in()).outFeatures(g.out()).activation(g.activation().nativeCode())
                .alpha(g.alpha());
    }

    private static FloatBuffer buffer(Tensor t) {
        if (!t.isDirect()) {
            throw new IllegalArgumentException("the native backend needs off-heap tensors, got " + t
                    + "; create tensors with Tensor.zeros/of while it is active, or with backend.allocate");
        }
        return t.buffer();
    }

    private static void check(String op, int status) {
        if (status != NeuriteNative.NRT_OK) {
            throw new IllegalStateException("native " + op + " failed: " + NeuriteNative.nrt_last_error().getString());
        }
    }
}

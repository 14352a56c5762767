package org.neurite.bindings;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.MemberSetter;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP binding of {@code native/include/neurite.h}, one Java method per C function.
 * Loading this class extracts {@code libneurite.so} and its JNI glue from the jar and loads
 * them. Buffers must be direct; the {@code *Size} arguments are their sizes in floats.
 *
 * <pre>{@code
 * NeuriteNative.nrt_set_verbose(1); // log which kernel runs and why faster ones declined
 * }</pre>
 */
@Platform(value = "linux-x86_64", include = "neurite.h", link = "neurite")
public final class NeuriteNative {
    static {
        Loader.load();
    }

    private NeuriteNative() {}

    // The enum values of neurite.h, read from the compiled header: no number here to keep in step with it.
    public static final int NRT_OK = NRT_OK();
    public static final int NRT_INVALID_ARGUMENT = NRT_INVALID_ARGUMENT();
    public static final int NRT_ISA_REF = NRT_ISA_REF();
    public static final int NRT_ISA_AVX2 = NRT_ISA_AVX2();
    public static final int NRT_ISA_AVX512 = NRT_ISA_AVX512();
    public static final int NRT_ACT_NONE = NRT_ACT_NONE();
    public static final int NRT_ACT_RELU = NRT_ACT_RELU();
    public static final int NRT_ACT_RELU6 = NRT_ACT_RELU6();
    public static final int NRT_ACT_SIGMOID = NRT_ACT_SIGMOID();
    public static final int NRT_ACT_TANH = NRT_ACT_TANH();
    public static final int NRT_ACT_LEAKY_RELU = NRT_ACT_LEAKY_RELU();
    public static final int NRT_ACT_GELU = NRT_ACT_GELU();
    public static final int NRT_ACT_EXPONENTIAL = NRT_ACT_EXPONENTIAL();
    public static final int NRT_POOL_MAX = NRT_POOL_MAX();
    public static final int NRT_POOL_AVG = NRT_POOL_AVG();
    public static final int NRT_BINARY_ADD = NRT_BINARY_ADD();
    public static final int NRT_BINARY_MUL = NRT_BINARY_MUL();
    public static final int NRT_BINARY_AVERAGE = NRT_BINARY_AVERAGE();
    public static final int NRT_CELL_SIMPLE = NRT_CELL_SIMPLE();
    public static final int NRT_CELL_LSTM = NRT_CELL_LSTM();
    public static final int NRT_CELL_GRU = NRT_CELL_GRU();
    public static final int NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY = NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY();
    public static final int NRT_LOSS_CATEGORICAL_CROSSENTROPY = NRT_LOSS_CATEGORICAL_CROSSENTROPY();
    public static final int NRT_LOSS_BINARY_CROSSENTROPY = NRT_LOSS_BINARY_CROSSENTROPY();
    public static final int NRT_LOSS_MEAN_SQUARED_ERROR = NRT_LOSS_MEAN_SQUARED_ERROR();
    public static final int NRT_LOSS_INPUT_OUTPUT = NRT_LOSS_INPUT_OUTPUT();
    public static final int NRT_LOSS_INPUT_LOGITS = NRT_LOSS_INPUT_LOGITS();
    public static final int NRT_LOSS_INPUT_ACTIVATED = NRT_LOSS_INPUT_ACTIVATED();
    public static final int NRT_OPTIMIZER_SGD = NRT_OPTIMIZER_SGD();
    public static final int NRT_OPTIMIZER_ADAM = NRT_OPTIMIZER_ADAM();
    public static final int NRT_OPTIMIZER_RMSPROP = NRT_OPTIMIZER_RMSPROP();

    private static native @MemberGetter int NRT_OK();
    private static native @MemberGetter int NRT_INVALID_ARGUMENT();
    private static native @MemberGetter int NRT_ISA_REF();
    private static native @MemberGetter int NRT_ISA_AVX2();
    private static native @MemberGetter int NRT_ISA_AVX512();
    private static native @MemberGetter int NRT_ACT_NONE();
    private static native @MemberGetter int NRT_ACT_RELU();
    private static native @MemberGetter int NRT_ACT_RELU6();
    private static native @MemberGetter int NRT_ACT_SIGMOID();
    private static native @MemberGetter int NRT_ACT_TANH();
    private static native @MemberGetter int NRT_ACT_LEAKY_RELU();
    private static native @MemberGetter int NRT_ACT_GELU();
    private static native @MemberGetter int NRT_ACT_EXPONENTIAL();
    private static native @MemberGetter int NRT_POOL_MAX();
    private static native @MemberGetter int NRT_POOL_AVG();
    private static native @MemberGetter int NRT_BINARY_ADD();
    private static native @MemberGetter int NRT_BINARY_MUL();
    private static native @MemberGetter int NRT_BINARY_AVERAGE();
    private static native @MemberGetter int NRT_CELL_SIMPLE();
    private static native @MemberGetter int NRT_CELL_LSTM();
    private static native @MemberGetter int NRT_CELL_GRU();
    private static native @MemberGetter int NRT_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY();
    private static native @MemberGetter int NRT_LOSS_CATEGORICAL_CROSSENTROPY();
    private static native @MemberGetter int NRT_LOSS_BINARY_CROSSENTROPY();
    private static native @MemberGetter int NRT_LOSS_MEAN_SQUARED_ERROR();
    private static native @MemberGetter int NRT_LOSS_INPUT_OUTPUT();
    private static native @MemberGetter int NRT_LOSS_INPUT_LOGITS();
    private static native @MemberGetter int NRT_LOSS_INPUT_ACTIVATED();
    private static native @MemberGetter int NRT_OPTIMIZER_SGD();
    private static native @MemberGetter int NRT_OPTIMIZER_ADAM();
    private static native @MemberGetter int NRT_OPTIMIZER_RMSPROP();

    /** {@code nrt_conv2d_desc}: a 2D convolution, NHWC, HWIO weights. */
    @Name("nrt_conv2d_desc")
    public static final class Conv2dDesc extends Pointer {
        static {
            Loader.load();
        }

        public Conv2dDesc() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native @MemberSetter @Name("in_h") Conv2dDesc inH(int v);
        public native @MemberSetter @Name("in_w") Conv2dDesc inW(int v);
        public native @MemberSetter @Name("in_c") Conv2dDesc inC(int v);
        public native @MemberSetter @Name("out_h") Conv2dDesc outH(int v);
        public native @MemberSetter @Name("out_w") Conv2dDesc outW(int v);
        public native @MemberSetter @Name("out_c") Conv2dDesc outC(int v);
        public native @MemberSetter @Name("kernel_h") Conv2dDesc kernelH(int v);
        public native @MemberSetter @Name("kernel_w") Conv2dDesc kernelW(int v);
        public native @MemberSetter @Name("stride_h") Conv2dDesc strideH(int v);
        public native @MemberSetter @Name("stride_w") Conv2dDesc strideW(int v);
        public native @MemberSetter @Name("dilation_h") Conv2dDesc dilationH(int v);
        public native @MemberSetter @Name("dilation_w") Conv2dDesc dilationW(int v);
        public native @MemberSetter @Name("pad_top") Conv2dDesc padTop(int v);
        public native @MemberSetter @Name("pad_left") Conv2dDesc padLeft(int v);
        public native @MemberSetter @Name("groups") Conv2dDesc groups(int v);
        public native @MemberSetter @Name("activation") Conv2dDesc activation(int v);
        public native @MemberSetter @Name("alpha") Conv2dDesc alpha(float v);
    }

    /** {@code nrt_pool2d_desc}: max or average pooling over NHWC. */
    @Name("nrt_pool2d_desc")
    public static final class Pool2dDesc extends Pointer {
        static {
            Loader.load();
        }

        public Pool2dDesc() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native @MemberSetter @Name("in_h") Pool2dDesc inH(int v);
        public native @MemberSetter @Name("in_w") Pool2dDesc inW(int v);
        public native @MemberSetter @Name("channels") Pool2dDesc channels(int v);
        public native @MemberSetter @Name("out_h") Pool2dDesc outH(int v);
        public native @MemberSetter @Name("out_w") Pool2dDesc outW(int v);
        public native @MemberSetter @Name("pool_h") Pool2dDesc poolH(int v);
        public native @MemberSetter @Name("pool_w") Pool2dDesc poolW(int v);
        public native @MemberSetter @Name("stride_h") Pool2dDesc strideH(int v);
        public native @MemberSetter @Name("stride_w") Pool2dDesc strideW(int v);
        public native @MemberSetter @Name("pad_top") Pool2dDesc padTop(int v);
        public native @MemberSetter @Name("pad_left") Pool2dDesc padLeft(int v);
        public native @MemberSetter @Name("kind") Pool2dDesc kind(int v);
    }

    /** {@code nrt_dense_desc}: y = act(x W + b). */
    @Name("nrt_dense_desc")
    public static final class DenseDesc extends Pointer {
        static {
            Loader.load();
        }

        public DenseDesc() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native @MemberSetter @Name("in_features") DenseDesc inFeatures(int v);
        public native @MemberSetter @Name("out_features") DenseDesc outFeatures(int v);
        public native @MemberSetter @Name("activation") DenseDesc activation(int v);
        public native @MemberSetter @Name("alpha") DenseDesc alpha(float v);
    }

    /** {@code nrt_optimizer_step}: one optimizer step's constants. */
    @Name("nrt_optimizer_step")
    public static final class OptimizerStepDesc extends Pointer {
        static {
            Loader.load();
        }

        public OptimizerStepDesc() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native @MemberSetter @Name("optimizer") OptimizerStepDesc optimizer(int v);
        public native @MemberSetter @Name("learning_rate") OptimizerStepDesc learningRate(float v);
        public native @MemberSetter @Name("beta1") OptimizerStepDesc beta1(float v);
        public native @MemberSetter @Name("beta2") OptimizerStepDesc beta2(float v);
        public native @MemberSetter @Name("epsilon") OptimizerStepDesc epsilon(float v);
        public native @MemberSetter @Name("decay") OptimizerStepDesc decay(float v);
        public native @MemberSetter @Name("gradient_scale") OptimizerStepDesc gradientScale(float v);
        public native @MemberSetter @Name("clip_value") OptimizerStepDesc clipValue(float v);
        public native @MemberSetter @Name("nesterov") OptimizerStepDesc nesterov(int v);
        public native @MemberSetter @Name("centered") OptimizerStepDesc centered(int v);
    }

    /** {@code nrt_rnn_desc}: a SimpleRNN, LSTM or GRU layer (cells 0, 1, 2). */
    @Name("nrt_rnn_desc")
    public static final class RnnDesc extends Pointer {
        static {
            Loader.load();
        }

        public RnnDesc() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native @MemberSetter @Name("cell") RnnDesc cell(int v);
        public native @MemberSetter @Name("input_size") RnnDesc inputSize(int v);
        public native @MemberSetter @Name("units") RnnDesc units(int v);
        public native @MemberSetter @Name("activation") RnnDesc activation(int v);
        public native @MemberSetter @Name("recurrent_activation") RnnDesc recurrentActivation(int v);
        public native @MemberSetter @Name("reset_after") RnnDesc resetAfter(int v);
        public native @MemberSetter @Name("go_backwards") RnnDesc goBackwards(int v);
        public native @MemberSetter @Name("return_sequences") RnnDesc returnSequences(int v);
        public native @MemberSetter @Name("reverse_output") RnnDesc reverseOutput(int v);
        public native @MemberSetter @Name("output_stride") RnnDesc outputStride(int v);
        public native @MemberSetter @Name("zero_output_for_mask") RnnDesc zeroOutputForMask(int v);
        public native @MemberSetter @Name("alpha") RnnDesc alpha(float v);
    }

    public static native int nrt_detected_isa();
    public static native void nrt_set_max_isa(int isa);
    public static native int nrt_max_isa();
    public static native @Cast("const char*") BytePointer nrt_isa_name(int isa);
    public static native @Cast("const char*") BytePointer nrt_settings_error();
    public static native void nrt_set_verbose(int on);
    public static native int nrt_num_cores();
    public static native @Cast("const char*") BytePointer nrt_last_kernel();
    public static native @Cast("const char*") BytePointer nrt_last_error();

    public static native @Cast("int64_t") long nrt_conv2d_packed_size(@Const Conv2dDesc desc);
    public static native int nrt_conv2d_pack_weights(@Const Conv2dDesc desc, @Const FloatBuffer hwio, @Cast("int64_t") long hwioSize,
                                                     FloatBuffer packed, @Cast("int64_t") long packedSize);
    public static native int nrt_conv2d_forward(@Const Conv2dDesc desc, int batch,
                                                @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                @Const FloatBuffer packed, @Cast("int64_t") long packedSize,
                                                @Const FloatBuffer bias, @Cast("int64_t") long biasSize,
                                                FloatBuffer dst, @Cast("int64_t") long dstSize, int numThreads);
    public static native int nrt_conv2d_backward_data(@Const Conv2dDesc desc, int batch, @Const FloatBuffer hwio, @Cast("int64_t") long hwioSize,
                                                      @Const FloatBuffer dPre, @Cast("int64_t") long dPreSize, FloatBuffer dSrc, @Cast("int64_t") long dSrcSize,
                                                      int numThreads);
    public static native int nrt_conv2d_backward_weights(@Const Conv2dDesc desc, int batch, @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                         @Const FloatBuffer dPre, @Cast("int64_t") long dPreSize, FloatBuffer dHwio, @Cast("int64_t") long dHwioSize,
                                                         FloatBuffer dBias, @Cast("int64_t") long dBiasSize, int numThreads);

    public static native int nrt_pool2d_forward(@Const Pool2dDesc desc, int batch,
                                                @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                FloatBuffer dst, @Cast("int64_t") long dstSize, int numThreads);
    public static native @Cast("int64_t") long nrt_pool2d_workspace_size(@Const Pool2dDesc desc, int batch);
    public static native int nrt_pool2d_forward_training(@Const Pool2dDesc desc, int batch, @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                         FloatBuffer dst, @Cast("int64_t") long dstSize, FloatBuffer workspace,
                                                         @Cast("int64_t") long workspaceSize, int numThreads);
    public static native int nrt_pool2d_backward(@Const Pool2dDesc desc, int batch, @Const FloatBuffer dDst, @Cast("int64_t") long dDstSize,
                                                 @Const FloatBuffer workspace, @Cast("int64_t") long workspaceSize,
                                                 @Const FloatBuffer reluDst, @Cast("int64_t") long reluDstSize,
                                                 FloatBuffer dSrc, @Cast("int64_t") long dSrcSize, int numThreads);
    public static native int nrt_masked_mean_forward(int batch, int steps, int channels, @Const FloatBuffer src,
                                                     @Cast("int64_t") long srcSize, @Const FloatBuffer mask,
                                                     @Cast("int64_t") long maskSize, FloatBuffer dst,
                                                     @Cast("int64_t") long dstSize, int numThreads);
    public static native int nrt_masked_mean_backward(int batch, int steps, int channels, @Const FloatBuffer mask,
                                                      @Cast("int64_t") long maskSize, @Const FloatBuffer dDst,
                                                      @Cast("int64_t") long dDstSize, FloatBuffer dSrc,
                                                      @Cast("int64_t") long dSrcSize, int numThreads);

    public static native @Cast("int64_t") long nrt_dense_packed_size(@Const DenseDesc desc);
    public static native int nrt_dense_pack_weights(@Const DenseDesc desc, @Const FloatBuffer weights, @Cast("int64_t") long weightsSize,
                                                    FloatBuffer packed, @Cast("int64_t") long packedSize);
    public static native int nrt_dense_forward(@Const DenseDesc desc, int batch,
                                               @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                               @Const FloatBuffer packed, @Cast("int64_t") long packedSize,
                                               @Const FloatBuffer bias, @Cast("int64_t") long biasSize,
                                               FloatBuffer dst, @Cast("int64_t") long dstSize, int numThreads);
    public static native int nrt_dense_backward_data(@Const DenseDesc desc, int batch, @Const FloatBuffer weights, @Cast("int64_t") long weightsSize,
                                                     @Const FloatBuffer dPre, @Cast("int64_t") long dPreSize, FloatBuffer dSrc, @Cast("int64_t") long dSrcSize,
                                                     int numThreads);
    public static native int nrt_dense_backward_weights(@Const DenseDesc desc, int batch, @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                        @Const FloatBuffer dPre, @Cast("int64_t") long dPreSize, FloatBuffer dWeights, @Cast("int64_t") long dWeightsSize,
                                                        FloatBuffer dBias, @Cast("int64_t") long dBiasSize, int numThreads);

    public static native int nrt_activation_forward(int activation, float alpha, @Cast("int64_t") long size,
                                                    @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                    FloatBuffer dst, @Cast("int64_t") long dstSize, int numThreads);
    public static native int nrt_softmax_forward(@Cast("int64_t") long rows, int cols,
                                                 @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                 FloatBuffer dst, @Cast("int64_t") long dstSize, int numThreads);
    public static native int nrt_activation_backward(int activation, float alpha, @Cast("int64_t") long size, @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                     @Const FloatBuffer dst, @Cast("int64_t") long dstSize, @Const FloatBuffer dDst, @Cast("int64_t") long dDstSize,
                                                     FloatBuffer dSrc, @Cast("int64_t") long dSrcSize, int numThreads);
    public static native int nrt_softmax_backward(@Cast("int64_t") long rows, int cols, @Const FloatBuffer dst, @Cast("int64_t") long dstSize, @Const FloatBuffer dDst, @Cast("int64_t") long dDstSize,
                                                  FloatBuffer dSrc, @Cast("int64_t") long dSrcSize, int numThreads);
    public static native @Cast("int64_t") long nrt_rnn_packed_kernel_size(@Const RnnDesc desc);
    public static native @Cast("int64_t") long nrt_rnn_packed_recurrent_size(@Const RnnDesc desc);
    public static native @Cast("int64_t") long nrt_rnn_bias_size(@Const RnnDesc desc);
    public static native int nrt_rnn_pack_weights(@Const RnnDesc desc, @Const FloatBuffer kernel, @Cast("int64_t") long kernelSize,
                                                  @Const FloatBuffer recurrentKernel, @Cast("int64_t") long recurrentSize,
                                                  FloatBuffer packedKernel, @Cast("int64_t") long packedKernelSize,
                                                  FloatBuffer packedRecurrent, @Cast("int64_t") long packedRecurrentSize);
    public static native int nrt_rnn_forward(@Const RnnDesc desc, int batch, int steps,
                                             @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                             @Const FloatBuffer mask, @Cast("int64_t") long maskSize,
                                             @Const FloatBuffer packedKernel, @Cast("int64_t") long packedKernelSize,
                                             @Const FloatBuffer packedRecurrent, @Cast("int64_t") long packedRecurrentSize,
                                             @Const FloatBuffer bias, @Cast("int64_t") long biasSize,
                                             @Const FloatBuffer initialH, @Cast("int64_t") long initialHSize,
                                             @Const FloatBuffer initialC, @Cast("int64_t") long initialCSize,
                                             FloatBuffer dst, @Cast("int64_t") long dstSize,
                                             FloatBuffer finalH, @Cast("int64_t") long finalHSize,
                                             FloatBuffer finalC, @Cast("int64_t") long finalCSize, int numThreads);
    public static native @Cast("int64_t") long nrt_rnn_workspace_size(@Const RnnDesc desc, int batch, int steps);
    public static native int nrt_rnn_forward_training(@Const RnnDesc desc, int batch, int steps, @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                                      @Const FloatBuffer mask, @Cast("int64_t") long maskSize, @Const FloatBuffer packedKernel, @Cast("int64_t") long packedKernelSize,
                                                      @Const FloatBuffer packedRecurrent, @Cast("int64_t") long packedRecurrentSize, @Const FloatBuffer bias,
                                                      @Cast("int64_t") long biasSize, @Const FloatBuffer initialH, @Cast("int64_t") long initialHSize, @Const FloatBuffer initialC,
                                                      @Cast("int64_t") long initialCSize, FloatBuffer dst, @Cast("int64_t") long dstSize, FloatBuffer workspace,
                                                      @Cast("int64_t") long workspaceSize, FloatBuffer finalH, @Cast("int64_t") long finalHSize,
                                                      FloatBuffer finalC, @Cast("int64_t") long finalCSize, int numThreads);
    public static native int nrt_rnn_backward(@Const RnnDesc desc, int batch, int steps, @Const FloatBuffer src, @Cast("int64_t") long srcSize,
                                              @Const FloatBuffer mask, @Cast("int64_t") long maskSize, @Const FloatBuffer kernel, @Cast("int64_t") long kernelSize, @Const FloatBuffer recurrentKernel,
                                              @Cast("int64_t") long recurrentKernelSize, FloatBuffer workspace, @Cast("int64_t") long workspaceSize,
                                              @Const FloatBuffer dDst, @Cast("int64_t") long dDstSize, FloatBuffer dSrc, @Cast("int64_t") long dSrcSize,
                                              FloatBuffer dKernel, @Cast("int64_t") long dKernelSize, FloatBuffer dRecurrent,
                                              @Cast("int64_t") long dRecurrentSize, FloatBuffer dBias, @Cast("int64_t") long dBiasSize,
                                              FloatBuffer dInitialH, @Cast("int64_t") long dInitialHSize, FloatBuffer dInitialC,
                                              @Cast("int64_t") long dInitialCSize, @Const FloatBuffer dFinalH, @Cast("int64_t") long dFinalHSize,
                                              @Const FloatBuffer dFinalC, @Cast("int64_t") long dFinalCSize, int numThreads);
    public static native int nrt_nonzero_mask(@Cast("int64_t") long count, @Const FloatBuffer ids, @Cast("int64_t") long idsSize,
            FloatBuffer mask, @Cast("int64_t") long maskSize);
    public static native int nrt_embedding_forward(int vocabulary, int dim, @Cast("int64_t") long count,
                                                   @Const FloatBuffer ids, @Cast("int64_t") long idsSize,
                                                   @Const FloatBuffer table, @Cast("int64_t") long tableSize,
                                                   FloatBuffer dst, @Cast("int64_t") long dstSize, int numThreads);
    // Rows are int32 ids in a tensor's 32-bit slots, handed over as its (float) buffer, as ids are.
    public static native int nrt_embedding_backward(int vocabulary, int dim, @Cast("int64_t") long count, @Const FloatBuffer ids, @Cast("int64_t") long idsSize,
                                                    @Const FloatBuffer mask, @Cast("int64_t") long maskSize, @Const FloatBuffer dDst, @Cast("int64_t") long dDstSize,
                                                    @Cast("int32_t*") FloatBuffer rows, @Cast("int64_t") long rowsSize,
                                                    FloatBuffer dRows, @Cast("int64_t") long dRowsSize,
                                                    @Cast("int64_t*") LongBuffer rowCount, int numThreads);
    // The int32-id forms: the ids live in a tensor's 32-bit slots, handed over as its (float) buffer.
    public static native int nrt_nonzero_mask_i32(@Cast("int64_t") long count, @Cast("const int32_t*") FloatBuffer ids,
            @Cast("int64_t") long idsSize, FloatBuffer mask, @Cast("int64_t") long maskSize);
    public static native int nrt_embedding_forward_i32(int vocabulary, int dim, @Cast("int64_t") long count,
                                                       @Cast("const int32_t*") FloatBuffer ids, @Cast("int64_t") long idsSize,
                                                       @Const FloatBuffer table, @Cast("int64_t") long tableSize,
                                                       FloatBuffer dst, @Cast("int64_t") long dstSize, int numThreads);
    public static native int nrt_embedding_backward_i32(int vocabulary, int dim, @Cast("int64_t") long count,
                                                        @Cast("const int32_t*") FloatBuffer ids, @Cast("int64_t") long idsSize,
                                                        @Const FloatBuffer mask, @Cast("int64_t") long maskSize,
                                                        @Const FloatBuffer dDst, @Cast("int64_t") long dDstSize,
                                                        @Cast("int32_t*") FloatBuffer rows, @Cast("int64_t") long rowsSize,
                                                        FloatBuffer dRows, @Cast("int64_t") long dRowsSize,
                                                        @Cast("int64_t*") LongBuffer rowCount, int numThreads);
    public static native int nrt_dropout_mask(@Cast("int64_t") long size, float rate, @Cast("uint64_t") long seed,
                                              FloatBuffer mask, @Cast("int64_t") long maskSize, int numThreads);
    public static native int nrt_loss(int loss, int input, @Cast("int64_t") long rows, int cols,
                                      @Const FloatBuffer output, @Cast("int64_t") long outputSize,
                                      @Const FloatBuffer target, @Cast("int64_t") long targetSize,
                                      @Const FloatBuffer rowWeights, @Cast("int64_t") long rowWeightsSize,
                                      FloatBuffer dOutput, @Cast("int64_t") long dOutputSize, FloatBuffer lossValue, int numThreads);
    public static native int nrt_optimizer_update(@Const OptimizerStepDesc step, @Cast("int64_t") long size,
                                                  FloatBuffer value, @Cast("int64_t") long valueSize,
                                                  @Const FloatBuffer gradient, @Cast("int64_t") long gradientSize,
                                                  FloatBuffer slot0, @Cast("int64_t") long slot0Size,
                                                  FloatBuffer slot1, @Cast("int64_t") long slot1Size,
                                                  FloatBuffer slot2, @Cast("int64_t") long slot2Size, int numThreads);
    public static native int nrt_optimizer_update_rows(@Const OptimizerStepDesc step, @Cast("int64_t") long totalRows, int dim,
                                                       FloatBuffer value, @Cast("int64_t") long valueSize,
                                                       @Cast("const int32_t*") FloatBuffer rows, @Cast("int64_t") long rowCount,
                                                       @Const FloatBuffer dRows, @Cast("int64_t") long dRowsSize,
                                                       FloatBuffer slot0, @Cast("int64_t") long slot0Size,
                                                       FloatBuffer slot1, @Cast("int64_t") long slot1Size,
                                                       FloatBuffer slot2, @Cast("int64_t") long slot2Size, int numThreads);
    public static native int nrt_sum_of_squares(@Cast("int64_t") long size, @Const FloatBuffer x, @Cast("int64_t") long xSize,
                                                DoubleBuffer sum, int numThreads);
    public static native int nrt_binary_forward(int op, @Cast("int64_t") long size, @Const FloatBuffer a, @Cast("int64_t") long aSize,
                                             @Const FloatBuffer b, @Cast("int64_t") long bSize,
                                             FloatBuffer dst, @Cast("int64_t") long dstSize, int numThreads);
}

package org.neurite.backend;

import static org.neurite.backend.NativeBackend.buffer;
import static org.neurite.backend.NativeBackend.check;
import static org.neurite.backend.NativeBackend.code;
import static org.neurite.backend.NativeBackend.optional;
import static org.neurite.backend.NativeBackend.size;

import org.neurite.Tensor;
import org.neurite.bindings.NeuriteNative;
import org.neurite.bindings.NeuriteNative.DenseDesc;
import org.neurite.bindings.NeuriteNative.RnnDesc;

/** A recurrent layer over {@code nrt_rnn_*}: the descriptor and both packed kernels, allocated once. */
final class NativeRnn implements RnnOp {
    private final RnnGeometry g;
    private final RnnDesc desc;
    private final DenseDesc projection;
    private final Tensor packedKernel, packedRecurrent;

    NativeRnn(RnnGeometry g) {
        this.g = g;
        desc = new RnnDesc().cell(code(g.cell())).inputSize(g.inputSize()).units(g.units())
                .activation(code(g.activation())).recurrentActivation(code(g.recurrentActivation()))
                .resetAfter(g.resetAfter() ? 1 : 0).goBackwards(g.goBackwards() ? 1 : 0)
                .returnSequences(g.returnSequences() ? 1 : 0).reverseOutput(g.reverseOutput() ? 1 : 0)
                .outputStride(g.outputStride()).zeroOutputForMask(g.zeroOutputForMask() ? 1 : 0).alpha(g.alpha());
        projection = new DenseDesc().inFeatures(g.inputSize()).outFeatures(g.gatedUnits())
                .activation(NeuriteNative.NRT_ACT_NONE);
        packedKernel = NativeBackend.packedBuffer(NeuriteNative.nrt_rnn_packed_kernel_size(desc));
        packedRecurrent = NativeBackend.packedBuffer(NeuriteNative.nrt_rnn_packed_recurrent_size(desc));
    }

    @Override
    public RnnGeometry geometry() {
        return g;
    }

    @Override
    public void setKernels(Tensor kernel, Tensor recurrentKernel) {
        check("rnn weight packing", NeuriteNative.nrt_rnn_pack_weights(desc, buffer(kernel), kernel.size(),
                buffer(recurrentKernel), recurrentKernel.size(), buffer(packedKernel), packedKernel.size(),
                buffer(packedRecurrent), packedRecurrent.size()));
    }

    @Override
    public void project(Tensor input, Tensor inputBias, Tensor output, int threads) {
        NativeDense.forward(projection, input, packedKernel, inputBias, output, threads);
    }

    @Override
    public void forward(Tensor input, boolean projected, Tensor mask, Tensor bias, Tensor initialH, Tensor initialC,
                        Tensor output, int outputOffset, Tensor finalH, Tensor finalC, int threads) {
        checkOffset(output, outputOffset);
        Tensor kernel = projected ? null : packedKernel;
        check("rnn", NeuriteNative.nrt_rnn_forward(desc, input.dim(0), input.dim(1), buffer(input), input.size(),
                optional(mask), size(mask), optional(kernel), size(kernel), buffer(packedRecurrent),
                packedRecurrent.size(), optional(bias), size(bias), optional(initialH), size(initialH),
                optional(initialC), size(initialC), at(output, outputOffset), output.size() - outputOffset,
                optional(finalH), size(finalH), optional(finalC), size(finalC), threads));
    }

    @Override
    public long workspaceSize(int batch, int steps) {
        return NeuriteNative.nrt_rnn_workspace_size(desc, batch, steps);
    }

    @Override
    public void forwardTraining(Tensor input, Tensor mask, Tensor bias, Tensor initialH, Tensor initialC, Tensor output,
                                int outputOffset, Tensor workspace, Tensor finalH, Tensor finalC, int threads) {
        checkOffset(output, outputOffset);
        check("rnn training", NeuriteNative.nrt_rnn_forward_training(desc, input.dim(0), input.dim(1), buffer(input),
                input.size(), optional(mask), size(mask), buffer(packedKernel), packedKernel.size(),
                buffer(packedRecurrent), packedRecurrent.size(), optional(bias), size(bias), optional(initialH),
                size(initialH), optional(initialC), size(initialC), at(output, outputOffset), output.size() - outputOffset,
                buffer(workspace), workspace.size(), optional(finalH), size(finalH), optional(finalC), size(finalC), threads));
    }

    @Override
    public void backward(Tensor kernel, Tensor recurrentKernel, Tensor input, Tensor mask, Tensor workspace,
                         Tensor dOutput, int outputOffset, Tensor dInput, Tensor dKernel, Tensor dRecurrent, Tensor dBias,
                         Tensor dInitialH, Tensor dInitialC, Tensor dFinalH, Tensor dFinalC, int threads) {
        checkOffset(dOutput, outputOffset);
        check("rnn backward", NeuriteNative.nrt_rnn_backward(desc, input.dim(0), input.dim(1), buffer(input),
                input.size(), optional(mask), size(mask), buffer(kernel), kernel.size(), buffer(recurrentKernel),
                recurrentKernel.size(), buffer(workspace), workspace.size(), at(dOutput, outputOffset),
                dOutput.size() - outputOffset, optional(dInput), size(dInput), buffer(dKernel), dKernel.size(),
                buffer(dRecurrent), dRecurrent.size(), optional(dBias), size(dBias), optional(dInitialH), size(dInitialH),
                optional(dInitialC), size(dInitialC), optional(dFinalH), size(dFinalH), optional(dFinalC), size(dFinalC), threads));
    }

    // The storage from `offset` floats on: the shared buffer itself at 0, else a positioned copy of it.
    private static java.nio.FloatBuffer at(Tensor t, int offset) {
        return offset == 0 ? buffer(t) : buffer(t).duplicate().position(offset);
    }

    private static void checkOffset(Tensor t, int offset) {
        if (offset < 0 || offset > t.size()) throw new IllegalArgumentException("rnn: offset " + offset + " outside " + t);
    }

    @Override
    public void close() {
        packedKernel.close();
        packedRecurrent.close();
        desc.close();
        projection.close();
    }
}

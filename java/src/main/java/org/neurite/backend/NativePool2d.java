package org.neurite.backend;

import static org.neurite.backend.NativeBackend.buffer;
import static org.neurite.backend.NativeBackend.check;
import static org.neurite.backend.NativeBackend.optional;
import static org.neurite.backend.NativeBackend.size;

import org.neurite.Tensor;
import org.neurite.bindings.NeuriteNative;
import org.neurite.bindings.NeuriteNative.Pool2dDesc;

/** Pooling over {@code nrt_pool2d_*}. */
final class NativePool2d implements PoolOp {
    private final PoolGeometry g;
    private final Pool2dDesc desc;

    NativePool2d(PoolGeometry g) {
        this.g = g;
        desc = new Pool2dDesc().inH(g.inH()).inW(g.inW()).channels(g.channels()).outH(g.outH()).outW(g.outW())
                .poolH(g.poolH()).poolW(g.poolW()).strideH(g.strideH()).strideW(g.strideW()).padTop(g.padTop())
                .padLeft(g.padLeft()).kind(g.max() ? NeuriteNative.NRT_POOL_MAX : NeuriteNative.NRT_POOL_AVG);
    }

    @Override
    public PoolGeometry geometry() {
        return g;
    }

    @Override
    public void forward(Tensor input, Tensor output, int threads) {
        check("pool2d", NeuriteNative.nrt_pool2d_forward(desc, input.dim(0), buffer(input), input.size(), buffer(output),
                output.size(), threads));
    }

    @Override
    public long workspaceSize(int batch) {
        return NeuriteNative.nrt_pool2d_workspace_size(desc, batch);
    }

    @Override
    public void forwardTraining(Tensor input, Tensor output, Tensor workspace, int threads) {
        check("pool2d", NeuriteNative.nrt_pool2d_forward_training(desc, input.dim(0), buffer(input), input.size(),
                buffer(output), output.size(), optional(workspace), size(workspace), threads));
    }

    @Override
    public void backward(Tensor dOutput, Tensor workspace, Tensor reluOutput, Tensor dInput, int threads) {
        check("pool2d backward", NeuriteNative.nrt_pool2d_backward(desc, dOutput.dim(0), buffer(dOutput), dOutput.size(),
                optional(workspace), size(workspace), optional(reluOutput), size(reluOutput), buffer(dInput), dInput.size(),
                threads));
    }

    @Override
    public void close() {
        desc.close();
    }
}

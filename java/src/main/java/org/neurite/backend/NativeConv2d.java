package org.neurite.backend;

import static org.neurite.backend.NativeBackend.buffer;
import static org.neurite.backend.NativeBackend.check;
import static org.neurite.backend.NativeBackend.code;
import static org.neurite.backend.NativeBackend.optional;
import static org.neurite.backend.NativeBackend.size;

import org.neurite.Tensor;
import org.neurite.bindings.NeuriteNative;
import org.neurite.bindings.NeuriteNative.Conv2dDesc;

/** A convolution over {@code nrt_conv2d_*}: the descriptor and the packed kernel, allocated once. */
final class NativeConv2d implements ConvOp {
    private final ConvGeometry g;
    private final Conv2dDesc desc;
    private final Tensor packed;

    NativeConv2d(ConvGeometry g) {
        this.g = g;
        desc = new Conv2dDesc().inH(g.inH()).inW(g.inW()).inC(g.inC()).outH(g.outH()).outW(g.outW()).outC(g.outC())
                .kernelH(g.kernelH()).kernelW(g.kernelW()).strideH(g.strideH()).strideW(g.strideW())
                .dilationH(g.dilationH()).dilationW(g.dilationW()).padTop(g.padTop()).padLeft(g.padLeft())
                .groups(g.groups()).activation(code(g.activation())).alpha(g.alpha());
        packed = NativeBackend.packedBuffer(NeuriteNative.nrt_conv2d_packed_size(desc));
    }

    @Override
    public ConvGeometry geometry() {
        return g;
    }

    @Override
    public void setKernel(Tensor hwio) {
        check("conv2d weight packing", NeuriteNative.nrt_conv2d_pack_weights(desc, buffer(hwio), hwio.size(),
                buffer(packed), packed.size()));
    }

    @Override
    public void forward(Tensor input, Tensor bias, Tensor output, int threads) {
        check("conv2d", NeuriteNative.nrt_conv2d_forward(desc, input.dim(0), buffer(input), input.size(), buffer(packed),
                packed.size(), optional(bias), size(bias), buffer(output), output.size(),
                threads));
    }

    @Override
    public void backwardData(Tensor kernel, Tensor dPre, Tensor dInput, int threads) {
        check("conv2d backward", NeuriteNative.nrt_conv2d_backward_data(desc, dPre.dim(0), buffer(kernel), kernel.size(),
                buffer(dPre), dPre.size(), buffer(dInput), dInput.size(), threads));
    }

    @Override
    public void backwardWeights(Tensor input, Tensor dPre, Tensor dKernel, Tensor dBias, int threads) {
        check("conv2d backward", NeuriteNative.nrt_conv2d_backward_weights(desc, input.dim(0), buffer(input), input.size(),
                buffer(dPre), dPre.size(), buffer(dKernel), dKernel.size(), optional(dBias), size(dBias), threads));
    }

    @Override
    public void close() {
        packed.close();
        desc.close();
    }
}

package org.neurite.backend;

import static org.neurite.backend.NativeBackend.buffer;
import static org.neurite.backend.NativeBackend.check;
import static org.neurite.backend.NativeBackend.code;
import static org.neurite.backend.NativeBackend.optional;
import static org.neurite.backend.NativeBackend.size;

import org.neurite.Tensor;
import org.neurite.bindings.NeuriteNative;
import org.neurite.bindings.NeuriteNative.DenseDesc;

/** A fully connected layer over {@code nrt_dense_*}: the descriptor and the packed kernel, allocated once. */
final class NativeDense implements DenseOp {
    private final DenseGeometry g;
    private final DenseDesc desc;
    private final Tensor packed;

    NativeDense(DenseGeometry g) {
        this.g = g;
        desc = new DenseDesc().inFeatures(g.in()).outFeatures(g.out()).activation(code(g.activation())).alpha(g.alpha());
        packed = NativeBackend.packedBuffer(NeuriteNative.nrt_dense_packed_size(desc));
    }

    @Override
    public DenseGeometry geometry() {
        return g;
    }

    @Override
    public void setKernel(Tensor kernel) {
        check("dense weight packing", NeuriteNative.nrt_dense_pack_weights(desc, buffer(kernel), kernel.size(),
                buffer(packed), packed.size()));
    }

    @Override
    public void forward(Tensor input, Tensor bias, Tensor output, int threads) {
        forward(desc, input, packed, bias, output, threads);
    }

    /** Also serves the input projection of {@link NativeRnn}, whose packed kernel has the dense layout. */
    static void forward(DenseDesc desc, Tensor input, Tensor packed, Tensor bias, Tensor output, int threads) {
        check("dense", NeuriteNative.nrt_dense_forward(desc, input.dim(0), buffer(input), input.size(), buffer(packed),
                packed.size(), optional(bias), size(bias), buffer(output), output.size(),
                threads));
    }

    @Override
    public void backwardData(Tensor kernel, Tensor dPre, Tensor dInput, int threads) {
        check("dense backward", NeuriteNative.nrt_dense_backward_data(desc, dPre.dim(0), buffer(kernel), kernel.size(),
                buffer(dPre), dPre.size(), buffer(dInput), dInput.size(), threads));
    }

    @Override
    public void backwardWeights(Tensor input, Tensor dPre, Tensor dKernel, Tensor dBias, int threads) {
        check("dense backward", NeuriteNative.nrt_dense_backward_weights(desc, input.dim(0), buffer(input), input.size(),
                buffer(dPre), dPre.size(), buffer(dKernel), dKernel.size(), optional(dBias), size(dBias), threads));
    }

    @Override
    public void close() {
        packed.close();
        desc.close();
    }
}

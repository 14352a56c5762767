package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.neurite.Activation;
import org.neurite.backend.Backend;
import org.neurite.backend.Backends;
import org.neurite.backend.PoolGeometry;
import org.neurite.backend.RnnGeometry;
import org.neurite.bindings.NeuriteNative;

/**
 * The sizes the Java side works out for itself agree with the native library's size
 * functions: Keras' recurrent bias that the layers allocate, and the training workspaces,
 * which the Java backend lays out as the native one does (rnn_workspace.h). The native
 * checks only require "at least", so a Java size that is too large would pass unnoticed.
 */
class SizeAgreementTest {
    @Test
    void recurrentBiasAndWorkspaceSizesAgree() {
        Backend java = Backends.java(), nativeBackend = Backends.nativeBackend();
        for (RnnGeometry.Cell cell : RnnGeometry.Cell.values()) {
            for (boolean resetAfter : new boolean[] {false, true}) {
                for (int units : new int[] {1, 7, 64}) {
                    RnnGeometry g = new RnnGeometry(cell, 5, units, Activation.TANH, Activation.SIGMOID, resetAfter, false,
                            true, false, units, false, Activation.DEFAULT_LEAKY_ALPHA);
                    String context = cell + " resetAfter " + resetAfter + ", " + units + " units";
                    var desc = new NeuriteNative.RnnDesc().cell(cell == RnnGeometry.Cell.SIMPLE ? NeuriteNative.NRT_CELL_SIMPLE
                                    : cell == RnnGeometry.Cell.LSTM ? NeuriteNative.NRT_CELL_LSTM : NeuriteNative.NRT_CELL_GRU)
                            .inputSize(5).units(units).activation(NeuriteNative.NRT_ACT_TANH)
                            .recurrentActivation(NeuriteNative.NRT_ACT_SIGMOID).resetAfter(resetAfter ? 1 : 0)
                            .returnSequences(1).outputStride(units);
                    assertEquals(NeuriteNative.nrt_rnn_bias_size(desc), g.biasSize(), context + ": bias");
                    assertEquals(nativeBackend.rnn(g).workspaceSize(3, 11), java.rnn(g).workspaceSize(3, 11), context + ": workspace");
                }
            }
        }
    }

    @Test
    void maxPoolingWorkspaceSizesAgree() {
        Backend java = Backends.java(), nativeBackend = Backends.nativeBackend();
        for (boolean max : new boolean[] {false, true}) {
            PoolGeometry g = new PoolGeometry(7, 6, 5, 4, 3, 2, 2, 2, 2, 1, 0, max);
            assertEquals(nativeBackend.pool(g).workspaceSize(3), java.pool(g).workspaceSize(3), (max ? "max" : "average") + " pooling");
        }
    }
}

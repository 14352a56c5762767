package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.neurite.Activation;
import org.neurite.Padding;
import org.neurite.Sequential;
import org.neurite.layers.Bidirectional;
import org.neurite.layers.Conv1D;
import org.neurite.layers.Conv2D;
import org.neurite.layers.Dense;
import org.neurite.layers.DepthwiseConv2D;
import org.neurite.layers.GRU;
import org.neurite.layers.LSTM;
import org.neurite.layers.LayerConfig;
import org.neurite.layers.SimpleRNN;

/** Setters keep the layer's own type, so that any order of them compiles, as Keras' keyword arguments allow. */
class FluentApiTest {
    @Test
    void settersChainIntoTheSubclassesOwn() {
        GRU gru = new GRU(4).returnSequences(true).goBackwards(true).resetAfter(false);
        LSTM lstm = new LSTM(3).useBias(true).returnSequences(true).activation(Activation.TANH).unitForgetBias(false);
        SimpleRNN rnn = new SimpleRNN(2).recurrentActivation(Activation.SIGMOID).returnSequences(true);
        Dense dense = new Dense(5).useBias(false).activation(Activation.RELU).alpha(0.1f);
        Conv2D conv = new Conv2D(8, 3).strides(2).padding(Padding.SAME).useBias(false).dilation(1);
        Conv1D conv1d = new Conv1D(4, 3).padding(Padding.CAUSAL).activation(Activation.GELU);
        DepthwiseConv2D depthwise = new DepthwiseConv2D(3).padding(Padding.SAME).activation(Activation.RELU6);
        try (Sequential model = new Sequential(6, 6, 3).add(conv).add(depthwise).add(dense).backend(Variant.JAVA.activate()).build()) {
            assertArrayEquals(new int[] {3, 3, 5}, model.outputShape());
            assertEquals(8 * 3 * 3 * 3, conv.parameterCount(), "no bias");
        }
        try (Sequential model = new Sequential(7, 2).add(conv1d).add(gru).add(lstm).add(rnn).backend(Variant.JAVA.activate()).build()) {
            assertArrayEquals(new int[] {7, 2}, model.outputShape());
        }
    }

    /** Keras copies the layer it wraps: building a Bidirectional leaves the wrapped one unbuilt and as configured, free to use elsewhere. */
    @Test
    void bidirectionalLeavesTheWrappedLayerAsItWas() {
        LSTM lstm = new LSTM(3).returnSequences(true);
        String before = LayerConfig.of(lstm).toString();
        try (Sequential model = new Sequential(4, 2).add(new Bidirectional(lstm, Bidirectional.Merge.SUM))
                .backend(Variant.JAVA.activate()).build()) {
            assertArrayEquals(new int[] {4, 3}, model.outputShape());
            assertFalse(lstm.isBuilt(), "the wrapped layer itself is not built");
            assertEquals(before, LayerConfig.of(lstm).toString(), "the wrapped layer's configuration");
        }
        try (Sequential alone = new Sequential(4, 2).add(lstm).backend(Variant.JAVA.activate()).build()) {
            assertArrayEquals(new int[] {4, 3}, alone.outputShape(), "the same layer builds on its own");
        }
    }
}

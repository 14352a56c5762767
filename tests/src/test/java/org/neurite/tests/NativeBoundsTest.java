package org.neurite.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.neurite.Tensor;
import org.neurite.backend.Backends;
import org.neurite.backend.NativeBackend;
import org.neurite.bindings.NeuriteNative;

/**
 * Whatever a caller passes, the native code must not write outside the buffers it is given:
 * random (often inconsistent) descriptors and sizes, each output buffer between two guard
 * zones of sentinels that must survive every call, on every ISA.
 */
class NativeBoundsTest {
    private static final float SENTINEL = -12345.678f;
    private static final int GUARD = 64;

    /** {@code claimed} floats that the native code is given, between two guard zones of sentinels. */
    private record Guarded(Tensor whole, int claimed) implements AutoCloseable {
        /** The claimed floats alone (a view past the leading guard). */
        FloatBuffer buffer() {
            return whole.buffer().position(GUARD).slice();
        }

        @Override
        public void close() {
            whole.close();
        }
    }

    private static Guarded guarded(int claimed) {
        Tensor t = Tensor.direct(GUARD + claimed + GUARD);
        FloatBuffer b = t.buffer();
        for (int i = 0; i < GUARD; i++) {
            b.put(i, SENTINEL);
            b.put(GUARD + claimed + i, SENTINEL);
        }
        return new Guarded(t, claimed);
    }

    private static void assertGuardIntact(Guarded t, String context) {
        FloatBuffer b = t.whole().buffer();
        int claimed = t.claimed();
        for (int i = 0; i < GUARD; i++) {
            assertEquals(SENTINEL, b.get(GUARD - 1 - i), context + ": wrote before the start of its output, at " + (-1 - i));
            assertEquals(SENTINEL, b.get(GUARD + claimed + i), context + ": wrote past the end of its output, at " + i);
        }
    }

    /** Each trial on the next ISA level, so that every kernel tier meets the random shapes. */
    private static void rotateIsa(int trial) {
        NativeBackend.maxIsa(NativeBackend.Isa.values()[trial % NativeBackend.Isa.values().length]);
    }

    private static int small(Random r, int max) {
        return 1 + r.nextInt(max);
    }

    @Test
    void randomConvolutionsStayInBounds() {
        Backends.nativeBackend();
        Random r = new Random(11);
        int ran = 0;
        for (int trial = 0; trial < 1500; trial++) {
            rotateIsa(trial);
            int groups = small(r, 3), inC = groups * small(r, 5), outC = groups * small(r, 20);
            if (r.nextInt(4) == 0) groups = inC; // depthwise
            if (r.nextInt(8) == 0) inC += 1;     // groups that do not divide
            int kh = small(r, 4), kw = small(r, 4), dh = small(r, 2), dw = small(r, 2);
            var d = new NeuriteNative.Conv2dDesc().inH(small(r, 9)).inW(small(r, 9)).inC(inC).outH(small(r, 9))
                    .outW(small(r, 9)).outC(outC).kernelH(kh).kernelW(kw).strideH(small(r, 3)).strideW(small(r, 3))
                    .dilationH(dh).dilationW(dw).padTop(r.nextInt(kh * dh + 1)).padLeft(r.nextInt(kw * dw + 1))
                    .groups(groups).activation(r.nextInt(7)).alpha(0.1f);
            long packedSize = NeuriteNative.nrt_conv2d_packed_size(d);
            int batch = small(r, 3);
            int src = r.nextInt(3000), dst = r.nextInt(3000), bias = r.nextInt(40);
            int packedClaim = packedSize < 0 ? r.nextInt(500) : (int) packedSize - (r.nextInt(6) == 0 ? 1 : 0);
            try (Guarded x = guarded(src); Guarded w = guarded(Math.max(packedClaim, 0)); Guarded b = guarded(bias);
                 Guarded y = guarded(dst)) {
                int status = NeuriteNative.nrt_conv2d_forward(d, batch, x.buffer(), src, w.buffer(), packedClaim,
                        b.buffer(), bias, y.buffer(), dst, 2);
                assertTrue(status >= 0 && status <= 3, "status " + status);
                if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(y, "conv2d trial " + trial);
            }
        }
        assertTrue(ran > 50, "only " + ran + " of the random convolutions were valid: the test proves little");
    }

    @Test
    void randomPoolingAndDenseStayInBounds() {
        Backends.nativeBackend();
        Random r = new Random(12);
        int ran = 0;
        for (int trial = 0; trial < 1500; trial++) {
            rotateIsa(trial);
            int ph = small(r, 3), pw = small(r, 3);
            var pool = new NeuriteNative.Pool2dDesc().inH(small(r, 8)).inW(small(r, 8)).channels(small(r, 20))
                    .outH(small(r, 8)).outW(small(r, 8)).poolH(ph).poolW(pw).strideH(small(r, 3)).strideW(small(r, 3))
                    .padTop(r.nextInt(ph)).padLeft(r.nextInt(pw)).kind(r.nextInt(2));
            int src = r.nextInt(2000), dst = r.nextInt(2000);
            try (Guarded x = guarded(src); Guarded y = guarded(dst)) {
                int status = NeuriteNative.nrt_pool2d_forward(pool, small(r, 3), x.buffer(), src, y.buffer(), dst, 2);
                if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(y, "pool2d trial " + trial);
            }
            var dense = new NeuriteNative.DenseDesc().inFeatures(small(r, 40)).outFeatures(small(r, 40))
                    .activation(r.nextInt(7)).alpha(0.1f);
            long packedSize = NeuriteNative.nrt_dense_packed_size(dense);
            int in = r.nextInt(600), out = r.nextInt(600), packed = (int) packedSize - r.nextInt(2);
            try (Guarded x = guarded(in); Guarded w = guarded(packed); Guarded y = guarded(out)) {
                int status = NeuriteNative.nrt_dense_forward(dense, small(r, 9), x.buffer(), in, w.buffer(), packed,
                        null, 0, y.buffer(), out, 2);
                if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(y, "dense trial " + trial);
            }
        }
        assertTrue(ran > 100, "only " + ran + " random pooling/dense calls were valid: the test proves little");
    }

    /** The training calls, with random sizes and, for pooling's backward, a workspace of garbage (NaN, huge, negative cells). */
    @Test
    void randomBackwardCallsStayInBounds() {
        Backends.nativeBackend();
        Random r = new Random(13);
        int ran = 0;
        for (int trial = 0; trial < 1500; trial++) {
            rotateIsa(trial);
            int groups = small(r, 3), inC = groups * small(r, 4), outC = groups * small(r, 6);
            if (r.nextInt(4) == 0) groups = inC;
            int kh = small(r, 3), kw = small(r, 3), dh = small(r, 2), dw = small(r, 2);
            var conv = new NeuriteNative.Conv2dDesc().inH(small(r, 7)).inW(small(r, 7)).inC(inC).outH(small(r, 7))
                    .outW(small(r, 7)).outC(outC).kernelH(kh).kernelW(kw).strideH(small(r, 3)).strideW(small(r, 3))
                    .dilationH(dh).dilationW(dw).padTop(r.nextInt(kh * dh)).padLeft(r.nextInt(kw * dw))
                    .groups(groups).activation(r.nextInt(7)).alpha(0.1f);
            int batch = small(r, 3), src = r.nextInt(1500), dst = r.nextInt(1500), weights = r.nextInt(400);
            int bias = r.nextInt(20);
            try (Guarded x = guarded(src); Guarded dy = guarded(dst); Guarded w = guarded(weights); Guarded dx = guarded(src);
                 Guarded dWeights = guarded(weights); Guarded db = guarded(bias)) {
                int status = NeuriteNative.nrt_conv2d_backward_data(conv, batch, w.buffer(), weights, dy.buffer(), dst,
                        dx.buffer(), src, 2);
                if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(dx, "conv2d backward data trial " + trial);
                status = NeuriteNative.nrt_conv2d_backward_weights(conv, batch, x.buffer(), src, dy.buffer(), dst,
                        dWeights.buffer(), weights, db.buffer(), bias, 2);
                if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(dWeights, "conv2d backward weights trial " + trial);
                assertGuardIntact(db, "conv2d backward bias trial " + trial);
            }
            int ph = small(r, 3), pw = small(r, 3);
            var pool = new NeuriteNative.Pool2dDesc().inH(small(r, 8)).inW(small(r, 8)).channels(small(r, 10))
                    .outH(small(r, 8)).outW(small(r, 8)).poolH(ph).poolW(pw).strideH(small(r, 3)).strideW(small(r, 3))
                    .padTop(r.nextInt(ph)).padLeft(r.nextInt(pw)).kind(r.nextInt(2));
            int in = r.nextInt(1500), out = r.nextInt(1500), workspace = r.nextInt(1500);
            try (Guarded x = guarded(in); Guarded y = guarded(out); Guarded ws = guarded(workspace); Guarded dx = guarded(in)) {
                int status = NeuriteNative.nrt_pool2d_forward_training(pool, batch, x.buffer(), in, y.buffer(), out,
                        ws.buffer(), workspace, 2);
                if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(y, "pool2d training trial " + trial);
                assertGuardIntact(ws, "pool2d training workspace trial " + trial);
                float[] garbage = {Float.NaN, -1f, 1e9f, -1e9f, 3.5f, 0f, 1f, 8f, Float.POSITIVE_INFINITY};
                for (int i = 0; i < workspace; i++) ws.buffer().put(i, garbage[r.nextInt(garbage.length)]);
                boolean relu = r.nextBoolean(); // y as the ReLU output that max pooling folds in (refused for average)
                status = NeuriteNative.nrt_pool2d_backward(pool, batch, y.buffer(), out, ws.buffer(), workspace,
                        relu ? y.buffer() : null, relu ? out : 0, dx.buffer(), in, 2);
                if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(dx, "pool2d backward trial " + trial);
            }
        }
        assertTrue(ran > 300, "only " + ran + " random backward calls were valid: the test proves little");
    }

    /**
     * Recurrent training calls with random (often inconsistent) sizes, strides and masks; a
     * quarter with 30 to 79 units, where a batch of one tile splits its units over the threads.
     */
    @Test
    void randomRecurrentTrainingStaysInBounds() {
        Backends.nativeBackend();
        Random r = new Random(14);
        int ran = 0;
        for (int trial = 0; trial < 600; trial++) {
            rotateIsa(trial);
            int cell = r.nextInt(3), units = r.nextInt(4) == 0 ? 30 + r.nextInt(50) : small(r, 6);
            int in = small(r, 5), batch = small(r, 3), steps = small(r, 5);
            int gates = cell == 1 ? 4 : cell == 2 ? 3 : 1;
            boolean sequences = r.nextBoolean();
            int stride = units + r.nextInt(3);
            var d = new NeuriteNative.RnnDesc().cell(cell).inputSize(in).units(units).activation(4).recurrentActivation(3)
                    .resetAfter(r.nextInt(2)).goBackwards(r.nextInt(2)).returnSequences(sequences ? 1 : 0)
                    .reverseOutput(r.nextInt(2)).outputStride(stride).zeroOutputForMask(r.nextInt(2));
            int packedKernel = (int) NeuriteNative.nrt_rnn_packed_kernel_size(d);
            int packedRecurrent = (int) NeuriteNative.nrt_rnn_packed_recurrent_size(d);
            int workspace = (int) NeuriteNative.nrt_rnn_workspace_size(d, batch, steps) - (r.nextInt(5) == 0 ? 1 : 0);
            int reach = ((sequences ? batch * steps : batch) - 1) * stride + units;
            int src = batch * steps * in - (r.nextInt(5) == 0 ? 1 : 0), dst = r.nextBoolean() ? reach : r.nextInt(400);
            int kernel = in * gates * units, recurrent = units * gates * units, bias = (int) NeuriteNative.nrt_rnn_bias_size(d);
            int mask = r.nextInt(3) == 0 ? batch * steps : 0;
            int state = r.nextInt(3) == 0 ? 0 : batch * units - (r.nextInt(6) == 0 ? 1 : 0);
            int cellState = cell == 1 && r.nextBoolean() ? state : 0;
            try (Guarded x = guarded(src); Guarded m = guarded(mask); Guarded pk = guarded(packedKernel);
                 Guarded pr = guarded(packedRecurrent); Guarded b = guarded(bias); Guarded y = guarded(dst);
                 Guarded ws = guarded(Math.max(workspace, 0)); Guarded k = guarded(kernel); Guarded u = guarded(recurrent);
                 Guarded dx = guarded(src); Guarded dk = guarded(kernel); Guarded du = guarded(recurrent);
                 Guarded db = guarded(bias); Guarded h0 = guarded(Math.max(state, 0)); Guarded c0 = guarded(Math.max(cellState, 0));
                 Guarded dh0 = guarded(Math.max(state, 0)); Guarded dc0 = guarded(Math.max(cellState, 0));
                 Guarded hT = guarded(Math.max(state, 0)); Guarded cT = guarded(Math.max(cellState, 0))) {
                for (int i = 0; i < mask; i++) m.buffer().put(i, r.nextInt(2));
                int status = NeuriteNative.nrt_rnn_forward_training(d, batch, steps, x.buffer(), src,
                        mask == 0 ? null : m.buffer(), mask, pk.buffer(), packedKernel, pr.buffer(), packedRecurrent,
                        b.buffer(), bias, state == 0 ? null : h0.buffer(), state, cellState == 0 ? null : c0.buffer(),
                        cellState, y.buffer(), dst, ws.buffer(), workspace, state == 0 ? null : hT.buffer(), state,
                        cellState == 0 ? null : cT.buffer(), cellState, 2);
                if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(y, "rnn training trial " + trial);
                assertGuardIntact(hT, "rnn training final h trial " + trial);
                assertGuardIntact(cT, "rnn training final c trial " + trial);
                assertGuardIntact(ws, "rnn training workspace trial " + trial);
                status = NeuriteNative.nrt_rnn_backward(d, batch, steps, x.buffer(), src, mask == 0 ? null : m.buffer(),
                        mask, k.buffer(), kernel, u.buffer(), recurrent, ws.buffer(), workspace, y.buffer(), dst,
                        dx.buffer(), src, dk.buffer(), kernel, du.buffer(), recurrent, db.buffer(), bias,
                        state == 0 ? null : dh0.buffer(), state, cellState == 0 ? null : dc0.buffer(), cellState,
                        state == 0 ? null : hT.buffer(), state, cellState == 0 ? null : cT.buffer(), cellState, 2);
                if (status == NeuriteNative.NRT_OK) ran++;
                Guarded[] written = {ws, dx, dk, du, db, dh0, dc0};
                for (Guarded w : written) assertGuardIntact(w, "rnn backward trial " + trial);
            }
        }
        assertTrue(ran > 200, "only " + ran + " random recurrent training calls were valid: the test proves little");
    }

    /** Element-wise training calls (activation and softmax backward, dropout, cross-entropy) with random sizes and labels. */
    @Test
    void randomElementWiseTrainingCallsStayInBounds() {
        Backends.nativeBackend();
        Random r = new Random(15);
        int ran = 0;
        for (int trial = 0; trial < 1500; trial++) {
            rotateIsa(trial);
            int rows = small(r, 9), cols = small(r, 40), size = rows * cols;
            int claimed = r.nextInt(6) == 0 ? size - 1 : size, written = r.nextInt(size + 20);
            try (Guarded a = guarded(claimed); Guarded b = guarded(claimed); Guarded out = guarded(written);
                 Guarded labels = guarded(rows); Guarded loss = guarded(1)) {
                for (int i = 0; i < claimed; i++) a.buffer().put(i, r.nextFloat());
                for (int i = 0; i < rows; i++) labels.buffer().put(i, r.nextInt(8) == 0 ? cols + r.nextInt(3) : r.nextInt(cols));
                int[] statuses = {
                        NeuriteNative.nrt_activation_backward(r.nextInt(7), 0.1f, size, a.buffer(), claimed, a.buffer(), claimed,
                                b.buffer(), claimed, out.buffer(), written, 2),
                        NeuriteNative.nrt_softmax_backward(rows, cols, a.buffer(), claimed, b.buffer(), claimed, out.buffer(),
                                written, 2),
                        NeuriteNative.nrt_dropout_mask(size, r.nextFloat(), r.nextLong(), out.buffer(), written, 2),
                        NeuriteNative.nrt_loss(r.nextInt(4), r.nextInt(3), rows, cols, a.buffer(), claimed, r.nextBoolean()
                                ? labels.buffer() : b.buffer(), r.nextBoolean() ? rows : claimed, r.nextBoolean() ? null
                                : labels.buffer(), rows, out.buffer(), written, loss.buffer(), 2)};
                for (int status : statuses) if (status == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(out, "element-wise training trial " + trial);
                assertGuardIntact(loss, "cross-entropy loss trial " + trial);
            }
        }
        assertTrue(ran > 1000, "only " + ran + " random element-wise training calls were valid: the test proves little");
    }

    /** The masked mean (GlobalAvgPool1D given a mask), forward and backward, with random sizes and short claims. */
    @Test
    void randomMaskedMeansStayInBounds() {
        Backends.nativeBackend();
        Random r = new Random(16);
        int ran = 0;
        for (int trial = 0; trial < 600; trial++) {
            rotateIsa(trial);
            int batch = small(r, 5), steps = small(r, 7), channels = small(r, 9);
            int in = batch * steps * channels, masks = batch * steps, out = batch * channels;
            int inClaimed = r.nextInt(6) == 0 ? in - 1 : in, maskClaimed = r.nextInt(6) == 0 ? masks - 1 : masks;
            int outWritten = r.nextInt(6) == 0 ? out - 1 : out, inWritten = r.nextInt(6) == 0 ? in - 1 : in;
            try (Guarded x = guarded(inClaimed); Guarded mask = guarded(maskClaimed); Guarded y = guarded(outWritten);
                 Guarded dx = guarded(inWritten)) {
                for (int i = 0; i < maskClaimed; i++) mask.buffer().put(i, r.nextInt(3) == 0 ? 0f : 1f);
                if (NeuriteNative.nrt_masked_mean_forward(batch, steps, channels, x.buffer(), inClaimed, mask.buffer(), maskClaimed,
                        y.buffer(), outWritten, 2) == NeuriteNative.NRT_OK) ran++;
                if (NeuriteNative.nrt_masked_mean_backward(batch, steps, channels, mask.buffer(), maskClaimed, y.buffer(),
                        outWritten, dx.buffer(), inWritten, 2) == NeuriteNative.NRT_OK) ran++;
                assertGuardIntact(y, "masked mean trial " + trial);
                assertGuardIntact(dx, "masked mean backward trial " + trial);
            }
        }
        assertTrue(ran > 400, "only " + ran + " random masked means were valid: the test proves little");
    }

    /** The embedding's backward pass (sums per id as rows, masked positions skipped) with random ids, some out of range, and short claims. */
    @Test
    void randomEmbeddingGradientsStayInBounds() {
        Backends.nativeBackend();
        Random r = new Random(17);
        int ran = 0;
        LongBuffer rowCount = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
        for (int trial = 0; trial < 600; trial++) {
            rotateIsa(trial);
            int vocabulary = small(r, 12), dim = small(r, 40), count = small(r, 30);
            int ids = r.nextInt(6) == 0 ? count - 1 : count, masks = r.nextInt(3) == 0 ? 0 : r.nextInt(6) == 0 ? count - 1 : count;
            int gradients = count * dim - (r.nextInt(6) == 0 ? 1 : 0), rowRoom = count - (r.nextInt(6) == 0 ? 1 : 0);
            int rowGradients = count * dim - (r.nextInt(6) == 0 ? 1 : 0);
            try (Guarded id = guarded(ids); Guarded mask = guarded(masks); Guarded dy = guarded(gradients);
                 Guarded rows = guarded(rowRoom); Guarded dRows = guarded(rowGradients)) {
                for (int i = 0; i < ids; i++) id.buffer().put(i, r.nextInt(20) == 0 ? vocabulary + r.nextInt(3) : r.nextInt(vocabulary));
                for (int i = 0; i < masks; i++) mask.buffer().put(i, r.nextInt(2));
                if (NeuriteNative.nrt_embedding_backward(vocabulary, dim, count, id.buffer(), ids, masks == 0 ? null : mask.buffer(),
                        masks, dy.buffer(), gradients, rows.buffer(), rowRoom, dRows.buffer(), rowGradients, rowCount, 2)
                        == NeuriteNative.NRT_OK) {
                    ran++;
                    assertTrue(rowCount.get(0) >= 0 && rowCount.get(0) <= Math.min(count, vocabulary), "row count " + rowCount.get(0));
                }
                assertGuardIntact(rows, "embedding backward's rows, trial " + trial);
                assertGuardIntact(dRows, "embedding backward's row gradients, trial " + trial);
            }
        }
        assertTrue(ran > 100, "only " + ran + " random embedding gradients were valid: the test proves little");
    }

    /** Optimizer steps on row gradients: random rows (some unsorted, repeated or out of range), every optimizer, short claims. */
    @Test
    void randomRowOptimizerStepsStayInBounds() {
        Backends.nativeBackend();
        Random r = new Random(18);
        int ran = 0;
        for (int trial = 0; trial < 600; trial++) {
            rotateIsa(trial);
            int totalRows = small(r, 40), dim = small(r, 35), rowCount = r.nextInt(totalRows + 1);
            int[] rowIds = r.ints(0, totalRows).distinct().limit(rowCount).sorted().toArray();
            rowCount = rowIds.length;
            if (rowCount > 1 && r.nextInt(6) == 0) rowIds[r.nextInt(rowCount)] = rowIds[0]; // out of order or repeated
            if (rowCount > 0 && r.nextInt(8) == 0) rowIds[rowCount - 1] = totalRows + r.nextInt(3) - (r.nextInt(2) * (totalRows + 2));
            int size = totalRows * dim, valueClaim = size - (r.nextInt(6) == 0 ? 1 : 0);
            int rowClaim = rowCount * dim - (rowCount > 0 && r.nextInt(6) == 0 ? 1 : 0), slotClaim = size - (r.nextInt(8) == 0 ? 1 : 0);
            NeuriteNative.OptimizerStepDesc step = new NeuriteNative.OptimizerStepDesc().optimizer(r.nextInt(3))
                    .learningRate(0.1f).beta1(r.nextBoolean() ? 0f : 0.9f).beta2(r.nextBoolean() ? 0f : 0.99f).epsilon(1e-7f)
                    .decay(r.nextBoolean() ? 0f : 0.01f).gradientScale(1f).clipValue(0f).nesterov(0).centered(r.nextInt(2));
            try (Guarded value = guarded(valueClaim); Guarded rows = guarded(Math.max(rowCount, 1)); Guarded dRows = guarded(rowClaim);
                 Guarded slot0 = guarded(slotClaim); Guarded slot1 = guarded(slotClaim); Guarded slot2 = guarded(slotClaim)) {
                for (int k = 0; k < rowCount; k++) rows.buffer().put(k, Float.intBitsToFloat(rowIds[k]));
                if (NeuriteNative.nrt_optimizer_update_rows(step, totalRows, dim, value.buffer(), valueClaim, rows.buffer(), rowCount,
                        dRows.buffer(), rowClaim, slot0.buffer(), slotClaim, slot1.buffer(), slotClaim, slot2.buffer(), slotClaim, 2)
                        == NeuriteNative.NRT_OK) ran++;
                for (Guarded written : new Guarded[] {value, slot0, slot1, slot2}) assertGuardIntact(written, "row optimizer trial " + trial);
            }
        }
        assertTrue(ran > 100, "only " + ran + " random row optimizer steps were valid: the test proves little");
    }
}

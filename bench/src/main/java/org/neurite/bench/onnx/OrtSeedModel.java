package org.neurite.bench.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Map;
import org.neurite.Sequential;
import org.neurite.Tensor;

/**
 * A seed model on ONNX Runtime, as a benchmark peer: an {@link OrtSession} created in memory
 * from {@link OnnxSeedModels}' graph of a built Neurite model (same network, same weights),
 * and one input tensor over a direct buffer, allocated once. Before it is returned, its output
 * is checked against Neurite's for the same input, so a wrong graph never yields a timing.
 * The session runs on the given number of intra-op threads, one inter-op thread,
 * sequentially, with every graph optimisation.
 *
 * <pre>{@code
 * try (Sequential neurite = SeedModels.cnn().build();
 *      OrtSeedModel ort = OrtSeedModel.cnn(neurite, images, 32, 2)) {
 *     ort.run();
 * }
 * }</pre>
 */
public final class OrtSeedModel implements AutoCloseable {
    /** The largest difference from Neurite's output accepted. */
    public static final double TOLERANCE = 1e-4;

    private OrtSession.SessionOptions options;
    private OrtSession session;
    private OnnxTensor input;
    private Map<String, OnnxTensor> feed;
    private double maxAbsDifference;

    private OrtSeedModel() {}

    /** The seed CNN on {@code images} ({@code [batch, 28, 28, 1]}, NHWC as Neurite takes them). */
    public static OrtSeedModel cnn(Sequential neurite, float[] images, int batch, int threads) {
        byte[] onnx = OnnxSeedModels.cnn(neurite);
        long[] shape = batchShape(neurite, batch);
        FloatBuffer buffer = direct(images.length * Float.BYTES).asFloatBuffer().put(images).rewind();
        return open(neurite, onnx, OnnxSeedModels.CNN_INPUT, env -> OnnxTensor.createTensor(env, buffer, shape), images,
                shape, threads);
    }

    /** The seed RNN on word {@code ids} ({@code [batch, 100]}, floats as Neurite takes them), none of them 0. */
    public static OrtSeedModel rnn(Sequential neurite, float[] ids, int batch, int threads) {
        byte[] onnx = OnnxSeedModels.rnn(neurite);
        long[] shape = batchShape(neurite, batch);
        LongBuffer buffer = direct(ids.length * Long.BYTES).asLongBuffer();
        for (float id : ids) {
            if (id == 0) throw new IllegalArgumentException("OrtSeedModel.rnn: id 0 is padding, and the ONNX graph has no mask");
            buffer.put((long) id);
        }
        buffer.rewind();
        return open(neurite, onnx, OnnxSeedModels.RNN_INPUT, env -> OnnxTensor.createTensor(env, buffer, shape), ids, shape,
                threads);
    }

    /** One inference, the timed step; the result is released at once. */
    public void run() {
        try {
            session.run(feed).close();
        } catch (OrtException e) {
            throw failure(e);
        }
    }

    /** One inference, its output copied out. */
    public float[] predict() {
        try (OrtSession.Result result = session.run(feed)) {
            FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[output.remaining()];
            output.get(values);
            return values;
        } catch (OrtException e) {
            throw failure(e);
        }
    }

    /** The largest absolute difference from Neurite's output, measured when this model was opened. */
    public double maxAbsDifference() {
        return maxAbsDifference;
    }

    /**
     * Closes the input, the session and its options. The environment is the process's: ONNX
     * Runtime keeps it until the JVM exits, and its {@code close()} does nothing.
     */
    @Override
    public void close() {
        if (input != null) input.close();
        try {
            if (session != null) session.close();
        } catch (OrtException e) {
            throw failure(e);
        } finally {
            if (options != null) options.close();
        }
    }

    @FunctionalInterface
    private interface InputFactory {
        OnnxTensor create(OrtEnvironment env) throws OrtException;
    }

    private static OrtSeedModel open(Sequential neurite, byte[] onnx, String inputName, InputFactory inputFactory,
                                     float[] values, long[] shape, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSeedModel model = new OrtSeedModel();
        try {
            model.options = new OrtSession.SessionOptions();
            model.options.setIntraOpNumThreads(threads);
            model.options.setInterOpNumThreads(1);
            model.options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            model.options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            model.session = env.createSession(onnx, model.options);
            model.input = inputFactory.create(env);
            model.feed = Map.of(inputName, model.input);
            model.maxAbsDifference = model.checkAgainst(neurite, values, shape);
            return model;
        } catch (OrtException | RuntimeException e) {
            RuntimeException failure = e instanceof OrtException ortException ? failure(ortException) : (RuntimeException) e;
            try {
                model.close();
            } catch (RuntimeException secondary) {
                failure.addSuppressed(secondary);
            }
            throw failure;
        }
    }

    /** Runs both on the same input; throws unless they agree within {@link #TOLERANCE}. */
    private double checkAgainst(Sequential neurite, float[] values, long[] shape) {
        float[] expected;
        int[] intShape = Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
        try (Tensor x = neurite.backend().allocate(intShape).copyFrom(values); Tensor y = neurite.predict(x)) {
            expected = y.toArray();
        }
        float[] actual = predict();
        if (actual.length != expected.length) {
            throw new IllegalStateException("ONNX Runtime gave " + actual.length + " outputs, Neurite " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs((double) actual[i] - expected[i]));
        if (!(max <= TOLERANCE)) { // also refuses NaN
            throw new IllegalStateException(String.format("ONNX Runtime disagrees with Neurite on input %s: max |difference|"
                    + " %.3g > %.0e; the ONNX graph does not compute Neurite's network", Arrays.toString(shape), max, TOLERANCE));
        }
        return max;
    }

    private static long[] batchShape(Sequential neurite, int batch) {
        int[] sample = neurite.inputShape();
        long[] shape = new long[sample.length + 1];
        shape[0] = batch;
        for (int i = 0; i < sample.length; i++) shape[i + 1] = sample[i];
        return shape;
    }

    /** ONNX Runtime reads a direct buffer in native order in place, without a copy. */
    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    private static IllegalStateException failure(OrtException e) {
        return new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
    }
}

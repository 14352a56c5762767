package org.neurite.bench;

import java.util.concurrent.TimeUnit;
import org.neurite.Sequential;
import org.neurite.Tensor;
import org.openjdk.jmh.annotations.*;

/**
 * What every side-by-side benchmark shares: one timed step per invocation (Neurite, a peer
 * library or the Java fallback, as the subclass's {@code impl} parameter chose in its
 * setup), the thread count, and releasing what the setup allocated.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public abstract class PeerBenchmark {
    @Param("2")
    public int threads;

    private Runnable step;
    private AutoCloseable resources;

    /** Called by the subclass's setup: what to time, and what to close afterwards. */
    protected final void measure(Runnable step, AutoCloseable resources) {
        this.step = step;
        this.resources = resources;
    }

    /**
     * Times Neurite's training step on {@code model}: the training forward pass, then the
     * backward pass from {@code gradient} (all gradients, the input's included), or with
     * {@code backwardOnly} the backward pass alone after one forward pass here. Closes all three after.
     */
    protected final void measureTraining(Sequential model, Tensor input, Tensor gradient, boolean backwardOnly) {
        if (backwardOnly) model.forwardTraining(input, null);
        measure(() -> {
            if (!backwardOnly) model.forwardTraining(input, null);
            model.backward(gradient);
        }, () -> {
            model.close();
            input.close();
            gradient.close();
        });
    }

    @Benchmark
    public void run() {
        step.run();
    }

    @TearDown
    public void tearDown() throws Exception {
        resources.close();
    }
}

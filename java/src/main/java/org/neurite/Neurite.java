package org.neurite;

/** Library-wide facts. */
public final class Neurite {
    private Neurite() {}

    /**
     * Off-heap memory held by Neurite's tensors (inputs, outputs, weights, workspaces):
     * {@code inUseBytes} now and {@code peakBytes} since the JVM started. A model's steady
     * state holds it flat: a call allocates only its result, which closing gives back.
     */
    public record MemoryStats(long inUseBytes, long peakBytes) {}

    public static MemoryStats memoryStats() {
        long[] bytes = Tensor.offHeapBytes();
        return new MemoryStats(bytes[0], bytes[1]);
    }
}

package org.neurite.backend;

/**
 * One pooling problem over NHWC, batch excluded. Average pooling divides by the number of
 * cells inside the input (Keras). Global pooling is a window over the whole input.
 *
 * <pre>{@code
 * PoolGeometry g = new PoolGeometry(26, 26, 32, 13, 13, 2, 2, 2, 2, 0, 0, true);
 * }</pre>
 */
public record PoolGeometry(int inH, int inW, int channels, int outH, int outW, int poolH, int poolW, int strideH,
                           int strideW, int padTop, int padLeft, boolean max) {}

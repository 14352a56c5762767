package org.neurite.backend;

/**
 * Element-wise binary operations; the codes match {@code enum nrt_binary_op}.
 *
 * <pre>{@code
 * backend.binary(BinaryOp.ADD, a, b, sum, 0);
 * }</pre>
 */
public enum BinaryOp {
    ADD, MUL, AVERAGE
}

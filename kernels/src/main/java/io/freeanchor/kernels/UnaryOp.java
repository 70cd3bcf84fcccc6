package io.freeanchor.kernels;

/** Element-wise unary ops on FLOAT32. */
public enum UnaryOp {
    RELU, SIGMOID, FLOOR
}

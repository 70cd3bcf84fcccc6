package io.freeanchor.kernels;

/** Element-wise binary ops with NumPy broadcasting. On INT64, DIV truncates toward zero as ONNX does. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV
}

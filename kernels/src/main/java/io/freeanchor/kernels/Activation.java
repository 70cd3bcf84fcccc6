package io.freeanchor.kernels;

/** Epilogue applied by fused kernels after bias (and residual) add. */
public enum Activation {
    NONE, RELU
}

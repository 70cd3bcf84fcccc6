package io.freeanchor.kernels;

import java.util.List;

/**
 * Public entry to the shared argument validation, for backends outside this package (e.g. OpenCL),
 * so that every backend rejects the same calls with the same messages.
 */
public final class BackendChecks {
    private BackendChecks() {}

    public static void conv2d(Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y) {
        Checks.conv2d(p, x, w, bias, residual, y);
    }

    public static void batchNorm(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, Tensor y) {
        Checks.batchNorm(epsilon, x, scale, bias, mean, var, y);
    }

    public static void maxPool2d(Pool2dParams p, Tensor x, Tensor y) {
        Checks.maxPool2d(p, x, y);
    }

    public static void binary(BinaryOp op, Tensor a, Tensor b, Tensor y) {
        Checks.binary(op, a, b, y);
    }

    public static void unary(UnaryOp op, Tensor x, Tensor y) {
        Checks.unary(op, x, y);
    }

    public static void resizeNearest(ResizeParams p, Tensor x, Tensor y) {
        Checks.resizeNearest(p, x, y);
    }

    public static void transpose(int[] perm, Tensor x, Tensor y) {
        Checks.transpose(perm, x, y);
    }

    /** @return the normalized axis */
    public static int concat(int axis, List<Tensor> xs, Tensor y) {
        return Checks.concat(axis, xs, y);
    }

    public static void slice(int[] starts, int[] steps, Tensor x, Tensor y) {
        Checks.slice(starts, steps, x, y);
    }

    /** @return the normalized axis */
    public static int gather(int axis, Tensor x, Tensor indices, Tensor y) {
        return Checks.gather(axis, x, indices, y);
    }

    public static void cast(Tensor x, Tensor y) {
        Checks.cast(x, y);
    }

    public static void copy(Tensor x, Tensor y) {
        Checks.copy(x, y);
    }

    /** The input index that output index {@code out} of one axis reads in a nearest resize. */
    public static int nearestIndex(ResizeParams p, float scale, int out, int inSize, int outSize) {
        return ReferenceBackend.nearestIndex(p, scale, out, inSize, outSize);
    }
}

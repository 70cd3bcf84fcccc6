package io.freeanchor.kernels;

import java.util.Arrays;
import java.util.List;

/**
 * Argument validation shared by every backend, so that all of them reject the same calls with the
 * same messages. Each method throws {@link IllegalArgumentException} on a mismatch.
 */
final class Checks {
    private Checks() {}

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    static String s(int[] shape) {
        return Arrays.toString(shape);
    }

    static void notNull(Tensor t, String what, String op) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + what + " must not be null");
        }
    }

    static void float32(Tensor t, String what, String op) {
        notNull(t, what, op);
        require(t.dtype() == DType.FLOAT32, op + ": " + what + " must be FLOAT32, got " + t);
    }

    /** FLOAT32, or also FLOAT16 when {@code halfStorage} (a backend that stores activations as half). */
    private static void floating(Tensor t, String what, String op, boolean halfStorage) {
        notNull(t, what, op);
        require(t.dtype() == DType.FLOAT32 || halfStorage && t.dtype() == DType.FLOAT16,
                op + ": " + what + " must be FLOAT32" + (halfStorage ? " or FLOAT16" : "") + ", got " + t);
    }

    static void rank(Tensor t, int rank, String what, String op) {
        require(t.rank() == rank, op + ": " + what + " must have rank " + rank + ", got " + t);
    }

    static void sameShape(Tensor a, Tensor b, String what, String op) {
        require(Arrays.equals(a.shape(), b.shape()),
                op + ": " + what + " shape " + s(b.shape()) + " must equal " + s(a.shape()));
    }

    static void sameType(Tensor a, Tensor b, String op) {
        require(a.dtype() == b.dtype(), op + ": types differ: " + a + " and " + b);
    }

    /** Normalizes a possibly negative axis into [0, rank). */
    static int axis(int axis, int rank, String op) {
        int a = axis < 0 ? axis + rank : axis;
        require(a >= 0 && a < rank, op + ": axis " + axis + " out of range for rank " + rank);
        return a;
    }

    /** Validates conv2d arguments; returns nothing, the caller re-reads dims. */
    static void conv2d(Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y) {
        float32(w, "w", "conv2d");
        conv2dExceptWeightType(p, x, w, bias, residual, y);
    }

    /** {@link #conv2d} but for w's element type: w may be stored as FLOAT16 (only its shape is read). */
    static void conv2dExceptWeightType(Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y) {
        notNull(w, "w", "conv2d");
        rank(w, 4, "w", "conv2d");
        conv2d(p, x, w.shape(), bias, residual, y);
    }

    /** {@link #conv2d} for weights known only by their shape (prepared ones whose raw copy is gone). */
    static void conv2d(Conv2dParams p, Tensor x, int[] wShape, Tensor bias, Tensor residual, Tensor y) {
        conv2d(p, x, wShape, bias, residual, y, false);
    }

    /** {@link #conv2d} where x, y, bias and residual may be FLOAT16 as well when {@code halfStorage}. */
    static void conv2d(Conv2dParams p, Tensor x, int[] wShape, Tensor bias, Tensor residual, Tensor y, boolean halfStorage) {
        String op = "conv2d";
        require(p != null, op + ": params must not be null");
        floating(x, "x", op, halfStorage);
        floating(y, "y", op, halfStorage);
        rank(x, 4, "x", op);
        rank(y, 4, "y", op);
        require(wShape.length == 4, op + ": w must have rank 4, got " + s(wShape));
        String w = "FLOAT32" + s(wShape);
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int m = wShape[0], cg = wShape[1], kh = wShape[2], kw = wShape[3];
        int g = p.group();
        require(kh >= 1 && kw >= 1, op + ": empty kernel " + w);
        require((long) cg * g == c, op + ": w " + w + " with group " + g + " does not match x " + x
                + " (w.dim(1) * group must equal x.dim(1))");
        require(m % g == 0, op + ": output channels " + m + " not divisible by group " + g);
        int oh = p.outHeight(h, kh), ow = p.outWidth(wd, kw);
        require(oh >= 1 && ow >= 1, op + ": output would be empty (" + oh + "x" + ow + ") for x " + x
                + ", w " + w + ", " + p);
        int[] expected = {n, m, oh, ow};
        require(Arrays.equals(y.shape(), expected), op + ": y " + y + " must have shape " + s(expected));
        if (bias != null) {
            floating(bias, "bias", op, halfStorage);
            require(bias.rank() == 1 && bias.dim(0) == m, op + ": bias " + bias + " must have shape [" + m + "]");
        }
        if (residual != null) {
            floating(residual, "residual", op, halfStorage);
            int sh = p.residualScaleH(), sw = p.residualScaleW();
            require(oh % sh == 0 && ow % sw == 0, op + ": output " + oh + "x" + ow
                    + " is not a multiple of the residual scales " + sh + "x" + sw);
            int[] small = {n, m, oh / sh, ow / sw};
            require(Arrays.equals(residual.shape(), small), op + ": residual " + residual + " must have shape "
                    + s(small) + (p.residualUpsampled() ? " (upsampled " + sh + "x" + sw + ")" : ""));
        }
    }

    static void batchNorm(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, Tensor y) {
        String op = "batchNorm";
        float32(x, "x", op);
        float32(y, "y", op);
        require(x.rank() >= 2, op + ": x must have rank >= 2, got " + x);
        sameShape(x, y, "y", op);
        int c = x.dim(1);
        Tensor[] params = {scale, bias, mean, var};
        String[] names = {"scale", "bias", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            float32(params[i], names[i], op);
            require(params[i].rank() == 1 && params[i].dim(0) == c,
                    op + ": " + names[i] + " " + params[i] + " must have shape [" + c + "]");
        }
        require(!(epsilon < 0), op + ": epsilon must be >= 0, got " + epsilon);
    }

    static void maxPool2d(Pool2dParams p, Tensor x, Tensor y) {
        maxPool2d(p, x, y, false);
    }

    /** {@link #maxPool2d} where x and y may be FLOAT16 as well when {@code halfStorage}. */
    static void maxPool2d(Pool2dParams p, Tensor x, Tensor y, boolean halfStorage) {
        String op = "maxPool2d";
        require(p != null, op + ": params must not be null");
        require(p.kernelH() >= 1 && p.kernelW() >= 1 && p.strideH() >= 1 && p.strideW() >= 1
                && p.dilationH() >= 1 && p.dilationW() >= 1, op + ": kernel, strides and dilations must be >= 1: " + p);
        require(p.padTop() >= 0 && p.padLeft() >= 0 && p.padBottom() >= 0 && p.padRight() >= 0,
                op + ": pads must be >= 0: " + p);
        floating(x, "x", op, halfStorage);
        floating(y, "y", op, halfStorage);
        rank(x, 4, "x", op);
        int oh = p.outHeight(x.dim(2)), ow = p.outWidth(x.dim(3));
        require(oh >= 1 && ow >= 1, op + ": output would be empty for x " + x + ", " + p);
        int[] expected = {x.dim(0), x.dim(1), oh, ow};
        require(Arrays.equals(y.shape(), expected), op + ": y " + y + " must have shape " + s(expected));
    }

    static void binary(BinaryOp o, Tensor a, Tensor b, Tensor y) {
        String op = "binary " + o;
        require(o != null, "binary: op must not be null");
        notNull(a, "a", op);
        notNull(b, "b", op);
        notNull(y, "y", op);
        sameType(a, b, op);
        sameType(a, y, op);
        int[] expected = Shapes.broadcast(a.shape(), b.shape());
        require(Arrays.equals(y.shape(), expected), op + ": y " + y + " must have the broadcast shape "
                + s(expected) + " of " + a + " and " + b);
    }

    static void unary(UnaryOp o, Tensor x, Tensor y) {
        String op = "unary " + o;
        require(o != null, "unary: op must not be null");
        float32(x, "x", op);
        float32(y, "y", op);
        sameShape(x, y, "y", op);
    }

    static void resizeNearest(ResizeParams p, Tensor x, Tensor y) {
        String op = "resizeNearest";
        require(p != null && p.coordinate() != null && p.rounding() != null, op + ": incomplete params " + p);
        notNull(x, "x", op);
        notNull(y, "y", op);
        sameType(x, y, op);
        require(x.rank() == y.rank(), op + ": ranks differ: " + x + " and " + y);
        float[] scales = p.scales();
        require(scales.length == x.rank(), op + ": " + scales.length + " scales for rank " + x.rank());
        for (int i = 0; i < scales.length; i++) {
            require(scales[i] > 0 && Float.isFinite(scales[i]), op + ": scale " + scales[i] + " must be > 0");
            require(x.dim(i) > 0 || y.dim(i) == 0, op + ": cannot resize empty axis " + i + " of " + x + " to " + y);
        }
    }

    static void transpose(int[] perm, Tensor x, Tensor y) {
        String op = "transpose";
        notNull(x, "x", op);
        notNull(y, "y", op);
        sameType(x, y, op);
        require(perm != null && perm.length == x.rank(), op + ": perm " + Arrays.toString(perm)
                + " does not match rank of " + x);
        require(y.rank() == x.rank(), op + ": ranks differ: " + x + " and " + y);
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            require(perm[i] >= 0 && perm[i] < perm.length && !seen[perm[i]],
                    op + ": " + Arrays.toString(perm) + " is not a permutation");
            seen[perm[i]] = true;
            require(y.dim(i) == x.dim(perm[i]), op + ": y " + y + " is not x " + x + " permuted by "
                    + Arrays.toString(perm));
        }
    }

    /** Returns the normalized axis. */
    static int concat(int axis, List<Tensor> xs, Tensor y) {
        String op = "concat";
        require(xs != null && !xs.isEmpty(), op + ": no inputs");
        notNull(y, "y", op);
        int ax = axis(axis, y.rank(), op);
        long total = 0;
        for (int i = 0; i < xs.size(); i++) {
            Tensor x = xs.get(i);
            notNull(x, "input " + i, op);
            sameType(x, y, op);
            require(x.rank() == y.rank(), op + ": input " + i + " " + x + " has another rank than y " + y);
            for (int d = 0; d < y.rank(); d++) {
                require(d == ax || x.dim(d) == y.dim(d), op + ": input " + i + " " + x + " does not match y " + y
                        + " outside axis " + ax);
            }
            total += x.dim(ax);
        }
        require(total == y.dim(ax), op + ": inputs sum to " + total + " along axis " + ax + " but y is " + y);
        return ax;
    }

    static void slice(int[] starts, int[] steps, Tensor x, Tensor y) {
        String op = "slice";
        notNull(x, "x", op);
        notNull(y, "y", op);
        sameType(x, y, op);
        int r = x.rank();
        require(y.rank() == r, op + ": ranks differ: " + x + " and " + y);
        require(starts != null && starts.length == r && steps != null && steps.length == r,
                op + ": starts " + Arrays.toString(starts) + " and steps " + Arrays.toString(steps)
                        + " need one entry per axis of " + x);
        for (int d = 0; d < r; d++) {
            require(steps[d] != 0, op + ": step 0 on axis " + d);
            if (y.dim(d) == 0) {
                continue;
            }
            long first = starts[d];
            long last = first + (long) (y.dim(d) - 1) * steps[d];
            require(first >= 0 && first < x.dim(d) && last >= 0 && last < x.dim(d),
                    op + ": axis " + d + " reads indices " + first + ".." + last + " (step " + steps[d]
                            + ") outside [0, " + x.dim(d) + ") of " + x);
        }
    }

    /** Returns the normalized axis. */
    static int gather(int axis, Tensor x, Tensor indices, Tensor y) {
        String op = "gather";
        notNull(x, "x", op);
        notNull(indices, "indices", op);
        notNull(y, "y", op);
        require(indices.dtype() == DType.INT64, op + ": indices must be INT64, got " + indices);
        sameType(x, y, op);
        require(x.rank() >= 1, op + ": x must have rank >= 1");
        int ax = axis(axis, x.rank(), op);
        int[] xs = x.shape(), is = indices.shape();
        int[] expected = new int[xs.length - 1 + is.length];
        System.arraycopy(xs, 0, expected, 0, ax);
        System.arraycopy(is, 0, expected, ax, is.length);
        System.arraycopy(xs, ax + 1, expected, ax + is.length, xs.length - ax - 1);
        require(Arrays.equals(y.shape(), expected), op + ": y " + y + " must have shape " + s(expected));
        long d = x.dim(ax);
        long[] idx = indices.longs();
        for (int i = 0; i < indices.size(); i++) {
            require(idx[i] >= -d && idx[i] < d, op + ": index " + idx[i] + " out of range [" + (-d) + ", " + d
                    + ") on axis " + ax + " of " + x);
        }
        return ax;
    }

    static void cast(Tensor x, Tensor y) {
        String op = "cast";
        notNull(x, "x", op);
        notNull(y, "y", op);
        sameShape(x, y, "y", op);
    }

    static void copy(Tensor x, Tensor y) {
        String op = "copy";
        notNull(x, "x", op);
        notNull(y, "y", op);
        sameType(x, y, op);
        require(x.size() == y.size(), op + ": sizes differ: " + x + " and " + y);
    }
}

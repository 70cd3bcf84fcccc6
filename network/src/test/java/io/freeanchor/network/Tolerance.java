package io.freeanchor.network;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import java.util.Arrays;

/**
 * Comparison of our outputs with a reference. The error measure is max|ours - ref| / max|ref| over
 * the whole tensor (absolute when the reference is all zeros); INT64 tensors must match exactly.
 * Shapes and element types must match. NaN in the same place in both counts as equal; anywhere else
 * it fails the check.
 */
public final class Tolerance {
    private Tolerance() {}

    /** Where and how large the worst difference is. */
    public record Report(double error, double maxAbsDiff, int index, double ours, double ref, double maxAbsRef) {}

    /** max|ours - ref| / max|ref|; max|ours - ref| when the reference is all zeros. */
    public static double maxRelativeError(Tensor ours, Tensor ref) {
        return compare(ours, ref, "maxRelativeError").error();
    }

    /** The full comparison: the error and where the largest absolute difference occurs. */
    public static Report compare(Tensor ours, Tensor ref, String what) {
        checkSameLayout(ours, ref, what);
        int n = ref.size();
        double maxRef = 0;
        for (int i = 0; i < n; i++) {
            double r = Math.abs(ref.getDouble(i));
            if (!Double.isNaN(r)) {
                maxRef = Math.max(maxRef, r);
            }
        }
        double maxDiff = 0;
        int at = n == 0 ? -1 : 0;
        for (int i = 0; i < n; i++) {
            double a = ours.getDouble(i), b = ref.getDouble(i);
            double d;
            if (ref.dtype() == DType.INT64) {
                // Exact on longs: doubles cannot tell neighbours apart beyond 2^53.
                long x = ours.longs()[i], y = ref.longs()[i];
                d = x == y ? 0 : Math.max(Math.abs(a - b), Double.MIN_NORMAL);
            } else if (Double.isNaN(a) || Double.isNaN(b)) {
                d = Double.isNaN(a) && Double.isNaN(b) ? 0 : Double.POSITIVE_INFINITY;
            } else if (a == b) {
                d = 0; // also equal infinities
            } else {
                d = Math.abs(a - b);
            }
            if (d > maxDiff || Double.isNaN(d)) {
                maxDiff = d;
                at = i;
            }
        }
        double error = maxRef == 0 ? maxDiff : maxDiff / maxRef;
        return new Report(error, maxDiff, at, at < 0 ? 0 : ours.getDouble(at), at < 0 ? 0 : ref.getDouble(at), maxRef);
    }

    /**
     * Fails unless ours matches ref within {@code tolerance} (relative to max|ref|); INT64 tensors
     * must be equal. The message names {@code what}, the error, and where the worst element is.
     */
    public static void assertClose(Tensor ours, Tensor ref, double tolerance, String what) {
        if (ours == null || ref == null) {
            throw new AssertionError(what + ": missing tensor (ours " + ours + ", reference " + ref + ")");
        }
        Report r = compare(ours, ref, what);
        boolean exact = ref.dtype() == DType.INT64;
        double allowed = exact ? 0 : tolerance;
        if (exact ? r.maxAbsDiff() != 0 : !(r.error() <= allowed)) {
            throw new AssertionError(String.format(
                    "%s: max relative error %.3e exceeds %.1e at index %s (flat %d) of %s: ours=%s, reference=%s, max|reference|=%.6g",
                    what, r.error(), allowed, Arrays.toString(unflatten(r.index(), ref.shape())), r.index(), ref,
                    valueAt(ours, r.index()), valueAt(ref, r.index()), r.maxAbsRef()));
        }
    }

    private static String valueAt(Tensor t, int i) {
        if (i < 0) {
            return "-";
        }
        return t.dtype() == DType.INT64 ? Long.toString(t.longs()[i]) : Float.toString(t.floats()[i]);
    }

    private static void checkSameLayout(Tensor ours, Tensor ref, String what) {
        if (ours.dtype() != ref.dtype()) {
            throw new AssertionError(what + ": element type " + ours.dtype() + " differs from the reference's " + ref.dtype());
        }
        if (!Arrays.equals(ours.shape(), ref.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(ours.shape()) + " differs from the reference's "
                    + Arrays.toString(ref.shape()));
        }
    }

    /** Row-major multi-index of a flat position. */
    static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        if (flat < 0) {
            return idx;
        }
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? flat : flat / shape[d];
        }
        return idx;
    }
}

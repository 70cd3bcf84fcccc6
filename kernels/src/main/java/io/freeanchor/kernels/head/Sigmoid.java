package io.freeanchor.kernels.head;

/**
 * The score function and its inverse over float32 logits. The score is
 * {@code 1f / (1f + f32(exp(-x)))} with exp evaluated in double (StrictMath, so every JVM gives the
 * same bits) and rounded to float, then float32 add and divide (the project rule of spec section 7).
 * It is monotone non-decreasing over floats, which lets the selector compare raw logits against a
 * logit gate instead of computing 16M exponentials per image.
 */
public final class Sigmoid {
    private Sigmoid() {}

    public static float of(float x) {
        float e = (float) StrictMath.exp(-(double) x);
        return 1f / (1f + e);
    }

    /** Smallest float logit whose score is strictly above {@code thr}; +inf if none is. */
    public static float minLogitAbove(float thr) {
        if (!(of(Float.POSITIVE_INFINITY) > thr)) {
            return Float.POSITIVE_INFINITY;
        }
        if (of(Float.NEGATIVE_INFINITY) > thr) {
            return Float.NEGATIVE_INFINITY;
        }
        int lo = ord(Float.NEGATIVE_INFINITY); // predicate false here
        int hi = ord(Float.POSITIVE_INFINITY); // predicate true here
        while ((long) hi - lo > 1) {
            int mid = (int) (((long) lo + hi) >> 1);
            if (of(fromOrd(mid)) > thr) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return fromOrd(hi);
    }

    /**
     * Smallest float logit in [lo, hi] whose score is at least {@code s}, given that {@code hi}'s
     * score is.
     */
    public static float minLogitAtLeast(float s, float lo, float hi) {
        if (of(lo) >= s) {
            return lo;
        }
        int a = ord(lo);
        int b = ord(hi);
        while ((long) b - a > 1) {
            int mid = (int) (((long) a + b) >> 1);
            if (of(fromOrd(mid)) >= s) {
                b = mid;
            } else {
                a = mid;
            }
        }
        return fromOrd(b);
    }

    /** Order-preserving map of non-NaN floats to ints (-0 and +0 both map to 0). */
    public static int ord(float f) {
        int b = Float.floatToRawIntBits(f);
        return b >= 0 ? b : -(b & 0x7fffffff);
    }

    public static float fromOrd(int o) {
        return o >= 0 ? Float.intBitsToFloat(o) : Float.intBitsToFloat(-o | 0x80000000);
    }
}

package io.freeanchor.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

/** Tensor builders and comparisons for the kernel tests. */
public final class TestTensors {
    /** Value written past size() in oversized stores; must survive every op. */
    public static final float GUARD = 12345.678f;
    public static final long GUARD_LONG = 0x5EED_5EEDL;

    private TestTensors() {}

    static Tensor floats(int[] shape, float... values) {
        assertEquals(Shapes.size(shape), values.length, "test data size");
        return Tensor.ofFloats(shape, values.clone());
    }

    static Tensor longs(int[] shape, long... values) {
        assertEquals(Shapes.size(shape), values.length, "test data size");
        return Tensor.ofLongs(shape, values.clone());
    }

    static int[] shape(int... dims) {
        return dims;
    }

    /** Gaussian values in a store 7 elements longer than needed, the tail filled with GUARD. */
    public static Tensor random(Random rnd, int... shape) {
        int n = Shapes.size(shape);
        float[] data = new float[n + 7];
        for (int i = 0; i < n; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        Arrays.fill(data, n, data.length, GUARD);
        return Tensor.ofFloats(shape, data);
    }

    /** Integers in [-bound, bound) in an oversized store with a GUARD_LONG tail. */
    public static Tensor randomLongs(Random rnd, int bound, int... shape) {
        int n = Shapes.size(shape);
        long[] data = new long[n + 5];
        for (int i = 0; i < n; i++) {
            data[i] = rnd.nextInt(2 * bound) - bound;
        }
        Arrays.fill(data, n, data.length, GUARD_LONG);
        return Tensor.ofLongs(shape, data);
    }

    /** An output tensor of the given type over an oversized store pre-filled with garbage. */
    public static Tensor output(DType type, int... shape) {
        int n = Shapes.size(shape);
        if (type == DType.FLOAT32) {
            float[] data = new float[n + 9];
            Arrays.fill(data, Float.NaN);
            Arrays.fill(data, n, data.length, GUARD);
            return Tensor.ofFloats(shape, data);
        }
        long[] data = new long[n + 9];
        Arrays.fill(data, Long.MIN_VALUE);
        Arrays.fill(data, n, data.length, GUARD_LONG);
        return Tensor.ofLongs(shape, data);
    }

    static Tensor output(int... shape) {
        return output(DType.FLOAT32, shape);
    }

    /** Asserts that nothing past size() was written. */
    static void assertGuardIntact(Tensor t) {
        if (t.dtype() == DType.FLOAT32) {
            float[] d = t.floats();
            for (int i = t.size(); i < d.length; i++) {
                if (d[i] != GUARD) {
                    fail("store of " + t + " was written past size() at " + i);
                }
            }
        } else {
            long[] d = t.longs();
            for (int i = t.size(); i < d.length; i++) {
                if (d[i] != GUARD_LONG) {
                    fail("store of " + t + " was written past size() at " + i);
                }
            }
        }
    }

    /** Exact comparison of values (FLOAT32 compares bits up to -0.0 == 0.0). */
    static void assertFloats(Tensor t, float... expected) {
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(expected, Arrays.copyOf(t.floats(), t.size()), 0f, "values of " + t);
    }

    static void assertLongs(Tensor t, long... expected) {
        assertEquals(DType.INT64, t.dtype());
        assertArrayEquals(expected, Arrays.copyOf(t.longs(), t.size()), "values of " + t);
    }

    /**
     * The backend tolerance: {@code max |actual - expected| <= 1e-4 * max |expected|} (with a floor
     * of 1e-30 so that all-zero references need exact zeros). Shapes must match; NaN anywhere fails.
     */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        if (expected.dtype() == DType.INT64) {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
            assertGuardIntact(actual);
            return;
        }
        float[] e = expected.floats(), a = actual.floats();
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < expected.size(); i++) {
            if (Float.isNaN(e[i]) || Float.isNaN(a[i])) {
                fail(what + ": NaN at " + i + " (expected " + e[i] + ", got " + a[i] + ")");
            }
            if (Float.isInfinite(e[i]) || Float.isInfinite(a[i])) {
                if (e[i] != a[i]) {
                    fail(what + ": at " + i + " expected " + e[i] + ", got " + a[i]);
                }
                continue;
            }
            maxRef = Math.max(maxRef, Math.abs(e[i]));
            double err = Math.abs((double) a[i] - e[i]);
            if (err > maxErr) {
                maxErr = err;
                worst = i;
            }
        }
        double tol = Math.max(1e-4 * maxRef, 1e-30);
        if (maxErr > tol) {
            fail(what + ": max |ours - ref| = " + maxErr + " > " + tol + " (1e-4 * max|ref|) at " + worst
                    + ": expected " + e[worst] + ", got " + a[worst]);
        }
        assertGuardIntact(actual);
    }
}

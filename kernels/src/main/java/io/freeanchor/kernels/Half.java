package io.freeanchor.kernels;

/**
 * IEEE 754 binary16 storage: conversions between float[] and short[] bit patterns. Narrowing
 * rounds to nearest, ties to even, keeps subnormals and signed zeros, and sends magnitudes from
 * 65520 up to infinity (as {@link Float#floatToFloat16}); widening is exact. The loops are plain
 * element loops over {@link Float#floatToFloat16} / {@link Float#float16ToFloat}: both are JIT
 * intrinsics, and C2 turns such loops into vector conversions where the CPU has them (F16C, AVX-512).
 */
public final class Half {
    /** Largest finite half, 65504. */
    public static final float MAX = 65504f;

    private Half() {}

    /** dst[to + i] = the float value of half src[from + i], for i in [0, n). */
    public static void widen(short[] src, int from, float[] dst, int to, int n) {
        for (int i = 0; i < n; i++) {
            dst[to + i] = Float.float16ToFloat(src[from + i]);
        }
    }

    /** dst[to + i] = src[from + i] rounded to half, for i in [0, n). */
    public static void narrow(float[] src, int from, short[] dst, int to, int n) {
        for (int i = 0; i < n; i++) {
            dst[to + i] = Float.floatToFloat16(src[from + i]);
        }
    }

    /** v rounded to the nearest half, as a float. */
    public static float round(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /** A FLOAT16 copy of a FLOAT32 tensor's {@link Tensor#size()} elements. */
    public static Tensor toHalf(Tensor t) {
        Checks.float32(t, "t", "toHalf");
        short[] h = new short[t.size()];
        narrow(t.floats(), 0, h, 0, h.length);
        return Tensor.ofHalves(t.shape(), h);
    }

    /** A FLOAT32 copy of a FLOAT16 tensor (exact). */
    public static Tensor toFloat(Tensor t) {
        float[] f = new float[t.size()];
        widen(t.halves(), 0, f, 0, f.length);
        return Tensor.ofFloats(t.shape(), f);
    }
}

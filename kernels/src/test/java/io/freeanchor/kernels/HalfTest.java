package io.freeanchor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Half}'s array conversions against {@link Float#floatToFloat16} and against an independent
 * rounding written here in double arithmetic: round to nearest with ties to even on the half grid,
 * subnormals below 2^-14, overflow to infinity from 65520 up, NaN kept, signed zeros kept.
 */
class HalfTest {
    /** v rounded to binary16 by hand: the grid spacing at v's binade (2^-24 in the subnormal range), Math.rint ties to even. */
    private static double referenceRound(float v) {
        if (Float.isNaN(v) || Float.isInfinite(v) || v == 0) {
            return v;
        }
        int e = Math.max(Math.getExponent(v), -14); // binades below the normals share the subnormal spacing
        double ulp = Math.scalb(1.0, e - 10);
        double r = Math.rint(v / ulp) * ulp; // v / ulp is exact: a float has 24 significant bits
        if (Math.abs(r) > Half.MAX) {
            return Math.copySign(Double.POSITIVE_INFINITY, v);
        }
        return r == 0 ? Math.copySign(0.0, v) : r;
    }

    private static float narrowOne(float v) {
        short[] h = new short[3];
        Half.narrow(new float[] {0, v}, 1, h, 2, 1);
        return Float.float16ToFloat(h[2]);
    }

    @Test
    void edgeCasesRoundAsIeee() {
        float[][] cases = {
                {1f + 0x1p-11f, 1f},                    // tie between 1 and 1+2^-10: to even (1)
                {1f + 3 * 0x1p-11f, 1f + 0x1p-9f},      // tie between 1+2^-10 and 1+2^-9: to even (1+2^-9)
                {1f + 0x1p-11f + 0x1p-20f, 1f + 0x1p-10f}, // just above the tie: up
                {0x1p-24f, 0x1p-24f},                   // smallest subnormal
                {0x1p-25f, 0f},                         // tie between 0 and 2^-24: to even (0)
                {0x1.8p-25f, 0x1p-24f},                 // above the tie
                {3 * 0x1p-25f, 2 * 0x1p-24f},           // tie between 2^-24 and 2^-23: to even
                {0x1.ffcp-15f, 0x1p-14f},               // tie above the largest subnormal: up to the smallest normal (even)
                {-0x1p-26f, -0f},                       // underflow keeps the sign
                {65504f, 65504f},                       // largest finite half
                {65519.996f, 65504f},                   // below the overflow tie
                {65520f, Float.POSITIVE_INFINITY},      // the tie overflows (to even: 2^16)
                {-1e6f, Float.NEGATIVE_INFINITY},
                {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY},
        };
        for (float[] c : cases) {
            assertEquals(c[1], narrowOne(c[0]), 0f, "half(" + c[0] + ")");
            assertEquals(Float.floatToRawIntBits(c[1]), Float.floatToRawIntBits(narrowOne(c[0])), "bits of half(" + c[0] + ")");
        }
        assertTrue(Float.isNaN(narrowOne(Float.NaN)));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(narrowOne(-0f)));
    }

    @Test
    void narrowingMatchesFloatToFloat16AndTheHandRoundingAcrossAllBinades() {
        int n = 1 << 16;
        float[] src = new float[n];
        short[] dst = new short[n];
        long checked = 0;
        // Every 509th float bit pattern (odd stride: hits all mantissa residues), in batches.
        for (long bits = 0; bits <= 0xFFFF_FFFFL; ) {
            int k = 0;
            for (; k < n && bits <= 0xFFFF_FFFFL; k++, bits += 509) {
                src[k] = Float.intBitsToFloat((int) bits);
            }
            Half.narrow(src, 0, dst, 0, k);
            for (int i = 0; i < k; i++) {
                short want = Float.floatToFloat16(src[i]);
                if (dst[i] != want) {
                    assertEquals(want, dst[i], "half bits of " + src[i]);
                }
                if (!Float.isNaN(src[i])) {
                    double ref = referenceRound(src[i]);
                    double got = Float.float16ToFloat(dst[i]);
                    if (Double.doubleToRawLongBits(ref) != Double.doubleToRawLongBits(got)) {
                        assertEquals(ref, got, 0.0, "rounding of " + src[i] + " (" + Integer.toHexString(Float.floatToRawIntBits(src[i])) + ")");
                    }
                }
            }
            checked += k;
        }
        assertTrue(checked > 8_000_000, "checked " + checked);
    }

    @Test
    void widenIsExactForEveryHalfAndRoundTrips() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        float[] f = new float[all.length];
        Half.widen(all, 0, f, 0, all.length);
        short[] back = new short[all.length];
        Half.narrow(f, 0, back, 0, f.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(all[i])), Float.floatToRawIntBits(f[i]), "half " + i);
            if (!Float.isNaN(f[i])) {
                assertEquals(all[i], back[i], "round trip of half " + Integer.toHexString(i));
            }
        }
    }

    @Test
    void tensorCopiesKeepShapeAndValues() {
        Tensor t = Tensor.ofFloats(new int[] {2, 3}, new float[] {1, -2.5f, 0.1f, 65520f, 3e-8f, 7});
        Tensor h = Half.toHalf(t);
        assertEquals(DType.FLOAT16, h.dtype());
        assertEquals(2, h.dim(0));
        Tensor back = h.widened();
        assertEquals(DType.FLOAT32, back.dtype());
        for (int i = 0; i < t.size(); i++) {
            assertEquals(Half.round(t.floats()[i]), back.floats()[i], 0f, "element " + i);
            assertEquals(back.floats()[i], h.getDouble(i), 0.0, "getDouble " + i);
        }
        assertEquals(DType.FLOAT16, h.copy().dtype());
        assertEquals(2, Tensor.zeros(DType.FLOAT16, new int[] {2}).halves().length);
    }
}

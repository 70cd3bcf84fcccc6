package io.freeanchor.kernels;

import static io.freeanchor.kernels.TestTensors.random;
import static io.freeanchor.kernels.TestTensors.randomLongs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link HalfStorageBackend} op by op against {@link ReferenceBackend} run in FP32 on the same
 * half-rounded values: arithmetic ops within 1e-3 of max|ref| (one half rounding of the output,
 * 2^-11 relative, plus FP32 kernel differences), data movement exact (it only moves halves).
 * Arguments mix FLOAT16 and FLOAT32 as the executor passes them (graph inputs and outputs FP32).
 */
class HalfStorageBackendTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static HalfStorageBackend half;

    @BeforeAll
    static void start() {
        half = new HalfStorageBackend(2);
    }

    @AfterAll
    static void stop() {
        half.close();
    }

    /** max|ours - ref| <= tol * max|ref|, ours widened from whatever it is stored in; ref FP32. */
    private static void assertNear(Tensor ref, Tensor ours, double tol, String what) {
        assertArrayEquals(ref.shape(), ours.shape(), what + ": shape");
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < ref.size(); i++) {
            double r = ref.getDouble(i), o = ours.getDouble(i);
            if (Double.isNaN(r) != Double.isNaN(o)) {
                fail(what + ": NaN at " + i + " (ref " + r + ", ours " + o + ")");
            }
            maxRef = Math.max(maxRef, Math.abs(r));
            maxDiff = Math.max(maxDiff, Math.abs(r - o));
        }
        assertTrue(maxDiff <= tol * maxRef, what + ": max diff " + maxDiff + " > " + tol + " x " + maxRef);
    }

    /** ours (FLOAT16) must be exactly the reference's FP32 result rounded to half. */
    private static void assertExact(Tensor ref, Tensor ours, String what) {
        assertEquals(DType.FLOAT16, ours.dtype(), what);
        for (int i = 0; i < ref.size(); i++) {
            if (Float.floatToFloat16((float) ref.getDouble(i)) != ours.halves()[i]) {
                fail(what + ": element " + i + " is " + ours.getDouble(i) + ", want " + ref.getDouble(i));
            }
        }
    }

    private static Tensor h(Random rnd, int... shape) {
        return Half.toHalf(random(rnd, shape));
    }

    private static Tensor f32(Tensor t) {
        return t.widened();
    }

    private static Tensor halfOut(int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT16, shape);
        Arrays.fill(t.halves(), Float.floatToFloat16(Float.NaN));
        return t;
    }

    @Test
    void storageTypesAndHeldConstants() {
        assertEquals(DType.FLOAT16, half.storageType(DType.FLOAT32));
        assertEquals(DType.INT64, half.storageType(DType.INT64));
        Tensor w = random(new Random(1), 4, 3);
        Tensor held = half.holdConstant(w);
        assertEquals(DType.FLOAT16, held.dtype());
        assertSame(held.halves(), half.holdConstant(w.reshape(12)).halves(), "one copy per store");
        Tensor l = randomLongs(new Random(2), 5, 3);
        assertSame(l, half.holdConstant(l));
    }

    @Test
    void preparedConvolutionsWinogradAndGemmMatchTheReference() {
        Random rnd = new Random(7);
        record Case(int c, int m, int hw, int k, int stride, String algorithm) {}
        for (Case k : List.of(new Case(16, 8, 25, 3, 1, "winograd-f4x4"), new Case(5, 7, 9, 1, 2, "gemm"),
                new Case(3, 6, 11, 3, 2, "gemm"))) {
            int pad = k.k / 2;
            Conv2dParams p = new Conv2dParams(k.stride, k.stride, pad, pad, pad, pad, 1, 1, 1, Activation.RELU);
            int out = p.outHeight(k.hw, k.k);
            Tensor x = h(rnd, 2, k.c, k.hw, k.hw), w = half.holdConstant(random(rnd, k.m, k.c, k.k, k.k));
            Tensor bias = h(rnd, k.m), residual = h(rnd, 2, k.m, out, out);
            PreparedConv prepared = half.prepareConv(p, x.shape(), w);
            assertNotNull(prepared);
            assertTrue(prepared.algorithm().startsWith(k.algorithm.substring(0, 4)), prepared.algorithm());
            assertSame(prepared, half.prepareConv(p, x.shape(), w), "shared weights are prepared once");
            Tensor ref = Tensor.zeros(DType.FLOAT32, new int[] {2, k.m, out, out});
            REF.conv2d(p, f32(x), f32(w), f32(bias), f32(residual), ref);
            Tensor y = halfOut(2, k.m, out, out);
            half.conv2dPrepared(prepared, p, x, w, bias, residual, y);
            assertNear(ref, y, 1e-3, "prepared conv " + k);
            // Graph edges: an FP32 input (the image) and an FP32 output (a graph output).
            Tensor y32 = Tensor.zeros(DType.FLOAT32, y.shape());
            half.conv2dPrepared(prepared, p, f32(x), w, bias, f32(residual), y32);
            assertNear(ref, y32, 1e-5, "prepared conv, fp32 edges " + k);
            // Weights computed at run time (not prepared): widened on every call.
            Tensor y2 = halfOut(y.shape());
            half.conv2d(p, x, w, bias, residual, y2);
            assertNear(ref, y2, 1e-3, "plain conv " + k);
        }
    }

    @Test
    void preparedConvolutionRejectsOtherWeights() {
        Random rnd = new Random(3);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.NONE);
        Tensor w = half.holdConstant(random(rnd, 4, 8, 3, 3)), other = half.holdConstant(random(rnd, 4, 8, 3, 3));
        PreparedConv prepared = half.prepareConv(p, new int[] {1, 8, 6, 6}, w);
        assertThrows(IllegalArgumentException.class,
                () -> half.conv2dPrepared(prepared, p, h(rnd, 1, 8, 6, 6), other, null, null, halfOut(1, 4, 6, 6)));
    }

    @Test
    void preparedConvolutionRunsWithoutItsRawWeights() {
        Random rnd = new Random(4);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        Tensor w = half.holdConstant(random(rnd, 6, 8, 3, 3)), x = h(rnd, 1, 8, 9, 9), bias = h(rnd, 6);
        PreparedConv prepared = half.prepareConv(p, x.shape(), w);
        assertTrue(!prepared.readsWeights(), "the packed or transformed copy is all it reads");
        Tensor withW = halfOut(1, 6, 9, 9), without = halfOut(1, 6, 9, 9);
        half.conv2dPrepared(prepared, p, x, w, bias, null, withW);
        half.conv2dPrepared(prepared, p, x, null, bias, null, without);
        assertArrayEquals(withW.halves(), without.halves());
        // channels off the prepared shape are still caught without w
        assertThrows(IllegalArgumentException.class,
                () -> half.conv2dPrepared(prepared, p, h(rnd, 1, 5, 9, 9), null, bias, null, halfOut(1, 6, 9, 9)));
    }

    @Test
    void elementwiseAndPoolingOps() {
        Random rnd = new Random(11);
        Tensor a = h(rnd, 2, 3, 5, 7), b = h(rnd, 3, 1, 7);
        for (BinaryOp op : BinaryOp.values()) {
            Tensor bb = op == BinaryOp.DIV ? Half.toHalf(Tensor.ofFloats(b.shape(), nonZero(f32(b).floats(), b.size()))) : b;
            Tensor ref = Tensor.zeros(DType.FLOAT32, a.shape()), y = halfOut(a.shape());
            REF.binary(op, f32(a), f32(bb), ref);
            half.binary(op, a, bb, y);
            assertExact(ref, y, "binary " + op); // one FP32 operation, then one rounding: exact
        }
        for (UnaryOp op : UnaryOp.values()) {
            Tensor ref = Tensor.zeros(DType.FLOAT32, a.shape()), y = halfOut(a.shape());
            REF.unary(op, f32(a), ref);
            half.unary(op, a, y);
            assertNear(ref, y, 1e-3, "unary " + op);
        }
        Tensor scale = h(rnd, 3), bias = h(rnd, 3), mean = h(rnd, 3), var = Half.toHalf(Tensor.ofFloats(new int[] {3}, new float[] {0.5f, 1, 2}));
        Tensor ref = Tensor.zeros(DType.FLOAT32, a.shape()), y = halfOut(a.shape());
        REF.batchNorm(1e-5f, f32(a), f32(scale), f32(bias), f32(mean), f32(var), ref);
        half.batchNorm(1e-5f, a, scale, bias, mean, var, y);
        assertNear(ref, y, 1e-3, "batchNorm");
        Pool2dParams pool = new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false);
        int[] po = {2, 3, pool.outHeight(5), pool.outWidth(7)};
        Tensor pref = Tensor.zeros(DType.FLOAT32, po), py = halfOut(po);
        REF.maxPool2d(pool, f32(a), pref);
        half.maxPool2d(pool, a, py);
        assertExact(pref, py, "maxPool");
    }

    private static float[] nonZero(float[] v, int n) {
        float[] out = Arrays.copyOf(v, n);
        for (int i = 0; i < n; i++) {
            out[i] = Math.abs(out[i]) < 0.1f ? 0.5f : out[i];
        }
        return out;
    }

    @Test
    void dataMovementIsExact() {
        Random rnd = new Random(5);
        Tensor x = h(rnd, 2, 3, 4, 5);
        Tensor ref = Tensor.zeros(DType.FLOAT32, new int[] {5, 2, 4, 3}), y = halfOut(5, 2, 4, 3);
        REF.transpose(new int[] {3, 0, 2, 1}, f32(x), ref);
        half.transpose(new int[] {3, 0, 2, 1}, x, y);
        assertExact(ref, y, "transpose");

        Tensor x2 = h(rnd, 2, 1, 4, 5);
        Tensor cref = Tensor.zeros(DType.FLOAT32, new int[] {2, 4, 4, 5}), cy = halfOut(2, 4, 4, 5);
        REF.concat(1, List.of(f32(x), f32(x2)), cref);
        half.concat(1, List.of(x, x2), cy);
        assertExact(cref, cy, "concat");

        Tensor sref = Tensor.zeros(DType.FLOAT32, new int[] {2, 2, 2, 5}), sy = halfOut(2, 2, 2, 5);
        REF.slice(new int[] {0, 2, 3, 0}, new int[] {1, -1, -2, 1}, f32(x), sref);
        half.slice(new int[] {0, 2, 3, 0}, new int[] {1, -1, -2, 1}, x, sy);
        assertExact(sref, sy, "slice");

        Tensor idx = Tensor.ofLongs(new int[] {3}, new long[] {4, -5, 2});
        Tensor gref = Tensor.zeros(DType.FLOAT32, new int[] {2, 3, 4, 3}), gy = halfOut(2, 3, 4, 3);
        REF.gather(3, f32(x), idx, gref);
        half.gather(3, x, idx, gy);
        assertExact(gref, gy, "gather");

        ResizeParams rp = new ResizeParams(new float[] {1, 1, 2, 2}, ResizeParams.CoordinateTransform.ASYMMETRIC,
                ResizeParams.NearestRounding.FLOOR);
        Tensor rref = Tensor.zeros(DType.FLOAT32, new int[] {2, 3, 8, 10}), ry = halfOut(2, 3, 8, 10);
        REF.resizeNearest(rp, f32(x), rref);
        half.resizeNearest(rp, x, ry);
        assertExact(rref, ry, "resize");

        Tensor copy = halfOut(120);
        half.copy(x, copy);
        assertArrayEquals(Arrays.copyOf(x.halves(), 120), copy.halves(), "copy half to half");
        Tensor fromF32 = halfOut(120), src = random(rnd, 120);
        half.copy(src, fromF32);
        assertExact(src, fromF32, "copy fp32 to half");
        Tensor toF32 = Tensor.zeros(DType.FLOAT32, new int[] {120});
        half.copy(x, toF32);
        assertArrayEquals(f32(x).toFloatArray(), toF32.toFloatArray(), 0f, "copy half to fp32");

        Tensor longs = Tensor.zeros(DType.INT64, new int[] {2, 3, 4, 5});
        half.cast(x, longs);
        Tensor lref = Tensor.zeros(DType.INT64, longs.shape());
        REF.cast(f32(x), lref);
        assertArrayEquals(lref.toLongArray(), longs.toLongArray(), "cast half to int64");
        Tensor back = halfOut(2, 3, 4, 5);
        half.cast(lref, back);
        Tensor bref = Tensor.zeros(DType.FLOAT32, back.shape());
        REF.cast(lref, bref);
        assertExact(bref, back, "cast int64 to half");
    }

    @Test
    void scratchIsReusedAcrossOps() {
        Random rnd = new Random(9);
        Tensor a = h(rnd, 64, 64), y = halfOut(64, 64);
        half.unary(UnaryOp.RELU, a, y);
        long after = half.scratchBytes();
        half.unary(UnaryOp.SIGMOID, a, y);
        half.binary(BinaryOp.ADD, a, a, y);
        half.unary(UnaryOp.RELU, a, y);
        assertTrue(after > 0);
        assertTrue(half.scratchBytes() <= Math.max(after, 3L * 4 * 64 * 64), "scratch " + half.scratchBytes());
    }
}

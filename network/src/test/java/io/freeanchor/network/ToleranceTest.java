package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The comparison the ORT tests rely on must be able to fail. */
class ToleranceTest {
    private static Tensor randomTensor(long seed, int... shape) {
        Random r = new Random(seed);
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return Tensor.ofFloats(shape, v);
    }

    @Test
    void identicalTensorsPass() {
        Tensor a = randomTensor(1, 2, 3, 4);
        assertEquals(0.0, Tolerance.maxRelativeError(a, a.copy()));
        Tolerance.assertClose(a, a.copy(), 1e-4, "identical");
    }

    @Test
    void perturbationOf1e3RelativeIsRejected() {
        Tensor ref = randomTensor(2, 2, 3, 4, 5);
        float maxAbs = 0;
        for (float v : ref.floats()) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        Tensor ours = ref.copy();
        int at = 37;
        ours.floats()[at] += 1e-3f * maxAbs;
        double err = Tolerance.maxRelativeError(ours, ref);
        assertEquals(1e-3, err, 1e-5);
        AssertionError e = assertThrows(AssertionError.class, () -> Tolerance.assertClose(ours, ref, 1e-4, "perturbed"));
        // the message says what, how much, and where: flat 37 of [2,3,4,5] is [0, 1, 3, 2]
        assertTrue(e.getMessage().contains("perturbed"), e.getMessage());
        assertTrue(e.getMessage().contains("[0, 1, 3, 2]"), e.getMessage());
        assertTrue(e.getMessage().contains("flat 37"), e.getMessage());
        assertTrue(e.getMessage().contains("1.000e-03"), e.getMessage());
    }

    @Test
    void perturbationBelowTolerancePasses() {
        Tensor ref = randomTensor(3, 50);
        Tensor ours = ref.copy();
        for (int i = 0; i < ours.size(); i++) {
            ours.floats()[i] *= 1 + 1e-6f;
        }
        Tolerance.assertClose(ours, ref, 1e-4, "tiny perturbation");
    }

    @Test
    void allZeroReferenceUsesAbsoluteError() {
        Tensor ref = Tensor.ofFloats(new int[] {4}, new float[4]);
        Tensor ours = Tensor.ofFloats(new int[] {4}, new float[] {0, 0, 5e-5f, 0});
        assertEquals(5e-5, Tolerance.maxRelativeError(ours, ref), 1e-9);
        Tolerance.assertClose(ours, ref, 1e-4, "near zero");
        Tensor worse = Tensor.ofFloats(new int[] {4}, new float[] {0, 0, 0, -2e-4f});
        assertThrows(AssertionError.class, () -> Tolerance.assertClose(worse, ref, 1e-4, "zero ref"));
    }

    @Test
    void shapeAndTypeMustMatch() {
        Tensor a = randomTensor(4, 2, 3);
        assertThrows(AssertionError.class, () -> Tolerance.assertClose(a, a.copy().reshape(3, 2), 1, "shape"));
        assertThrows(AssertionError.class, () -> Tolerance.assertClose(a, a.copy().reshape(6), 1, "rank"));
        Tensor l = Tensor.ofLongs(new int[] {2, 3}, new long[6]);
        assertThrows(AssertionError.class, () -> Tolerance.assertClose(a, l, 1, "dtype"));
    }

    @Test
    void nanIsAnErrorUnlessBothAreNan() {
        Tensor ref = Tensor.ofFloats(new int[] {3}, new float[] {1, Float.NaN, 2});
        Tolerance.assertClose(ref.copy(), ref, 1e-4, "same NaN");
        Tensor ours = Tensor.ofFloats(new int[] {3}, new float[] {Float.NaN, Float.NaN, 2});
        assertThrows(AssertionError.class, () -> Tolerance.assertClose(ours, ref, 1e-4, "NaN"));
    }

    @Test
    void int64MustBeExact() {
        Tensor ref = Tensor.ofLongs(new int[] {3}, new long[] {Long.MAX_VALUE, -5, 1L << 60});
        Tolerance.assertClose(ref.copy(), ref, 1e-4, "same");
        Tensor ours = Tensor.ofLongs(new int[] {3}, new long[] {Long.MAX_VALUE - 1, -5, 1L << 60});
        // relative error is ~1e-19, far below any float tolerance, but ints must be equal
        AssertionError e = assertThrows(AssertionError.class, () -> Tolerance.assertClose(ours, ref, 1e-4, "int64"));
        assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE - 1)), e.getMessage());
    }
}

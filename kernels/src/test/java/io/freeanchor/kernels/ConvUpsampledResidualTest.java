package io.freeanchor.kernels;

import static io.freeanchor.kernels.TestTensors.assertClose;
import static io.freeanchor.kernels.TestTensors.output;
import static io.freeanchor.kernels.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.ResizeParams.CoordinateTransform;
import io.freeanchor.kernels.ResizeParams.NearestRounding;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Convolution with a nearest-upsampled residual (the FPN's Resize fused into the lateral conv):
 * the reference equals resize-then-conv exactly, and the Java backend's GEMM and Winograd paths
 * (plain and prepared) match the reference, on odd maps, batch 2, with ReLU.
 */
class ConvUpsampledResidualTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static JavaBackend one, three;

    @BeforeAll
    static void start() {
        one = new JavaBackend(1);
        three = new JavaBackend(3);
    }

    @AfterAll
    static void stop() {
        one.close();
        three.close();
    }

    /** Input [n, c, h, w], m output channels, a k x k kernel with stride 1 and "same" pads, residual scales. */
    record Case(String name, int n, int c, int h, int w, int m, int k, int sh, int sw, boolean bias, Activation act) {
        Conv2dParams params() {
            int pad = k / 2;
            return new Conv2dParams(1, 1, pad, pad, pad, pad, 1, 1, 1, act).withResidualScale(sh, sw);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Activation relu = Activation.RELU, none = Activation.NONE;
        return Stream.of(
                new Case("1x1 lateral 2x2 from 5x7, batch 2, relu", 2, 17, 10, 14, 12, 1, 2, 2, true, relu),
                new Case("1x1 lateral 3x1 odd 15x13, batch 2", 2, 9, 15, 13, 5, 1, 3, 1, false, relu),
                new Case("1x1 1x2, batch 2, no relu", 2, 6, 9, 22, 7, 1, 1, 2, true, none),
                new Case("3x3 2x2 from 9x11 (Winograd-sized), batch 2, relu", 2, 16, 18, 22, 9, 3, 2, 2, true, relu),
                new Case("3x3 3x3 odd 21x15, batch 2, relu", 2, 8, 21, 15, 6, 3, 3, 3, false, relu),
                new Case("3x3 wide row 4x2", 1, 8, 8, 70, 5, 3, 4, 2, true, relu));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void referenceEqualsResizeThenConv(Case t) {
        Data d = new Data(t);
        Tensor up = Tensor.zeros(DType.FLOAT32, new int[] {t.n(), t.m(), t.h(), t.w()});
        REF.resizeNearest(new ResizeParams(new float[] {1, 1, t.sh(), t.sw()}, CoordinateTransform.ASYMMETRIC,
                NearestRounding.FLOOR), d.small, up);
        Conv2dParams full = t.params().withResidualScale(1, 1);
        Tensor expected = output(t.n(), t.m(), t.h(), t.w());
        REF.conv2d(full, d.x, d.w, d.bias, up, expected);
        Tensor fused = output(t.n(), t.m(), t.h(), t.w());
        REF.conv2d(t.params(), d.x, d.w, d.bias, d.small, fused);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.floats()[i], fused.floats()[i], t + " at " + i); // same arithmetic, exact
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void javaMatchesReference(Case t) {
        Data d = new Data(t);
        Conv2dParams p = t.params();
        Tensor expected = output(t.n(), t.m(), t.h(), t.w());
        REF.conv2d(p, d.x, d.w, d.bias, d.small, expected);
        for (JavaBackend b : List.of(one, three)) {
            Tensor y = output(t.n(), t.m(), t.h(), t.w());
            b.conv2d(p, d.x, d.w, d.bias, d.small, y);
            assertClose(expected, y, t + " plain on " + b.threads() + " threads");
            for (ConvAlgorithm a : ConvAlgorithm.values()) {
                if (!a.supports(p, d.w.shape())) {
                    continue;
                }
                Tensor yp = output(t.n(), t.m(), t.h(), t.w());
                b.conv2dPrepared(b.prepareConv(p, d.x.shape(), d.w, a), p, d.x, d.w, d.bias, d.small, yp);
                assertClose(expected, yp, t + " " + a + " on " + b.threads() + " threads");
            }
        }
    }

    @Test
    void residualShapeMustMatchTheScales() {
        Case t = cases().findFirst().orElseThrow();
        Data d = new Data(t);
        Tensor y = output(t.n(), t.m(), t.h(), t.w());
        Tensor fullSize = random(new Random(1), t.n(), t.m(), t.h(), t.w());
        for (Backend b : List.<Backend>of(REF, one)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> b.conv2d(t.params(), d.x, d.w, d.bias, fullSize, y));
            assertTrue(e.getMessage().contains("upsampled 2x2"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> b.conv2d(t.params().withResidualScale(1, 1), d.x, d.w, d.bias, d.small, y));
            // 14 is not a multiple of 3
            assertThrows(IllegalArgumentException.class,
                    () -> b.conv2d(t.params().withResidualScale(2, 3), d.x, d.w, d.bias, d.small, y));
        }
        assertThrows(IllegalArgumentException.class, () -> t.params().withResidualScale(0, 1));
    }

    /** Which resizes a conv may read as o / f: exactly those whose index map is o / f everywhere. */
    @Test
    void exactIntegerFactors() {
        int[] in = {2, 3, 5, 7}, out2 = {2, 3, 10, 14}, out3 = {2, 3, 15, 21};
        assertArrayEquals(new int[] {1, 1, 2, 2}, factors(CoordinateTransform.ASYMMETRIC, NearestRounding.FLOOR, in, out2));
        assertArrayEquals(new int[] {1, 1, 3, 3}, factors(CoordinateTransform.ASYMMETRIC, NearestRounding.FLOOR, in, out3));
        assertArrayEquals(new int[] {1, 1, 3, 3},
                factors(CoordinateTransform.HALF_PIXEL, NearestRounding.ROUND_PREFER_FLOOR, in, out3));
        assertArrayEquals(new int[] {1, 1, 2, 2},
                factors(CoordinateTransform.PYTORCH_HALF_PIXEL, NearestRounding.ROUND_PREFER_CEIL, in, out2));
        assertArrayEquals(new int[] {1, 1, 3, 3},
                factors(CoordinateTransform.TF_HALF_PIXEL_FOR_NN, NearestRounding.FLOOR, in, out3));
        assertArrayEquals(new int[] {1, 1, 2, 2},
                factors(CoordinateTransform.ASYMMETRIC, NearestRounding.ROUND_PREFER_FLOOR, in, out2));
        assertNull(factors(CoordinateTransform.ASYMMETRIC, NearestRounding.ROUND_PREFER_FLOOR, in, out3));
        assertNull(factors(CoordinateTransform.ASYMMETRIC, NearestRounding.CEIL, in, out2));
        assertNull(factors(CoordinateTransform.HALF_PIXEL, NearestRounding.FLOOR, in, out2));
        assertNull(factors(CoordinateTransform.ALIGN_CORNERS, NearestRounding.FLOOR, in, out2));
        assertNull(factors(CoordinateTransform.ASYMMETRIC, NearestRounding.FLOOR, in, new int[] {2, 3, 9, 14}));
    }

    private static int[] factors(CoordinateTransform ct, NearestRounding r, int[] in, int[] out) {
        float[] scales = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            scales[i] = (float) out[i] / in[i];
        }
        return new ResizeParams(scales, ct, r).exactIntegerFactors(in, out);
    }

    /** Random x, weights, bias and the small residual [n, m, h / sh, w / sw] of a case. */
    private static final class Data {
        final Tensor x, w, bias, small;

        Data(Case t) {
            Random rnd = new Random(t.name().hashCode());
            x = random(rnd, t.n(), t.c(), t.h(), t.w());
            w = random(rnd, t.m(), t.c(), t.k(), t.k());
            bias = t.bias() ? random(rnd, t.m()) : null;
            small = random(rnd, t.n(), t.m(), t.h() / t.sh(), t.w() / t.sw());
        }
    }
}

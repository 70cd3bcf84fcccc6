package io.freeanchor.kernels;

import static io.freeanchor.kernels.TestTensors.assertClose;
import static io.freeanchor.kernels.TestTensors.output;
import static io.freeanchor.kernels.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConvWinograd} (forced through {@link JavaBackend#prepareConv(Conv2dParams, int[], Tensor,
 * ConvAlgorithm)}) and the prepared GEMM path against {@link ReferenceBackend}, with the backend
 * tolerance {@code max |ours - ref| <= 1e-4 * max |ref|}. The shapes hit every edge: channels that
 * are not multiples of the vector length or the micro-kernel's 4 rows, maps of 1 pixel and maps
 * whose sides are not multiples of the 4x4 output tile, batch > 1 (tiles of two images in one
 * block), residual + ReLU fusion, padding 0, 1 and asymmetric, and more tiles than one block.
 */
class ConvWinogradTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static JavaBackend one, two, three;

    @BeforeAll
    static void start() {
        one = new JavaBackend(1);
        two = new JavaBackend(2);
        three = new JavaBackend(3);
    }

    @AfterAll
    static void stop() {
        one.close();
        two.close();
        three.close();
    }

    /** n, c, h, w, m, pads top/left/bottom/right, bias, residual, activation. */
    record Case(String name, int n, int c, int h, int w, int m, int pt, int pl, int pb, int pr,
                boolean bias, boolean residual, Activation act) {
        Conv2dParams params() {
            return new Conv2dParams(1, 1, pt, pl, pb, pr, 1, 1, 1, act);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case p1(String name, int n, int c, int h, int w, int m, boolean bias, boolean res, Activation act) {
        return new Case(name, n, c, h, w, m, 1, 1, 1, 1, bias, res, act);
    }

    static Stream<Case> cases() {
        Activation relu = Activation.RELU, none = Activation.NONE;
        return Stream.of(
                p1("1x1 map, 3->5", 1, 3, 1, 1, 5, true, false, none),
                p1("1x1 map batch 3, 17->9 res relu", 3, 17, 1, 1, 9, true, true, relu),
                p1("2x3 map 7->6", 1, 7, 2, 3, 6, false, false, relu),
                p1("5x7 map 9->13 res", 2, 9, 5, 7, 13, true, true, none),
                p1("4x4 map exactly one tile", 1, 8, 4, 4, 8, true, false, relu),
                p1("odd map 13x21, 33->17 res relu", 1, 33, 13, 21, 17, true, true, relu),
                p1("batch 2 odd map 7x11, 19->23", 2, 19, 7, 11, 23, true, false, relu),
                p1("many tiles 37x53, 5->3", 1, 5, 37, 53, 3, true, false, none),
                p1("many tiles batch 3, 30x41, 20->36 res relu", 3, 20, 30, 41, 36, true, true, relu),
                p1("wide row 3x201, 8->4", 1, 8, 3, 201, 4, false, true, none),
                p1("tall column 201x2, 6->7", 1, 6, 201, 2, 7, true, false, relu),
                p1("1 channel in and out", 2, 1, 9, 10, 1, true, true, relu),
                p1("C=256 K=9 few tiles", 1, 256, 3, 5, 9, true, false, none),
                p1("C=64 K=72 block split over channels", 1, 64, 6, 6, 72, true, true, relu),
                new Case("valid (no padding) 10x9", 1, 6, 10, 9, 5, 0, 0, 0, 0, true, false, relu),
                new Case("valid on 3x3 map", 2, 5, 3, 3, 4, 0, 0, 0, 0, true, true, none),
                new Case("asymmetric pads 0,1,2,1", 1, 5, 7, 9, 6, 0, 1, 2, 1, true, false, relu),
                new Case("asymmetric pads 2,0,0,2", 2, 3, 10, 9, 5, 2, 0, 0, 2, false, true, none),
                new Case("pads 2 on 1x1 map", 1, 4, 1, 1, 3, 2, 2, 2, 2, true, false, none));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void winogradMatchesReference(Case t) {
        check(t, ConvAlgorithm.WINOGRAD);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void preparedGemmMatchesReference(Case t) {
        check(t, ConvAlgorithm.GEMM);
    }

    private static void check(Case t, ConvAlgorithm algorithm) {
        Random rnd = new Random(t.name().hashCode());
        Conv2dParams p = t.params();
        Tensor x = random(rnd, t.n(), t.c(), t.h(), t.w());
        Tensor w = random(rnd, t.m(), t.c(), 3, 3);
        int oh = p.outHeight(t.h(), 3), ow = p.outWidth(t.w(), 3);
        Tensor bias = t.bias() ? random(rnd, t.m()) : null;
        Tensor res = t.residual() ? random(rnd, t.n(), t.m(), oh, ow) : null;
        Tensor expected = output(t.n(), t.m(), oh, ow);
        REF.conv2d(p, x, w, bias, res, expected);
        for (JavaBackend b : List.of(one, two, three)) {
            JavaBackend.Prepared prepared = b.prepareConv(p, x.shape(), w, algorithm);
            assertEquals(algorithm.label(), prepared.algorithm());
            Tensor y = output(t.n(), t.m(), oh, ow);
            b.conv2dPrepared(prepared, p, x, w, bias, res, y);
            assertClose(expected, y, t + " " + algorithm + " on " + b.threads() + " threads");
            Tensor again = output(t.n(), t.m(), oh, ow);
            b.conv2dPrepared(prepared, p, x, w, bias, res, again); // scratch reused: same result
            assertClose(y, again, t + " " + algorithm + " second call");
        }
    }

    /** Errors of F(4x4, 3x3) stay far below the tolerance on the model's widest layer type. */
    @Test
    void winogradErrorOnHeadSizedLayerIsSmall() {
        Random rnd = new Random(7);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.NONE);
        Tensor x = random(rnd, 1, 256, 13, 21);
        Tensor w = random(rnd, 64, 256, 3, 3);
        Tensor expected = output(1, 64, 13, 21), y = output(1, 64, 13, 21);
        REF.conv2d(p, x, w, null, null, expected);
        two.conv2dPrepared(two.prepareConv(p, x.shape(), w, ConvAlgorithm.WINOGRAD), p, x, w, null, null, y);
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < y.size(); i++) {
            maxRef = Math.max(maxRef, Math.abs(expected.floats()[i]));
            maxErr = Math.max(maxErr, Math.abs(expected.floats()[i] - y.floats()[i]));
        }
        assertTrue(maxErr <= 3e-5 * maxRef, "relative error " + maxErr / maxRef);
    }

    @Test
    void unpreparedConvSeesWeightsChangedInPlace() {
        Random rnd = new Random(3);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        // 6 x 8 = 48 tiles of 4x4: at least one micro-kernel panel for vectors of up to 512 bits
        Tensor x = random(rnd, 1, 32, 23, 29);
        Tensor w = random(rnd, 32, 32, 3, 3);
        assertEquals(ConvAlgorithm.WINOGRAD, ConvAlgorithm.choose(p, x.shape(), w.shape()));
        for (int round = 0; round < 3; round++) {
            Tensor expected = output(1, 32, 23, 29), y = output(1, 32, 23, 29);
            REF.conv2d(p, x, w, null, null, expected);
            two.conv2d(p, x, w, null, null, y);
            assertClose(expected, y, "round " + round);
            w.floats()[round * 37] += 1.5f; // the same store, new values
        }
    }

    @Test
    void ruleTakesWinogradOnlyWhereItApplies() {
        Conv2dParams s1 = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        Conv2dParams s2 = new Conv2dParams(2, 2, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        Conv2dParams dilated = new Conv2dParams(1, 1, 2, 2, 2, 2, 2, 2, 1, Activation.RELU);
        int[] w = {256, 256, 3, 3};
        assertEquals(ConvAlgorithm.WINOGRAD, ConvAlgorithm.choose(s1, new int[] {1, 256, 100, 168}, w));
        assertEquals(ConvAlgorithm.GEMM, ConvAlgorithm.choose(s2, new int[] {1, 256, 100, 168}, w));
        assertEquals(ConvAlgorithm.GEMM, ConvAlgorithm.choose(dilated, new int[] {1, 256, 100, 168}, w));
        assertEquals(ConvAlgorithm.GEMM, ConvAlgorithm.choose(s1, new int[] {1, 256, 100, 168}, new int[] {256, 256, 1, 1}));
        assertEquals(ConvAlgorithm.GEMM, ConvAlgorithm.choose(s1, new int[] {1, 3, 100, 168}, new int[] {64, 3, 3, 3}));
        // a map smaller than one panel of 4x4 tiles stays GEMM, whatever the batch (an image's
        // results must not depend on the batch it is in)
        int side = 4 * (int) Math.ceil(Math.sqrt(ConvWinograd.NR));
        assertEquals(ConvAlgorithm.GEMM, ConvAlgorithm.choose(s1, new int[] {1, 256, 2, 2}, w));
        assertEquals(ConvAlgorithm.GEMM, ConvAlgorithm.choose(s1, new int[] {ConvWinograd.NR, 256, 2, 2}, w));
        assertEquals(ConvAlgorithm.WINOGRAD, ConvAlgorithm.choose(s1, new int[] {1, 256, side, side}, w));
        assertEquals(ConvAlgorithm.WINOGRAD, ConvAlgorithm.choose(s1, new int[] {3, 256, side, side}, w));
    }

    /** Image i of a batch gets bit-identical results whether run alone or in the batch. */
    @Test
    void resultsOfAnImageDoNotDependOnItsBatch() {
        Random rnd = new Random(5);
        for (int[] map : new int[][] {{2, 2}, {7, 11}, {13, 21}, {30, 41}}) {
            Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
            int c = 24, m = 20, h = map[0], wd = map[1];
            Tensor x = random(rnd, 3, c, h, wd);
            Tensor w = random(rnd, m, c, 3, 3);
            Tensor bias = random(rnd, m);
            Tensor all = output(3, m, h, wd);
            two.conv2d(p, x, w, bias, null, all);
            int in = c * h * wd, out = m * h * wd;
            for (int i = 0; i < 3; i++) {
                Tensor xi = Tensor.ofFloats(new int[] {1, c, h, wd}, java.util.Arrays.copyOfRange(x.floats(), i * in, (i + 1) * in));
                Tensor yi = output(1, m, h, wd);
                three.conv2d(p, xi, w, bias, null, yi);
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOfRange(all.floats(), i * out, (i + 1) * out),
                        java.util.Arrays.copyOf(yi.floats(), out), "image " + i + " of map " + h + "x" + wd);
            }
        }
    }

    /** Layers sharing constant weights (the head on every FPN level) share one preparation. */
    @Test
    void sharedWeightsArePreparedOnce() {
        Random rnd = new Random(6);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        Tensor w = random(rnd, 8, 8, 3, 3);
        JavaBackend.Prepared big = two.prepareConv(p, new int[] {1, 8, 40, 40}, w, ConvAlgorithm.WINOGRAD);
        assertTrue(big == two.prepareConv(p, new int[] {1, 8, 20, 20}, w, ConvAlgorithm.WINOGRAD), "same Winograd weights");
        JavaBackend.Prepared gemm = two.prepareConv(p, new int[] {1, 8, 2, 2}, w, ConvAlgorithm.GEMM);
        assertTrue(gemm != big && gemm == two.prepareConv(p, new int[] {1, 8, 3, 3}, w, ConvAlgorithm.GEMM), "one GEMM packing");
        assertTrue(big != two.prepareConv(p, new int[] {1, 8, 40, 40}, w.copy(), ConvAlgorithm.WINOGRAD), "other store");
    }

    @Test
    void preparedConvRejectsOtherWeightsAndGeometry() {
        Random rnd = new Random(4);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.NONE);
        Tensor x = random(rnd, 1, 4, 6, 6);
        Tensor w = random(rnd, 5, 4, 3, 3);
        JavaBackend.Prepared prepared = two.prepareConv(p, x.shape(), w, ConvAlgorithm.WINOGRAD);
        Tensor other = random(rnd, 5, 4, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> two.conv2dPrepared(prepared, p, x, other, null, null, output(1, 5, 6, 6)));
        Conv2dParams strided = new Conv2dParams(2, 2, 1, 1, 1, 1, 1, 1, 1, Activation.NONE);
        assertThrows(IllegalArgumentException.class, () -> two.conv2dPrepared(prepared, strided, x, w, null, null, output(1, 5, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> two.prepareConv(strided, x.shape(), w, ConvAlgorithm.WINOGRAD));
        PreparedConv foreign = () -> "foreign";
        assertThrows(IllegalArgumentException.class, () -> two.conv2dPrepared(foreign, p, x, w, null, null, output(1, 5, 6, 6)));
    }

    /**
     * A prepared convolution no longer reads its raw weights (the caller may drop them and pass
     * null): same result as with them, and geometry is still checked against the prepared shape.
     */
    @Test
    void preparedConvRunsWithoutRawWeights() {
        Random rnd = new Random(8);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        Tensor x = random(rnd, 1, 8, 12, 12);
        Tensor w = random(rnd, 6, 8, 3, 3);
        Tensor bias = random(rnd, 6);
        for (ConvAlgorithm algorithm : List.of(ConvAlgorithm.WINOGRAD, ConvAlgorithm.GEMM)) {
            JavaBackend.Prepared prepared = two.prepareConv(p, x.shape(), w, algorithm);
            assertTrue(!prepared.readsWeights(), algorithm + " keeps its own form of the weights");
            Tensor with = output(1, 6, 12, 12), without = output(1, 6, 12, 12);
            two.conv2dPrepared(prepared, p, x, w, bias, null, with);
            two.conv2dPrepared(prepared, p, x, null, bias, null, without);
            assertEquals(java.util.Arrays.toString(with.floats()), java.util.Arrays.toString(without.floats()), algorithm.toString());
            assertThrows(IllegalArgumentException.class,
                    () -> two.conv2dPrepared(prepared, p, random(rnd, 1, 4, 12, 12), null, null, null, output(1, 6, 12, 12)));
        }
        assertTrue(new ReferenceBackend().prepareConv(p, x.shape(), w) == null, "the reference backend prepares nothing");
    }
}

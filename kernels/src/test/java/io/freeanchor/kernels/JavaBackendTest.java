package io.freeanchor.kernels;

import static io.freeanchor.kernels.TestTensors.assertClose;
import static io.freeanchor.kernels.TestTensors.longs;
import static io.freeanchor.kernels.TestTensors.output;
import static io.freeanchor.kernels.TestTensors.random;
import static io.freeanchor.kernels.TestTensors.randomLongs;
import static io.freeanchor.kernels.TestTensors.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.ResizeParams.CoordinateTransform;
import io.freeanchor.kernels.ResizeParams.NearestRounding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@link JavaBackend} op against {@link ReferenceBackend} on awkward shapes. Tolerance for
 * FLOAT32: {@code max |ours - ref| <= 1e-4 * max |ref|} over the whole output (see
 * {@link TestTensors#assertClose}); INT64 results must match exactly. Inputs and outputs live in
 * stores longer than the tensor, and the tail past size() must come back untouched.
 */
class JavaBackendTest {
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

    private static List<JavaBackend> backends() {
        return List.of(one, two, three);
    }

    // ---------------------------------------------------------------- conv2d

    /** One convolution case: input NCHW, output channels, kernel, geometry, epilogue. */
    record ConvCase(String name, int n, int c, int h, int w, int m, int kh, int kw, int sh, int sw,
                    int pt, int pl, int pb, int pr, int dh, int dw, int group, boolean bias, boolean residual,
                    Activation act) {
        Conv2dParams params() {
            return new Conv2dParams(sh, sw, pt, pl, pb, pr, dh, dw, group, act);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static ConvCase sq(String name, int n, int c, int h, int w, int m, int k, int s, int pad, int d,
                               int group, boolean bias, boolean residual, Activation act) {
        return new ConvCase(name, n, c, h, w, m, k, k, s, s, pad, pad, pad, pad, d, d, group, bias, residual, act);
    }

    static Stream<ConvCase> convCases() {
        Activation relu = Activation.RELU, none = Activation.NONE;
        return Stream.of(
                sq("1x1 s1 17->33 bias+res relu", 1, 17, 9, 13, 33, 1, 1, 0, 1, 1, true, true, relu),
                sq("1x1 s1 batch 2, 5->3", 2, 5, 7, 5, 3, 1, 1, 0, 1, 1, false, false, none),
                sq("1x1 s1 3->1 1x1 map", 1, 3, 1, 1, 1, 1, 1, 0, 1, 1, true, false, none),
                sq("1x1 s2 33->17 downsample", 2, 33, 11, 9, 17, 1, 2, 0, 1, 1, false, true, relu),
                sq("1x1 pad 1", 1, 4, 3, 5, 6, 1, 1, 1, 1, 1, true, false, none),
                sq("3x3 s1 p1 3->5", 1, 3, 11, 7, 5, 3, 1, 1, 1, 1, true, false, relu),
                sq("3x3 s1 p1 33->17 batch 2 res", 2, 33, 6, 19, 17, 3, 1, 1, 1, 1, true, true, relu),
                sq("3x3 on 1x1 map", 2, 33, 1, 1, 17, 3, 1, 1, 1, 1, true, true, none),
                sq("3x3 valid", 1, 5, 8, 8, 7, 3, 1, 0, 1, 1, false, false, none),
                sq("3x3 s2 p1 17->33", 1, 17, 13, 15, 33, 3, 2, 1, 1, 1, true, false, relu),
                sq("3x3 s2 p1 even map", 2, 8, 16, 20, 12, 3, 2, 1, 1, 1, false, true, none),
                sq("3x3 dilation 2 p2", 1, 5, 12, 11, 9, 3, 1, 2, 2, 1, true, false, relu),
                sq("3x3 dilation 2 s2", 1, 6, 15, 13, 4, 3, 2, 1, 2, 1, false, false, none),
                sq("group 2", 1, 6, 9, 10, 10, 3, 1, 1, 1, 2, true, true, relu),
                sq("group 2 batch 2 s2", 2, 34, 7, 9, 18, 3, 2, 1, 1, 2, true, false, none),
                sq("depthwise 5", 1, 5, 9, 8, 5, 3, 1, 1, 1, 5, true, false, relu),
                sq("depthwise x2 multiplier", 2, 4, 6, 7, 8, 3, 1, 1, 1, 4, false, true, none),
                sq("7x7 s2 p3 stem", 1, 3, 37, 45, 17, 7, 2, 3, 1, 1, true, false, relu),
                // output rows wider than a 512-bit panel (32 columns): the strided one-row packing paths
                sq("7x7 s2 p3 stem, wide rows", 1, 3, 9, 141, 5, 7, 2, 3, 1, 1, true, false, relu),
                sq("3x3 s2 p1 wide rows", 2, 5, 7, 131, 6, 3, 2, 1, 1, 1, false, true, none),
                sq("1x1 s2 wide rows", 1, 6, 4, 150, 5, 1, 2, 0, 1, 1, true, false, none),
                sq("5x5 s1 p2", 1, 7, 10, 33, 5, 5, 1, 2, 1, 1, true, false, none),
                sq("3x3 wide K=576 M=40", 1, 64, 12, 30, 40, 3, 1, 1, 1, 1, true, true, relu),
                sq("3x3 K=2304 few positions", 1, 256, 3, 5, 9, 3, 1, 1, 1, 1, true, false, none),
                sq("3x3 many tiles 8->7", 1, 8, 37, 53, 7, 3, 1, 1, 1, 1, true, false, relu),
                sq("3x3 wide row 8->4", 1, 8, 5, 201, 4, 3, 1, 1, 1, 1, false, true, none),
                sq("1x1 many positions 64->6", 1, 64, 40, 41, 6, 1, 1, 0, 1, 1, true, true, relu),
                new ConvCase("asymmetric pads 0,1,2,1", 1, 5, 7, 9, 6, 3, 3, 1, 1, 0, 1, 2, 1, 1, 1, 1, true, false, relu),
                new ConvCase("asymmetric pads s2 3,0,0,2", 2, 3, 10, 9, 5, 3, 3, 2, 2, 3, 0, 0, 2, 1, 1, 1, false, true, none),
                new ConvCase("1x3 kernel", 1, 4, 6, 17, 5, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1, 1, true, false, none),
                new ConvCase("3x1 kernel s(2,1)", 1, 4, 17, 6, 5, 3, 1, 2, 1, 1, 0, 1, 0, 1, 1, 1, true, false, relu),
                new ConvCase("kernel larger than map with pads", 1, 2, 2, 3, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, true, false, none));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void conv2dMatchesReference(ConvCase t) {
        Random rnd = new Random(t.name().hashCode());
        Conv2dParams p = t.params();
        Tensor x = random(rnd, t.n(), t.c(), t.h(), t.w());
        Tensor w = random(rnd, t.m(), t.c() / t.group(), t.kh(), t.kw());
        int oh = p.outHeight(t.h(), t.kh()), ow = p.outWidth(t.w(), t.kw());
        Tensor bias = t.bias() ? random(rnd, t.m()) : null;
        Tensor res = t.residual() ? random(rnd, t.n(), t.m(), oh, ow) : null;
        Tensor expected = output(t.n(), t.m(), oh, ow);
        REF.conv2d(p, x, w, bias, res, expected);
        for (JavaBackend b : backends()) {
            Tensor y = output(t.n(), t.m(), oh, ow);
            b.conv2d(p, x, w, bias, res, y);
            assertClose(expected, y, t + " on " + b.threads() + " threads");
        }
    }

    @Test
    void conv2dReusesWeightsAcrossGeometries() {
        // the same weight tensor (cached packing) under other strides, pads and inputs
        Random rnd = new Random(7);
        Tensor w = random(rnd, 9, 5, 3, 3);
        for (int stride = 1; stride <= 2; stride++) {
            for (int pad = 0; pad <= 1; pad++) {
                Conv2dParams p = new Conv2dParams(stride, stride, pad, pad, pad, pad, 1, 1, 1, Activation.NONE);
                Tensor x = random(rnd, 1, 5, 10 + stride, 12 - pad);
                int oh = p.outHeight(x.dim(2), 3), ow = p.outWidth(x.dim(3), 3);
                Tensor expected = output(1, 9, oh, ow), y = output(1, 9, oh, ow);
                REF.conv2d(p, x, w, null, null, expected);
                two.conv2d(p, x, w, null, null, y);
                assertClose(expected, y, "stride " + stride + " pad " + pad);
            }
        }
        // a reshaped view over the same store as a grouped weight
        Tensor wGrouped = w.viewAs(9, 5, 3, 3);
        Conv2dParams g = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        Tensor x = random(rnd, 1, 5, 6, 6);
        Tensor expected = output(1, 9, 6, 6), y = output(1, 9, 6, 6);
        REF.conv2d(g, x, wGrouped, null, null, expected);
        two.conv2d(g, x, wGrouped, null, null, y);
        assertClose(expected, y, "view of the same weights");
    }

    @Test
    void conv2dSeesWeightsChangedInPlace() {
        // weights computed at run time live in reused buffers: the cached packing must not go stale
        Random rnd = new Random(8);
        float[] slot = new float[4 * 3 * 3 * 3 + 50];
        Tensor w = Tensor.ofFloats(shape(4, 3, 3, 3), slot);
        Tensor x = random(rnd, 1, 3, 7, 7);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.NONE);
        try (JavaBackend b = new JavaBackend(2)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < slot.length; i++) {
                    slot[i] = (float) rnd.nextGaussian(); // new contents, same store and shape
                }
                if (round == 1) {
                    slot[w.size() - 1] = -slot[w.size() - 1]; // only the last weight differs from before
                }
                Tensor expected = output(1, 4, 7, 7), y = output(1, 4, 7, 7);
                REF.conv2d(p, x, w, null, null, expected);
                b.conv2d(p, x, w, null, null, y);
                assertClose(expected, y, "round " + round);
            }
            // only one weight changes (the last one), all else equal: still noticed
            Tensor before = output(1, 4, 7, 7);
            b.conv2d(p, x, w, null, null, before);
            slot[w.size() - 1] += 3f;
            Tensor expected = output(1, 4, 7, 7), y = output(1, 4, 7, 7);
            REF.conv2d(p, x, w, null, null, expected);
            b.conv2d(p, x, w, null, null, y);
            assertClose(expected, y, "last weight changed");
            // the same store viewed with another shape (a reused slot) holds other weights
            Tensor w2 = w.viewAs(5, 3, 1, 1);
            Tensor e2 = output(1, 5, 9, 9), y2 = output(1, 5, 9, 9);
            Conv2dParams p1 = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
            REF.conv2d(p1, x, w2, null, null, e2);
            b.conv2d(p1, x, w2, null, null, y2);
            assertClose(e2, y2, "other view of the same store");
            // big weights take the parallel verification path
            Tensor wb = random(rnd, 256, 128, 3, 3);
            Tensor xb = random(rnd, 1, 128, 5, 5);
            Tensor eb = output(1, 256, 5, 5), yb = output(1, 256, 5, 5);
            b.conv2d(p, xb, wb, null, null, yb);
            wb.floats()[201 * 1152 + 300] += 1f;
            REF.conv2d(p, xb, wb, null, null, eb);
            b.conv2d(p, xb, wb, null, null, yb);
            assertClose(eb, yb, "big weights changed");
            // explicit packing and cache clearing keep results right
            b.prepareConvWeights(wb, 1);
            b.clearWeightCache();
            b.conv2d(p, xb, wb, null, null, yb);
            assertClose(eb, yb, "after clearWeightCache");
        }
    }

    @Test
    void conv2dDegenerateSizes() {
        Random rnd = new Random(9);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        // empty batch: nothing to do, nothing written
        Tensor y0 = output(0, 3, 4, 4);
        two.conv2d(p, random(rnd, 0, 2, 4, 4), random(rnd, 3, 2, 3, 3), null, null, y0);
        TestTensors.assertGuardIntact(y0);
        // no input channels: y = relu(bias + residual)
        Tensor x = random(rnd, 1, 0, 4, 4), w = random(rnd, 3, 0, 3, 3), bias = random(rnd, 3);
        Tensor res = random(rnd, 1, 3, 4, 4);
        Tensor expected = output(1, 3, 4, 4), y = output(1, 3, 4, 4);
        REF.conv2d(p, x, w, bias, res, expected);
        two.conv2d(p, x, w, bias, res, y);
        assertClose(expected, y, "no input channels");
    }

    // ---------------------------------------------------------------- batchNorm, maxPool

    @ParameterizedTest
    @ValueSource(strings = {"2,5,7,9", "1,17,1,1", "3,33", "2,3,11", "1,8,4,4,3"})
    void batchNormMatchesReference(String dims) {
        int[] s = Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
        Random rnd = new Random(dims.hashCode());
        int c = s[1];
        Tensor x = random(rnd, s), scale = random(rnd, c), bias = random(rnd, c), mean = random(rnd, c);
        Tensor var = random(rnd, c);
        for (int i = 0; i < c; i++) {
            var.floats()[i] = Math.abs(var.floats()[i]) + 0.1f;
        }
        Tensor expected = output(s);
        REF.batchNorm(1e-5f, x, scale, bias, mean, var, expected);
        for (JavaBackend b : backends()) {
            Tensor y = output(s);
            b.batchNorm(1e-5f, x, scale, bias, mean, var, y);
            assertClose(expected, y, "batchNorm " + dims + " on " + b.threads());
        }
    }

    static Stream<Arguments> poolCases() {
        return Stream.of(
                Arguments.of("3x3 s2 p1 (ResNet stem)", shape(2, 5, 17, 20), new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false)),
                Arguments.of("2x2 s2", shape(1, 3, 8, 9), new Pool2dParams(2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false)),
                Arguments.of("2x2 s2 ceil", shape(1, 3, 9, 7), new Pool2dParams(2, 2, 2, 2, 0, 0, 0, 0, 1, 1, true)),
                Arguments.of("3x3 s2 p1 ceil", shape(2, 2, 10, 11), new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true)),
                Arguments.of("1x1 s2 (P6-style)", shape(1, 4, 7, 9), new Pool2dParams(1, 1, 2, 2, 0, 0, 0, 0, 1, 1, false)),
                Arguments.of("3x2 asym pads", shape(1, 3, 6, 7), new Pool2dParams(3, 2, 1, 2, 0, 1, 2, 0, 1, 1, false)),
                Arguments.of("dilation 2", shape(1, 2, 11, 12), new Pool2dParams(3, 3, 1, 1, 2, 2, 2, 2, 2, 2, false)),
                Arguments.of("1x1 map", shape(3, 33, 1, 1), new Pool2dParams(3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false)),
                Arguments.of("big planes", shape(1, 3, 64, 90), new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void maxPoolMatchesReference(String name, int[] xShape, Pool2dParams p) {
        Random rnd = new Random(name.hashCode());
        Tensor x = random(rnd, xShape);
        int[] yShape = {xShape[0], xShape[1], p.outHeight(xShape[2]), p.outWidth(xShape[3])};
        Tensor expected = output(yShape);
        REF.maxPool2d(p, x, expected);
        for (JavaBackend b : backends()) {
            Tensor y = output(yShape);
            b.maxPool2d(p, x, y);
            assertClose(expected, y, name + " on " + b.threads());
        }
    }

    @Test
    void maxPoolSkipsNaNsLikeTheReference() {
        // NaNs never win, a window of NaNs and -inf gives -inf, and the result is exact (no rounding)
        Random rnd = new Random(7);
        Tensor x = random(rnd, 2, 3, 19, 37);
        float[] xs = x.floats();
        for (int i = 0; i < xs.length; i += 3) {
            xs[i] = Float.NaN;
        }
        for (int i = 1; i < xs.length; i += 7) {
            xs[i] = Float.NEGATIVE_INFINITY;
        }
        Arrays.fill(xs, 0, 2 * 37, Float.NaN); // plane 0, rows 0-1: the 3x3/s2 windows of output row 0 see only NaN
        for (Pool2dParams p : List.of(new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false),
                new Pool2dParams(2, 3, 1, 3, 1, 2, 0, 2, 2, 1, true))) {
            int[] yShape = {2, 3, p.outHeight(19), p.outWidth(37)};
            Tensor expected = output(yShape);
            REF.maxPool2d(p, x, expected);
            for (JavaBackend b : backends()) {
                Tensor y = output(yShape);
                b.maxPool2d(p, x, y);
                float[] e = expected.floats(), got = y.floats();
                for (int i = 0; i < e.length; i++) {
                    assertTrue(e[i] == got[i] || Float.isNaN(e[i]) && Float.isNaN(got[i]),
                            p + " at " + i + ": " + e[i] + " vs " + got[i]);
                }
            }
        }
    }

    // ---------------------------------------------------------------- element-wise

    static Stream<Arguments> broadcastCases() {
        return Stream.of(
                Arguments.of(shape(2, 5, 7, 9), shape(2, 5, 7, 9)),
                Arguments.of(shape(2, 33, 7, 9), shape(1, 33, 1, 1)),
                Arguments.of(shape(1, 33, 1, 1), shape(2, 33, 7, 9)),
                Arguments.of(shape(3, 17, 5), shape(17, 1)),
                Arguments.of(shape(3, 1, 5), shape(4, 1)),
                Arguments.of(shape(5, 1), shape(1, 6)),
                Arguments.of(shape(2, 3, 4), shape()),
                Arguments.of(shape(), shape(2, 3, 4)),
                Arguments.of(shape(), shape()),
                Arguments.of(shape(1, 1, 1), shape(1)),
                Arguments.of(shape(4, 1, 3, 1), shape(1, 5, 1, 7)),
                Arguments.of(shape(50000), shape(50000)),
                Arguments.of(shape(7, 1, 20000), shape(7, 3, 1)));
    }

    @ParameterizedTest
    @MethodSource("broadcastCases")
    void binaryFloatMatchesReference(int[] aShape, int[] bShape) {
        Random rnd = new Random(Arrays.hashCode(aShape) * 31 + Arrays.hashCode(bShape));
        int[] yShape = Shapes.broadcast(aShape, bShape);
        Tensor a = random(rnd, aShape), b = random(rnd, bShape);
        for (BinaryOp op : BinaryOp.values()) {
            if (op == BinaryOp.DIV) {
                for (int i = 0; i < b.size(); i++) {
                    b.floats()[i] = Math.copySign(Math.abs(b.floats()[i]) + 0.5f, b.floats()[i]);
                }
            }
            Tensor expected = output(yShape);
            REF.binary(op, a, b, expected);
            for (JavaBackend be : backends()) {
                Tensor y = output(yShape);
                be.binary(op, a, b, y);
                assertClose(expected, y, op + " " + Arrays.toString(aShape) + " " + Arrays.toString(bShape));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("broadcastCases")
    void binaryInt64MatchesReference(int[] aShape, int[] bShape) {
        Random rnd = new Random(Arrays.hashCode(aShape) + 5);
        int[] yShape = Shapes.broadcast(aShape, bShape);
        Tensor a = randomLongs(rnd, 1000, aShape), b = randomLongs(rnd, 50, bShape);
        for (int i = 0; i < b.size(); i++) {
            if (b.longs()[i] == 0) {
                b.longs()[i] = 3;
            }
        }
        for (BinaryOp op : BinaryOp.values()) {
            Tensor expected = output(DType.INT64, yShape);
            REF.binary(op, a, b, expected);
            Tensor y = output(DType.INT64, yShape);
            two.binary(op, a, b, y);
            assertClose(expected, y, op + " int64");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 33, 1000, 70001})
    void unaryMatchesReference(int n) {
        Random rnd = new Random(n);
        Tensor x = random(rnd, n);
        for (int i = 0; i < n; i++) {
            x.floats()[i] *= 6f; // reach sigmoid's flat parts and several floors
        }
        for (UnaryOp op : UnaryOp.values()) {
            Tensor expected = output(n);
            REF.unary(op, x, expected);
            for (JavaBackend b : backends()) {
                Tensor y = output(n);
                b.unary(op, x, y);
                assertClose(expected, y, op + " n=" + n);
            }
        }
    }

    @Test
    void sigmoidExtremes() {
        Tensor x = TestTensors.floats(shape(10), -200f, -88f, -30f, -1e-8f, 0f, 1e-8f, 30f, 88f, 200f, Float.NEGATIVE_INFINITY);
        Tensor expected = output(10), y = output(10);
        REF.unary(UnaryOp.SIGMOID, x, expected);
        two.unary(UnaryOp.SIGMOID, x, y);
        assertClose(expected, y, "sigmoid extremes");
    }

    // ---------------------------------------------------------------- data movement

    static Stream<Arguments> resizeCases() {
        return Stream.of(
                Arguments.of(shape(1, 3, 5, 7), shape(1, 3, 10, 14), new float[] {1, 1, 2, 2}, CoordinateTransform.ASYMMETRIC, NearestRounding.FLOOR),
                Arguments.of(shape(2, 5, 4, 3), shape(2, 5, 8, 6), new float[] {1, 1, 2, 2}, CoordinateTransform.HALF_PIXEL, NearestRounding.ROUND_PREFER_FLOOR),
                Arguments.of(shape(1, 2, 6, 9), shape(1, 2, 9, 13), new float[] {1, 1, 1.5f, 1.5f}, CoordinateTransform.HALF_PIXEL, NearestRounding.ROUND_PREFER_CEIL),
                Arguments.of(shape(1, 2, 7, 9), shape(1, 2, 3, 4), new float[] {1, 1, 0.5f, 0.5f}, CoordinateTransform.PYTORCH_HALF_PIXEL, NearestRounding.CEIL),
                Arguments.of(shape(1, 1, 5, 5), shape(1, 1, 9, 9), new float[] {1, 1, 1.8f, 1.8f}, CoordinateTransform.ALIGN_CORNERS, NearestRounding.ROUND_PREFER_FLOOR),
                Arguments.of(shape(3, 4, 5), shape(6, 4, 10), new float[] {2, 1, 2}, CoordinateTransform.TF_HALF_PIXEL_FOR_NN, NearestRounding.FLOOR),
                Arguments.of(shape(1, 1, 50, 84), shape(1, 1, 100, 168), new float[] {1, 1, 2, 2}, CoordinateTransform.ASYMMETRIC, NearestRounding.FLOOR));
    }

    @ParameterizedTest
    @MethodSource("resizeCases")
    void resizeMatchesReference(int[] in, int[] out, float[] scales, CoordinateTransform ct, NearestRounding r) {
        Random rnd = new Random(Arrays.hashCode(in));
        ResizeParams p = new ResizeParams(scales, ct, r);
        Tensor x = random(rnd, in);
        Tensor expected = output(out);
        REF.resizeNearest(p, x, expected);
        for (JavaBackend b : backends()) {
            Tensor y = output(out);
            b.resizeNearest(p, x, y);
            assertClose(expected, y, "resize " + ct + " " + r);
        }
        Tensor xl = randomLongs(rnd, 100, in);
        Tensor el = output(DType.INT64, out), yl = output(DType.INT64, out);
        REF.resizeNearest(p, xl, el);
        two.resizeNearest(p, xl, yl);
        assertClose(el, yl, "resize int64");
    }

    static Stream<Arguments> transposeCases() {
        return Stream.of(
                Arguments.of(shape(7), new int[] {0}),
                Arguments.of(shape(5, 3), new int[] {1, 0}),
                Arguments.of(shape(2, 3, 4), new int[] {2, 0, 1}),
                Arguments.of(shape(2, 3, 4), new int[] {0, 2, 1}),
                Arguments.of(shape(2, 36, 5, 7), new int[] {0, 2, 3, 1}),
                Arguments.of(shape(1, 9, 4, 6, 5), new int[] {0, 3, 4, 1, 2}),
                Arguments.of(shape(3, 1, 4, 1), new int[] {3, 2, 1, 0}),
                Arguments.of(shape(1, 720, 25, 42), new int[] {0, 2, 3, 1}));
    }

    @ParameterizedTest
    @MethodSource("transposeCases")
    void transposeMatchesReference(int[] in, int[] perm) {
        Random rnd = new Random(Arrays.hashCode(in) + Arrays.hashCode(perm));
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[perm[i]];
        }
        Tensor x = random(rnd, in);
        Tensor expected = output(out);
        REF.transpose(perm, x, expected);
        for (JavaBackend b : backends()) {
            Tensor y = output(out);
            b.transpose(perm, x, y);
            assertClose(expected, y, "transpose " + Arrays.toString(perm));
        }
        Tensor xl = randomLongs(rnd, 1000, in);
        Tensor el = output(DType.INT64, out), yl = output(DType.INT64, out);
        REF.transpose(perm, xl, el);
        two.transpose(perm, xl, yl);
        assertClose(el, yl, "transpose int64");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, -1, -3})
    void concatMatchesReference(int axis) {
        Random rnd = new Random(axis + 100);
        int rank = 4;
        int ax = axis < 0 ? axis + rank : axis;
        int[] base = {2, 3, 4, 5};
        int[] sizes = {1, 3, 2};
        for (DType type : DType.values()) {
            List<Tensor> xs = new ArrayList<>();
            int total = 0;
            for (int s : sizes) {
                int[] sh = base.clone();
                sh[ax] = s;
                total += s;
                xs.add(type == DType.FLOAT32 ? random(rnd, sh) : randomLongs(rnd, 100, sh));
            }
            int[] out = base.clone();
            out[ax] = total;
            Tensor expected = output(type, out);
            REF.concat(axis, xs, expected);
            for (JavaBackend b : backends()) {
                Tensor y = output(type, out);
                b.concat(axis, xs, y);
                assertClose(expected, y, "concat axis " + axis + " " + type);
            }
        }
    }

    static Stream<Arguments> sliceCases() {
        return Stream.of(
                Arguments.of(shape(10), new int[] {2}, new int[] {1}, shape(5)),
                Arguments.of(shape(10), new int[] {9}, new int[] {-1}, shape(10)),
                Arguments.of(shape(4, 9), new int[] {3, 8}, new int[] {-1, -2}, shape(4, 5)),
                Arguments.of(shape(2, 6, 7, 8), new int[] {0, 1, 0, 3}, new int[] {1, 2, 3, 1}, shape(2, 3, 3, 5)),
                Arguments.of(shape(1, 5, 9, 4), new int[] {0, 4, 8, 3}, new int[] {1, -2, -3, -1}, shape(1, 3, 3, 4)),
                Arguments.of(shape(3, 5), new int[] {1, 0}, new int[] {1, 1}, shape(0, 5)));
    }

    @ParameterizedTest
    @MethodSource("sliceCases")
    void sliceMatchesReference(int[] in, int[] starts, int[] steps, int[] out) {
        Random rnd = new Random(Arrays.hashCode(in) + Arrays.hashCode(steps));
        for (DType type : DType.values()) {
            Tensor x = type == DType.FLOAT32 ? random(rnd, in) : randomLongs(rnd, 100, in);
            Tensor expected = output(type, out);
            REF.slice(starts, steps, x, expected);
            for (JavaBackend b : backends()) {
                Tensor y = output(type, out);
                b.slice(starts, steps, x, y);
                assertClose(expected, y, "slice " + Arrays.toString(steps) + " " + type);
            }
        }
    }

    static Stream<Arguments> gatherCases() {
        return Stream.of(
                Arguments.of(shape(5, 3), 0, shape(4)),
                Arguments.of(shape(5, 3), 1, shape(2, 2)),
                Arguments.of(shape(2, 7, 3), -2, shape(3)),
                Arguments.of(shape(2, 7, 3), 2, shape()),
                Arguments.of(shape(9), 0, shape(3, 4)),
                Arguments.of(shape(4, 6, 5), 0, shape(1)));
    }

    @ParameterizedTest
    @MethodSource("gatherCases")
    void gatherMatchesReference(int[] in, int axis, int[] idxShape) {
        Random rnd = new Random(Arrays.hashCode(in) + axis);
        int ax = axis < 0 ? axis + in.length : axis;
        int d = in[ax];
        long[] idx = new long[Shapes.size(idxShape)];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = rnd.nextInt(2 * d) - d; // negatives included
        }
        Tensor indices = longs(idxShape, idx);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < ax; i++) {
            out.add(in[i]);
        }
        for (int s : idxShape) {
            out.add(s);
        }
        for (int i = ax + 1; i < in.length; i++) {
            out.add(in[i]);
        }
        int[] outShape = out.stream().mapToInt(Integer::intValue).toArray();
        for (DType type : DType.values()) {
            Tensor x = type == DType.FLOAT32 ? random(rnd, in) : randomLongs(rnd, 100, in);
            Tensor expected = output(type, outShape);
            REF.gather(axis, x, indices, expected);
            for (JavaBackend b : backends()) {
                Tensor y = output(type, outShape);
                b.gather(axis, x, indices, y);
                assertClose(expected, y, "gather axis " + axis + " " + type);
            }
        }
    }

    @Test
    void castAndCopyMatchReference() {
        Random rnd = new Random(3);
        Tensor f = random(rnd, 3, 37);
        for (int i = 0; i < f.size(); i++) {
            f.floats()[i] *= 50f;
        }
        Tensor l = randomLongs(rnd, 1 << 20, 3, 37);
        Tensor[] inputs = {f, l};
        for (Tensor x : inputs) {
            for (DType to : DType.values()) {
                Tensor expected = output(to, 3, 37), y = output(to, 3, 37);
                REF.cast(x, expected);
                two.cast(x, y);
                assertClose(expected, y, "cast " + x.dtype() + " -> " + to);
            }
            Tensor expected = output(x.dtype(), 111), y = output(x.dtype(), 111);
            REF.copy(x, expected);
            two.copy(x, y);
            assertClose(expected, y, "copy " + x.dtype());
        }
    }

    // ---------------------------------------------------------------- validation

    @Test
    void rejectsMismatchedShapesLikeTheReference() {
        Random rnd = new Random(4);
        Tensor x = random(rnd, 1, 4, 5, 5);
        Tensor w = random(rnd, 6, 4, 3, 3);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.NONE);
        for (Backend b : List.of(REF, two)) {
            String n = b.name();
            assertThrows(IllegalArgumentException.class, () -> b.conv2d(p, x, w, null, null, output(1, 6, 5, 4)), n);
            assertThrows(IllegalArgumentException.class, () -> b.conv2d(p, x, w, random(rnd, 5), null, output(1, 6, 5, 5)), n);
            assertThrows(IllegalArgumentException.class, () -> b.conv2d(p, x, w, null, random(rnd, 1, 6, 5, 4), output(1, 6, 5, 5)), n);
            assertThrows(IllegalArgumentException.class, () -> b.conv2d(p, random(rnd, 1, 3, 5, 5), w, null, null, output(1, 6, 5, 5)), n);
            Conv2dParams g4 = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 4, Activation.NONE);
            assertThrows(IllegalArgumentException.class, () -> b.conv2d(g4, x, random(rnd, 6, 1, 3, 3), null, null, output(1, 6, 5, 5)), n);
            assertThrows(IllegalArgumentException.class, () -> b.binary(BinaryOp.ADD, random(rnd, 2, 3), random(rnd, 4), output(2, 3)), n);
            assertThrows(IllegalArgumentException.class, () -> b.binary(BinaryOp.ADD, random(rnd, 2, 3), random(rnd, 3), output(2, 4)), n);
            assertThrows(IllegalArgumentException.class, () -> b.binary(BinaryOp.ADD, random(rnd, 3), randomLongs(rnd, 3, 3), output(3)), n);
            assertThrows(IllegalArgumentException.class, () -> b.gather(0, random(rnd, 3), longs(shape(1), 3), output(1)), n);
            assertThrows(IllegalArgumentException.class, () -> b.gather(0, random(rnd, 3), longs(shape(1), -4), output(1)), n);
            assertThrows(IllegalArgumentException.class, () -> b.gather(0, random(rnd, 3, 2), longs(shape(1), 0), output(2)), n);
            assertThrows(IllegalArgumentException.class, () -> b.slice(new int[] {8}, new int[] {1}, random(rnd, 10), output(3)), n);
            assertThrows(IllegalArgumentException.class, () -> b.slice(new int[] {1}, new int[] {-2}, random(rnd, 10), output(2)), n);
            assertThrows(IllegalArgumentException.class, () -> b.slice(new int[] {1}, new int[] {0}, random(rnd, 10), output(2)), n);
            assertThrows(IllegalArgumentException.class, () -> b.transpose(new int[] {0, 0}, random(rnd, 2, 2), output(2, 2)), n);
            assertThrows(IllegalArgumentException.class, () -> b.transpose(new int[] {1, 0}, random(rnd, 2, 3), output(2, 3)), n);
            assertThrows(IllegalArgumentException.class, () -> b.concat(0, List.of(random(rnd, 2, 3), random(rnd, 2, 2)), output(4, 3)), n);
            assertThrows(IllegalArgumentException.class, () -> b.concat(1, List.of(random(rnd, 2, 3), random(rnd, 2, 2)), output(2, 6)), n);
            assertThrows(IllegalArgumentException.class, () -> b.maxPool2d(new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false), random(rnd, 1, 1, 5, 5), output(1, 1, 2, 3)), n);
            assertThrows(IllegalArgumentException.class, () -> b.unary(UnaryOp.RELU, random(rnd, 3), output(4)), n);
            assertThrows(IllegalArgumentException.class, () -> b.copy(random(rnd, 3), output(4)), n);
            assertThrows(IllegalArgumentException.class, () -> b.cast(random(rnd, 3), output(DType.INT64, 4)), n);
            assertThrows(IllegalArgumentException.class, () -> b.binary(BinaryOp.DIV, longs(shape(1), 1), longs(shape(1), 0), output(DType.INT64, 1)), n);
            assertThrows(IllegalArgumentException.class, () -> b.batchNorm(1e-5f, random(rnd, 1, 3, 2, 2), random(rnd, 3), random(rnd, 3), random(rnd, 2), random(rnd, 3), output(1, 3, 2, 2)), n);
        }
    }

    @Test
    void namesAndThreads() {
        assertEquals("java", two.name());
        assertEquals(2, two.threads());
        assertEquals("java-reference", REF.name());
        assertThrows(IllegalArgumentException.class, () -> new JavaBackend(0));
    }
}

package io.freeanchor.kernels.opencl;

import static io.freeanchor.kernels.TestTensors.GUARD;
import static io.freeanchor.kernels.TestTensors.GUARD_LONG;
import static io.freeanchor.kernels.TestTensors.output;
import static io.freeanchor.kernels.TestTensors.random;
import static io.freeanchor.kernels.TestTensors.randomLongs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.BinaryOp;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Pool2dParams;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.ResizeParams;
import io.freeanchor.kernels.ResizeParams.CoordinateTransform;
import io.freeanchor.kernels.ResizeParams.NearestRounding;
import io.freeanchor.kernels.Shapes;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link OpenClBackend} op against {@link ReferenceBackend} on odd shapes, in stores longer
 * than the tensors (the tail must survive). Tolerances: FP32 {@code max|ocl - ref| <= 1e-4 max|ref|};
 * FP16 storage {@code <= 1e-2 max|ref|} (half has an 11-bit significand; arithmetic stays FP32);
 * INT64 results and FP32 data movement exactly. Convolutions run with every tile configuration.
 */
class OpenClBackendTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static OpenClBackend fp32, fp16;
    private static final List<OpenClBackend> tiled = new ArrayList<>();

    @BeforeAll
    static void start() {
        ClDevice d = OpenClTestDevice.get();
        fp32 = new OpenClBackend(d, OpenClBackend.Precision.FP32, null);
        fp16 = new OpenClBackend(d, OpenClBackend.Precision.FP16, null);
        for (TileConfig c : TileConfig.CANDIDATES) {
            tiled.add(new OpenClBackend(d, OpenClBackend.Precision.FP32, c));
        }
    }

    @AfterAll
    static void stop() {
        if (fp32 != null) {
            fp32.close();
            fp16.close();
        }
        tiled.forEach(OpenClBackend::close);
    }

    // ---------------------------------------------------------------- helpers

    /** Runs op on the reference and on the backend; compares with the precision's tolerance. */
    static void check(OpenClBackend b, String what, Tensor yShape, BiConsumer<Backend, Tensor> op) {
        Tensor ref = output(yShape.dtype(), yShape.shape());
        Tensor ocl = output(yShape.dtype(), yShape.shape());
        op.accept(REF, ref);
        op.accept(b, ocl);
        b.syncToHost(ocl);
        int n = ocl.size();
        if (ocl.dtype() == DType.INT64) {
            assertArrayEquals(ref.toLongArray(), ocl.toLongArray(), what);
            for (int i = n; i < ocl.longs().length; i++) {
                assertEquals(GUARD_LONG, ocl.longs()[i], what + ": tail overwritten");
            }
            return;
        }
        double tol = b.precision() == OpenClBackend.Precision.FP16 ? 1e-2 : 1e-4;
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < n; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref.floats()[i]));
            double d = Math.abs(ref.floats()[i] - ocl.floats()[i]);
            maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, d);
        }
        assertTrue(maxDiff <= tol * Math.max(maxRef, 1e-30), what + " on " + b.name() + ": max diff " + maxDiff
                + " > " + tol + " * max|ref| " + maxRef);
        for (int i = n; i < ocl.floats().length; i++) {
            assertEquals(GUARD, ocl.floats()[i], (b.precision() == OpenClBackend.Precision.FP16 ? 8 : 0),
                    what + ": tail of the store overwritten at " + i);
        }
    }

    static List<OpenClBackend> both() {
        return List.of(fp32, fp16);
    }

    // ---------------------------------------------------------------- conv2d

    record ConvCase(String name, int n, int c, int h, int w, int m, int kh, int kw, int sh, int sw, int pt, int pl,
                    int pb, int pr, int dh, int dw, int group, boolean bias, boolean residual, Activation act) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ConvCase> convCases() {
        Activation relu = Activation.RELU, none = Activation.NONE;
        return Stream.of(
                new ConvCase("1x1 17->33 bias+res relu", 1, 17, 9, 13, 33, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, relu),
                new ConvCase("3x3 s2 p1 batch 2", 2, 5, 11, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true, false, relu),
                new ConvCase("7x7 s2 p3 stem-like", 1, 3, 19, 23, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, false, false, none),
                new ConvCase("3x3 dilation 2 asym pads", 1, 4, 10, 12, 7, 3, 3, 1, 1, 2, 1, 0, 2, 2, 2, 1, true, false, none),
                new ConvCase("3x2 stride 1x3", 2, 6, 8, 14, 5, 3, 2, 1, 3, 1, 0, 1, 1, 1, 1, 1, true, true, none),
                new ConvCase("one output channel", 1, 70, 5, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false, relu),
                new ConvCase("65 channels 1x1 map", 3, 9, 1, 1, 65, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, false, none),
                new ConvCase("group 2 (direct kernel)", 1, 6, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, true, true, relu),
                new ConvCase("depthwise", 2, 5, 6, 6, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5, false, false, none));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void conv2d(ConvCase k) {
        Random rnd = new Random(k.name().hashCode());
        Conv2dParams p = new Conv2dParams(k.sh(), k.sw(), k.pt(), k.pl(), k.pb(), k.pr(), k.dh(), k.dw(), k.group(), k.act());
        Tensor x = random(rnd, k.n(), k.c(), k.h(), k.w());
        Tensor w = random(rnd, k.m(), k.c() / k.group(), k.kh(), k.kw());
        Tensor bias = k.bias() ? random(rnd, k.m()) : null;
        int oh = p.outHeight(k.h(), k.kh()), ow = p.outWidth(k.w(), k.kw());
        Tensor res = k.residual() ? random(rnd, k.n(), k.m(), oh, ow) : null;
        Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {k.n(), k.m(), oh, ow});
        List<OpenClBackend> all = new ArrayList<>(tiled);
        all.addAll(both());
        for (OpenClBackend b : all) {
            check(b, k.name(), y, (be, out) -> be.conv2d(p, x, w, bias, res, out));
        }
    }

    /**
     * The FPN's fused Resize: the residual [n, m, oh / rh, ow / rw] read nearest-upsampled, through
     * conv_gemm (every tile configuration) and conv_direct (group 2); odd maps, batch 2, ReLU.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("upsampledResidualCases")
    void conv2dUpsampledResidual(String name, int c, int h, int w, int m, int k, int group, int rh, int rw) {
        Random rnd = new Random(name.hashCode());
        int pad = k / 2;
        Conv2dParams p = new Conv2dParams(1, 1, pad, pad, pad, pad, 1, 1, group, Activation.RELU).withResidualScale(rh, rw);
        Tensor x = random(rnd, 2, c, h, w);
        Tensor wt = random(rnd, m, c / group, k, k);
        Tensor bias = random(rnd, m);
        Tensor res = random(rnd, 2, m, h / rh, w / rw);
        Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {2, m, h, w});
        List<OpenClBackend> all = new ArrayList<>(tiled);
        all.addAll(both());
        for (OpenClBackend b : all) {
            check(b, name, y, (be, out) -> be.conv2d(p, x, wt, bias, res, out));
        }
    }

    static Stream<Arguments> upsampledResidualCases() {
        return Stream.of(
                Arguments.of("1x1 lateral 2x2 from 5x7", 17, 10, 14, 12, 1, 1, 2, 2),
                Arguments.of("1x1 3x1 odd 15x13", 9, 15, 13, 5, 1, 1, 3, 1),
                Arguments.of("3x3 3x3 odd 21x15", 8, 21, 15, 6, 3, 1, 3, 3),
                Arguments.of("group 2 (direct kernel) 2x2", 6, 6, 10, 4, 3, 2, 2, 2));
    }

    // ---------------------------------------------------------------- the rest

    @Test
    void batchNorm() {
        Random rnd = new Random(1);
        Tensor x = random(rnd, 2, 3, 5, 7);
        Tensor scale = random(rnd, 3), bias = random(rnd, 3), mean = random(rnd, 3);
        Tensor var = Tensor.ofFloats(new int[] {3}, new float[] {0.5f, 1.5f, 2f});
        for (OpenClBackend b : both()) {
            check(b, "batchNorm", x, (be, y) -> be.batchNorm(1e-5f, x, scale, bias, mean, var, y));
        }
    }

    static Stream<Arguments> poolCases() {
        return Stream.of(
                Arguments.of(new int[] {2, 5, 17, 20}, new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false)),
                Arguments.of(new int[] {1, 3, 9, 7}, new Pool2dParams(2, 2, 2, 2, 0, 0, 0, 0, 1, 1, true)),
                Arguments.of(new int[] {1, 3, 6, 7}, new Pool2dParams(3, 2, 1, 2, 0, 1, 2, 0, 1, 1, false)),
                Arguments.of(new int[] {1, 2, 11, 12}, new Pool2dParams(3, 3, 1, 1, 2, 2, 2, 2, 2, 2, false)));
    }

    @ParameterizedTest
    @MethodSource("poolCases")
    void maxPool(int[] shape, Pool2dParams p) {
        Tensor x = random(new Random(2), shape);
        Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {shape[0], shape[1], p.outHeight(shape[2]), p.outWidth(shape[3])});
        for (OpenClBackend b : both()) {
            check(b, "maxPool", y, (be, out) -> be.maxPool2d(p, x, out));
        }
    }

    @Test
    void binaryBroadcasts() {
        Random rnd = new Random(3);
        Tensor a = random(rnd, 2, 1, 5), c = random(rnd, 3, 1), s = random(rnd);
        Tensor pos = Tensor.ofFloats(new int[] {3, 1}, new float[] {1.5f, -2.25f, 3f});
        for (BinaryOp op : BinaryOp.values()) {
            for (OpenClBackend b : both()) {
                check(b, "binary " + op, Tensor.zeros(DType.FLOAT32, new int[] {2, 3, 5}),
                        (be, y) -> be.binary(op, a, op == BinaryOp.DIV ? pos : c, y));
                check(b, "binary scalar " + op, Tensor.zeros(DType.FLOAT32, new int[] {3, 1}),
                        (be, y) -> be.binary(op, c, s.floats()[0] == 0 ? pos : s, y));
            }
        }
        Tensor la = randomLongs(rnd, 50, 4, 3), lb = Tensor.ofLongs(new int[] {3}, new long[] {7, -3, 2});
        for (BinaryOp op : BinaryOp.values()) {
            check(fp32, "int64 " + op, Tensor.zeros(DType.INT64, new int[] {4, 3}), (be, y) -> be.binary(op, la, lb, y));
        }
        Tensor zero = Tensor.ofLongs(new int[] {3}, new long[] {1, 0, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fp32.binary(BinaryOp.DIV, la, zero, Tensor.zeros(DType.INT64, new int[] {4, 3})));
        assertTrue(e.getMessage().contains("division by zero"), e.getMessage());
    }

    @Test
    void unary() {
        Tensor x = random(new Random(4), 3, 7, 5);
        for (UnaryOp op : UnaryOp.values()) {
            for (OpenClBackend b : both()) {
                check(b, "unary " + op, x, (be, y) -> be.unary(op, x, y));
            }
        }
    }

    static Stream<Arguments> resizeCases() {
        return Stream.of(
                Arguments.of("FPN x2 asymmetric floor", new int[] {1, 2, 3, 5}, new int[] {1, 2, 6, 10},
                        new ResizeParams(new float[] {1, 1, 2, 2}, CoordinateTransform.ASYMMETRIC, NearestRounding.FLOOR)),
                Arguments.of("odd sizes half-pixel", new int[] {2, 3, 5, 7}, new int[] {2, 3, 9, 4},
                        new ResizeParams(new float[] {1, 1, 1.8f, 4f / 7}, CoordinateTransform.HALF_PIXEL,
                                NearestRounding.ROUND_PREFER_FLOOR)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resizeCases")
    void resizeNearest(String name, int[] in, int[] out, ResizeParams p) {
        Tensor x = random(new Random(5), in);
        for (OpenClBackend b : both()) {
            check(b, name, Tensor.zeros(DType.FLOAT32, out), (be, y) -> be.resizeNearest(p, x, y));
        }
        Tensor lx = randomLongs(new Random(5), 1000, in);
        check(fp32, name + " int64", Tensor.zeros(DType.INT64, out), (be, y) -> be.resizeNearest(p, lx, y));
    }

    @Test
    void dataMovement() {
        Random rnd = new Random(6);
        Tensor x = random(rnd, 2, 3, 4, 5);
        Tensor lx = randomLongs(rnd, 1000, 2, 3, 4, 5);
        for (OpenClBackend b : both()) {
            check(b, "transpose", Tensor.zeros(DType.FLOAT32, new int[] {2, 4, 5, 3}),
                    (be, y) -> be.transpose(new int[] {0, 2, 3, 1}, x, y));
            check(b, "slice negative step", Tensor.zeros(DType.FLOAT32, new int[] {2, 2, 2, 3}),
                    (be, y) -> be.slice(new int[] {0, 2, 1, 4}, new int[] {1, -1, 2, -2}, x, y));
            Tensor x2 = random(rnd, 2, 1, 4, 5), x3 = random(rnd, 2, 2, 4, 5);
            check(b, "concat axis 1", Tensor.zeros(DType.FLOAT32, new int[] {2, 6, 4, 5}),
                    (be, y) -> be.concat(1, List.of(x, x2, x3), y));
            Tensor idx = Tensor.ofLongs(new int[] {2, 2}, new long[] {2, -1, 0, 1});
            check(b, "gather axis 2", Tensor.zeros(DType.FLOAT32, new int[] {2, 3, 2, 2, 5}),
                    (be, y) -> be.gather(2, x, idx, y));
            check(b, "copy (reshape)", Tensor.zeros(DType.FLOAT32, new int[] {6, 20}), (be, y) -> be.copy(x, y));
            check(b, "cast to int64", Tensor.zeros(DType.INT64, new int[] {2, 3, 4, 5}), (be, y) -> {
                Tensor scaled = Tensor.ofFloats(x.shape(), x.toFloatArray());
                for (int i = 0; i < scaled.size(); i++) {
                    scaled.floats()[i] = Math.round(scaled.floats()[i] * 8) / 4f; // exact in half too
                }
                be.cast(scaled, y);
            });
            check(b, "cast to float", Tensor.zeros(DType.FLOAT32, new int[] {2, 3, 4, 5}), (be, y) -> be.cast(lx, y));
        }
        check(fp32, "transpose int64", Tensor.zeros(DType.INT64, new int[] {5, 4, 3, 2}),
                (be, y) -> be.transpose(new int[] {3, 2, 1, 0}, lx, y));
        check(fp32, "concat int64", Tensor.zeros(DType.INT64, new int[] {2, 3, 4, 10}),
                (be, y) -> be.concat(-1, List.of(lx, lx), y));
        check(fp32, "gather int64", Tensor.zeros(DType.INT64, new int[] {3, 3, 4, 5}),
                (be, y) -> be.gather(0, lx, Tensor.ofLongs(new int[] {3}, new long[] {1, 0, -2}), y));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fp32.gather(0, x,
                Tensor.ofLongs(new int[] {1}, new long[] {5}), Tensor.zeros(DType.FLOAT32, new int[] {1, 3, 4, 5})));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void hostWritesAreUploadedAgainAndResultsStayOnTheDevice() {
        Tensor x = Tensor.ofFloats(new int[] {4}, new float[] {1, -2, 3, -4});
        Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {4});
        fp32.unary(UnaryOp.RELU, x, y);
        assertArrayEquals(new float[4], y.floats(), "not copied back before syncToHost");
        fp32.syncToHost(y);
        assertArrayEquals(new float[] {1, 0, 3, 0}, y.floats());
        x.floats()[1] = 5;
        fp32.unary(UnaryOp.RELU, x, y);
        fp32.syncToHost(y);
        assertArrayEquals(new float[] {1, 0, 3, 0}, y.floats(), "without hostWritten the device copy is used");
        fp32.hostWritten(x);
        fp32.unary(UnaryOp.RELU, x, y);
        fp32.release(y);
        assertArrayEquals(new float[] {1, 5, 3, 0}, y.floats());
    }
}

package io.freeanchor.kernels.opencl;

import static io.freeanchor.kernels.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.opencl.OpenClBackendTest.ConvCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Winograd F(2x2,3x3) forced on ({@code -Dfreeanchor.opencl.winograd=on}) against the reference
 * backend with {@link OpenClBackendTest#check}'s tolerances (FP32 1e-4, FP16 1e-2 of max|ref|), its
 * batched GEMM with every tile configuration; ineligible convolutions never take it, and rewritten
 * weights are transformed again.
 */
class OpenClWinogradTest {
    private static OpenClBackend fp32, fp16;
    private static final List<OpenClBackend> tiled = new ArrayList<>();

    /** Runs make with a system property set, restoring its previous value. */
    static <T> T withProperty(String name, String value, Supplier<T> make) {
        String before = System.getProperty(name);
        System.setProperty(name, value);
        try {
            return make.get();
        } finally {
            if (before == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, before);
            }
        }
    }

    @BeforeAll
    static void start() {
        ClDevice d = OpenClTestDevice.get();
        withProperty("freeanchor.opencl.winograd", "on", () -> {
            fp32 = new OpenClBackend(d, OpenClBackend.Precision.FP32, null);
            fp16 = new OpenClBackend(d, OpenClBackend.Precision.FP16, null);
            for (TileConfig c : TileConfig.CANDIDATES) {
                if (c.fits(d, false)) {
                    tiled.add(new OpenClBackend(d, OpenClBackend.Precision.FP32, c));
                }
            }
            return null;
        });
    }

    @AfterAll
    static void stop() {
        if (fp32 != null) {
            fp32.close();
            fp16.close();
        }
        tiled.forEach(OpenClBackend::close);
    }

    static Stream<ConvCase> cases() {
        Activation relu = Activation.RELU, none = Activation.NONE;
        return Stream.of(
                new ConvCase("7x9 p1 bias+res relu", 1, 5, 7, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, relu),
                new ConvCase("batch 3 13x11 p0 17->33 bias", 3, 17, 13, 11, 33, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, false, none),
                new ConvCase("1x1 map p1 batch 2", 2, 3, 1, 1, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, relu),
                new ConvCase("3x4 p0 (1x2 out)", 1, 9, 3, 4, 5, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, false, true, none),
                new ConvCase("asym pads 65->70", 1, 65, 6, 5, 70, 3, 3, 1, 1, 2, 0, 1, 1, 1, 1, 1, true, false, relu),
                new ConvCase("batch 3 odd 129->1 p1", 3, 129, 5, 15, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, false, false, relu),
                new ConvCase("20x18 64->64 p1 bias+res relu", 2, 64, 20, 18, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, relu));
    }

    /** Runs conv on the reference and b, compares, and checks that b took (or skipped) Winograd. */
    static void checkConv(OpenClBackend b, ConvCase k, boolean expectWinograd) {
        Random rnd = new Random(k.name().hashCode());
        Conv2dParams p = new Conv2dParams(k.sh(), k.sw(), k.pt(), k.pl(), k.pb(), k.pr(), k.dh(), k.dw(), k.group(), k.act());
        Tensor x = random(rnd, k.n(), k.c(), k.h(), k.w());
        Tensor w = random(rnd, k.m(), k.c() / k.group(), k.kh(), k.kw());
        Tensor bias = k.bias() ? random(rnd, k.m()) : null;
        int oh = p.outHeight(k.h(), k.kh()), ow = p.outWidth(k.w(), k.kw());
        Tensor res = k.residual() ? random(rnd, k.n(), k.m(), oh, ow) : null;
        Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {k.n(), k.m(), oh, ow});
        long before = b.winograd().runs();
        OpenClBackendTest.check(b, k.name(), y, (be, out) -> be.conv2d(p, x, w, bias, res, out));
        assertEquals(expectWinograd, b.winograd().runs() > before, k.name() + " on " + b.name() + ": Winograd taken");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReference(ConvCase k) {
        List<OpenClBackend> all = new ArrayList<>(tiled);
        all.add(fp32);
        all.add(fp16);
        for (OpenClBackend b : all) {
            checkConv(b, k, true);
        }
    }

    static Stream<ConvCase> ineligible() {
        Activation none = Activation.NONE;
        return Stream.of(
                new ConvCase("3x3 stride 2", 1, 4, 9, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true, false, none),
                new ConvCase("3x3 stride 1x2", 1, 4, 9, 9, 5, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 1, false, false, none),
                new ConvCase("3x3 dilation 2", 1, 4, 9, 9, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, false, false, none),
                new ConvCase("3x3 group 2", 1, 4, 9, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, false, false, none),
                new ConvCase("depthwise 3x3", 1, 4, 9, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, false, false, none),
                new ConvCase("1x1", 1, 4, 9, 9, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, false, false, none),
                new ConvCase("5x5", 1, 4, 9, 9, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, false, false, none),
                new ConvCase("3x1", 1, 4, 9, 9, 5, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, false, false, none));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ineligible")
    void neverTakenWhereIneligible(ConvCase k) {
        Conv2dParams p = new Conv2dParams(k.sh(), k.sw(), k.pt(), k.pl(), k.pb(), k.pr(), k.dh(), k.dw(), k.group(), k.act());
        assertFalse(ClWinograd.eligible(p, k.kh(), k.kw()), k.name());
        checkConv(fp32, k, false);
    }

    @Test
    void upsampledResidualIsNeverWinograd() {
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.NONE, 2, 2);
        assertFalse(ClWinograd.eligible(p, 3, 3), "a residual read at (oh / 2, ow / 2) goes to GEMM");
    }

    @Test
    void rewrittenWeightsAreTransformedAgain() {
        Random rnd = new Random(5);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.NONE);
        Tensor x = random(rnd, 1, 6, 8, 7), w = random(rnd, 4, 6, 3, 3);
        Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {1, 4, 8, 7});
        OpenClBackendTest.check(fp32, "first weights", y, (be, out) -> be.conv2d(p, x, w, null, null, out));
        for (int i = 0; i < w.size(); i++) {
            w.floats()[i] = (float) rnd.nextGaussian();
        }
        fp32.hostWritten(w);
        OpenClBackendTest.check(fp32, "rewritten weights", y, (be, out) -> be.conv2d(p, x, w, null, null, out));
        long held = fp32.winograd().bytes();
        fp32.release(w);
        assertTrue(fp32.winograd().bytes() <= held - 16L * 4 * 6 * Float.BYTES, "filters released with the weights");
    }
}

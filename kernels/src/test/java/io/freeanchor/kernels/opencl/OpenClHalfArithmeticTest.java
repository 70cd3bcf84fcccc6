package io.freeanchor.kernels.opencl;

import static io.freeanchor.kernels.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.opencl.OpenClBackend.HalfArithmetic;
import io.freeanchor.kernels.opencl.OpenClBackend.Precision;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv_gemm's half arithmetic, emulated ({@code -Dfreeanchor.opencl.halfArithmetic=emulate}: float
 * registers rounded to half after every operation), which any OpenCL 1.2 device runs, PoCL included:
 * <ul>
 * <li>every tile configuration on the conv shapes of {@link OpenClBackendTest} (odd channels, 1x1 maps,
 * batch > 1, strides, 7x7, padding, bias, residual, upsampled residual, ReLU) within 1e-2 of
 * max|ref| of the reference backend, bit-identical across tile configurations (chunks are aligned
 * on k), and different from FP16 storage with FP32 arithmetic on some outputs (the mode is on);
 * <li>a small convolution bit for bit against a Java model of the same arithmetic;
 * <li>which mode a backend gets, its name, and separate tuning files per mode.
 * </ul>
 */
class OpenClHalfArithmeticTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    /** conv_gemm.cl's HALF_CHUNK: k-steps summed in half before the FP32 sum. */
    private static final int CHUNK = 16;
    private static ClDevice device;
    private static final List<OpenClBackend> storageOnly = new ArrayList<>(), emulated = new ArrayList<>();

    @BeforeAll
    static void start() {
        device = OpenClTestDevice.get();
        for (TileConfig c : TileConfig.CANDIDATES) {
            storageOnly.add(create(Precision.FP16, "off", c));
            emulated.add(create(Precision.FP16, "emulate", c));
        }
    }

    @AfterAll
    static void stop() {
        storageOnly.forEach(OpenClBackend::close);
        emulated.forEach(OpenClBackend::close);
    }

    private static OpenClBackend create(Precision p, String halfArithmetic, TileConfig tiles) {
        return OpenClWinogradTest.withProperty(HalfArithmetic.PROPERTY, halfArithmetic,
                () -> new OpenClBackend(device, p, tiles));
    }

    /** One convolution with its inputs. */
    record Conv(String name, Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor res, int[] yShape) {
        @Override
        public String toString() {
            return name;
        }

        float[] run(io.freeanchor.kernels.Backend b) {
            Tensor y = Tensor.zeros(DType.FLOAT32, yShape);
            b.conv2d(p, x, w, bias, res, y);
            b.syncToHost(y);
            return y.toFloatArray();
        }
    }

    /** OpenClBackendTest's group-1 convolutions (the ones conv_gemm runs) and its upsampled residuals. */
    static Stream<Conv> convs() {
        Stream<Conv> plain = OpenClBackendTest.convCases().filter(k -> k.group() == 1).map(k -> {
            Random rnd = new Random(k.name().hashCode());
            Conv2dParams p = new Conv2dParams(k.sh(), k.sw(), k.pt(), k.pl(), k.pb(), k.pr(), k.dh(), k.dw(), 1, k.act());
            Tensor x = random(rnd, k.n(), k.c(), k.h(), k.w()), w = random(rnd, k.m(), k.c(), k.kh(), k.kw());
            Tensor bias = k.bias() ? random(rnd, k.m()) : null;
            int oh = p.outHeight(k.h(), k.kh()), ow = p.outWidth(k.w(), k.kw());
            Tensor res = k.residual() ? random(rnd, k.n(), k.m(), oh, ow) : null;
            return new Conv(k.name(), p, x, w, bias, res, new int[] {k.n(), k.m(), oh, ow});
        });
        Stream<Conv> upsampled = OpenClBackendTest.upsampledResidualCases().map(a -> a.get())
                .filter(a -> (int) a[6] == 1).map(a -> {
                    String name = (String) a[0];
                    int c = (int) a[1], h = (int) a[2], w = (int) a[3], m = (int) a[4], k = (int) a[5];
                    int rh = (int) a[7], rw = (int) a[8], pad = k / 2;
                    Random rnd = new Random(name.hashCode());
                    Conv2dParams p = new Conv2dParams(1, 1, pad, pad, pad, pad, 1, 1, 1, Activation.RELU)
                            .withResidualScale(rh, rw);
                    return new Conv("upsampled residual " + name, p, random(rnd, 2, c, h, w), random(rnd, m, c, k, k),
                            random(rnd, m), random(rnd, 2, m, h / rh, w / rw), new int[] {2, m, h, w});
                });
        return Stream.concat(plain, upsampled);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convs")
    void emulatedOnEveryTileConfigurationMatchesTheReference(Conv conv) {
        float[] ref = conv.run(REF);
        double maxRef = 0;
        for (float r : ref) {
            maxRef = Math.max(maxRef, Math.abs(r));
        }
        float[] first = null;
        double worst = 0, worstStorageOnly = 0;
        int changed = 0;
        for (int i = 0; i < emulated.size(); i++) {
            OpenClBackend b = emulated.get(i);
            float[] half = conv.run(b), storage = conv.run(storageOnly.get(i));
            double err = maxDiff(half, ref) / maxRef;
            assertTrue(err <= 1e-2, conv + " on " + b.name() + " " + TileConfig.CANDIDATES.get(i).id()
                    + ": max diff " + err + " of max|ref| > 1e-2");
            worst = Math.max(worst, err);
            worstStorageOnly = Math.max(worstStorageOnly, maxDiff(storage, ref) / maxRef);
            for (int j = 0; j < half.length; j++) {
                changed += half[j] != storage[j] ? 1 : 0;
            }
            if (first == null) {
                first = half;
            } else {
                assertArrayEquals(first, half, conv + ": " + TileConfig.CANDIDATES.get(i).id()
                        + " differs from " + TileConfig.CANDIDATES.getFirst().id() + " (chunks aligned on k: same numerics)");
            }
        }
        System.out.printf("half arithmetic (emulated) %s: max error %.2e of max|ref| (FP32 arithmetic, FP16 storage %.2e);"
                + " %d of %d outputs differ from it%n", conv, worst, worstStorageOnly, changed / emulated.size(), ref.length);
        assertTrue(changed > 0, conv + ": emulated half arithmetic gave exactly the FP32-arithmetic results: is it on?");
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            double e = Math.abs(a[i] - b[i]);
            d = Double.isNaN(e) ? Double.POSITIVE_INFINITY : Math.max(d, e);
        }
        return d;
    }

    // ---------------------------------------------------------------- Java model

    private static float half(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /** The emulation's fma: a * b + c rounded to float, then to half (both to nearest even). */
    private static float emulatedFma(float a, float b, float c) {
        return half(Math.fma(a, b, c));
    }

    /**
     * A cl_khr_fp16 device's fma: the exact a * b + c rounded once to half. Rounding the exact value
     * to float "to odd" first (an inexact result keeps an odd last bit) and then to half is a single
     * rounding, since float has more than two bits beyond half's.
     */
    private static float nativeFma(float a, float b, float c) {
        BigDecimal exact = new BigDecimal(a).multiply(new BigDecimal(b)).add(new BigDecimal(c));
        float f = exact.floatValue();
        int side = exact.compareTo(new BigDecimal(f));
        if (side != 0 && (Float.floatToRawIntBits(f) & 1) == 0) {
            f = side > 0 ? Math.nextUp(f) : Math.nextDown(f);
        }
        return half(f);
    }

    interface Fma {
        float apply(float a, float b, float c);
    }

    /**
     * The convolution as conv_gemm computes it with half arithmetic: half inputs, per output the
     * k-steps in order, fma into a half partial sum, every CHUNK steps the partial sum added to an
     * FP32 sum; then + bias, + residual, ReLU in FP32 and the result stored as half. Counts in
     * {@code rounded[0]} the partial sums where fma and {@code other} disagree.
     */
    private static float[] model(Conv c, Fma fma, Fma other, int[] rounded) {
        int n = c.x().dim(0), ch = c.x().dim(1), h = c.x().dim(2), wd = c.x().dim(3);
        int m = c.w().dim(0), kh = c.w().dim(2), kw = c.w().dim(3), oh = c.yShape()[2], ow = c.yShape()[3];
        int k = ch * kh * kw;
        Conv2dParams p = c.p();
        float[] x = c.x().toFloatArray(), w = c.w().toFloatArray(), y = new float[n * m * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < m; o++) {
                for (int r = 0; r < oh; r++) {
                    for (int col = 0; col < ow; col++) {
                        float acc = 0, part = 0;
                        for (int s = 0; s < k; s++) {
                            int ci = s / (kh * kw), i = s / kw % kh, j = s % kw;
                            int ih = r * p.strideH() - p.padTop() + i * p.dilationH();
                            int iw = col * p.strideW() - p.padLeft() + j * p.dilationW();
                            float xv = ih >= 0 && ih < h && iw >= 0 && iw < wd ? half(x[((img * ch + ci) * h + ih) * wd + iw]) : 0;
                            float wv = half(w[o * k + s]), next = fma.apply(wv, xv, part);
                            rounded[0] += next != other.apply(wv, xv, part) ? 1 : 0;
                            part = next;
                            if ((s + 1) % CHUNK == 0) {
                                acc += part;
                                part = 0;
                            }
                        }
                        acc += part;
                        int yi = ((img * m + o) * oh + r) * ow + col;
                        float v = acc + half(c.bias().floats()[o]);
                        v += half(c.res().floats()[yi]);
                        y[yi] = half(Math.max(v, 0));
                    }
                }
            }
        }
        return y;
    }

    /**
     * A 3x3 convolution with K = 189 (11 full chunks and one of 13), bias, residual and ReLU: every
     * tile configuration equals the Java model of the emulated arithmetic exactly. The model with a
     * cl_khr_fp16 device's single-rounding fma instead measures how far the emulation is from native
     * half arithmetic (its double rounding): here, how many partial sums differ and by how much the
     * outputs do.
     */
    @Test
    void emulationMatchesAJavaModelBitForBit() {
        Random rnd = new Random(21);
        Conv2dParams p = new Conv2dParams(1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.RELU);
        Conv c = new Conv("model 21->5 3x3", p, random(rnd, 2, 21, 6, 7), random(rnd, 5, 21, 3, 3), random(rnd, 5),
                random(rnd, 2, 5, 6, 7), new int[] {2, 5, 6, 7});
        int[] doubleRounded = new int[1], unused = new int[1];
        float[] emulation = model(c, OpenClHalfArithmeticTest::emulatedFma, OpenClHalfArithmeticTest::nativeFma, doubleRounded);
        float[] nativeHalf = model(c, OpenClHalfArithmeticTest::nativeFma, OpenClHalfArithmeticTest::nativeFma, unused);
        for (OpenClBackend b : emulated) {
            float[] ours = c.run(b);
            for (int i = 0; i < ours.length; i++) {
                assertEquals(emulation[i], ours[i], 0, "output " + i + " on " + b.name() + " " + b.tunedConvolutions());
            }
        }
        int outputsDiffer = 0;
        for (int i = 0; i < emulation.length; i++) {
            outputsDiffer += emulation[i] != nativeHalf[i] ? 1 : 0;
        }
        int partialSums = emulation.length * 21 * 9;
        System.out.printf("half arithmetic model: device (emulated) = Java model bit for bit on %d outputs; single-rounding"
                + " (native) fma differs in %d of %d partial sums, %d outputs differ by up to %.2e%n", emulation.length,
                doubleRounded[0], partialSums, outputsDiffer, maxDiff(emulation, nativeHalf));
        assertTrue(doubleRounded[0] <= partialSums / 1000, "double rounding should be rare: " + doubleRounded[0]);
    }

    // ---------------------------------------------------------------- selection

    @Test
    void modeNameAndTuningFile() {
        OpenClBackend half = emulated.getFirst(), storage = storageOnly.getFirst();
        assertEquals(HalfArithmetic.EMULATED, half.halfArithmetic());
        assertEquals("opencl:" + device.index() + "/fp16+half-arith-emulated", half.name());
        assertEquals(HalfArithmetic.OFF, storage.halfArithmetic());
        assertEquals("opencl:" + device.index() + "/fp16", storage.name());
        assertNotEquals(storage.convTuner().file(), half.convTuner().file(), "each mode tunes for itself");
        try (OpenClBackend fp32 = create(Precision.FP32, "emulate", null);
             OpenClBackend plain32 = new OpenClBackend(device, Precision.FP32, null);
             OpenClBackend auto = create(Precision.FP16, "auto", null)) {
            assertEquals(HalfArithmetic.OFF, fp32.halfArithmetic(), "FP32 never computes in half");
            assertEquals("opencl:" + device.index(), fp32.name());
            assertEquals(plain32.convTuner().file(), fp32.convTuner().file());
            assertEquals(device.fp16() ? HalfArithmetic.NATIVE : HalfArithmetic.OFF, auto.halfArithmetic());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> create(Precision.FP16, "half", null));
        assertTrue(bad.getMessage().contains("must be auto, on, off or emulate, got 'half'"), bad.getMessage());
        if (!device.fp16()) {
            IllegalArgumentException on = assertThrows(IllegalArgumentException.class, () -> create(Precision.FP16, "on", null));
            assertTrue(on.getMessage().contains("has no cl_khr_fp16"), on.getMessage());
        }
    }

    /** The HALF_CHUNK the model uses is the kernel's. */
    @Test
    void modelChunkIsTheKernels() throws IOException {
        try (InputStream in = OpenClBackend.class.getResourceAsStream("conv_gemm.cl")) {
            String src = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(src.contains("#define HALF_CHUNK " + CHUNK + "\n"), "conv_gemm.cl's HALF_CHUNK is not " + CHUNK);
        }
    }
}

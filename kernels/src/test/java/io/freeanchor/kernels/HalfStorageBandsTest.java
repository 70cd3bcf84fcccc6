package io.freeanchor.kernels;

import static io.freeanchor.kernels.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HalfStorageBackend}'s row bands: a convolution or max pool run in bands under a small
 * scratch budget gives bit for bit what the same backend gives running it whole (Winograd tiles
 * and every GEMM column see the same values in the same order), on odd sizes, strides, 7x7, 1x1,
 * batch 2, residuals plain and upsampled, FP32 graph-edge inputs and outputs; and the scratch it
 * keeps stays near the budget instead of growing with the operands. {@link RowBand}'s geometry
 * against the output-size formula.
 */
class HalfStorageBandsTest {
    /** A budget that bands every case below into several bands. */
    private static final long SMALL = 3000;

    private static Tensor h(Random rnd, int... shape) {
        return Half.toHalf(random(rnd, shape));
    }

    record Case(String name, int n, int c, int m, int h, int w, int k, int stride, int pad, boolean fp32In,
                boolean fp32Out, int residualScale) {}

    @Test
    void bandedConvolutionsEqualWholeOnesBitForBit() {
        List<Case> cases = List.of(
                new Case("winograd 3x3", 2, 12, 8, 23, 29, 3, 1, 1, false, false, 0),
                new Case("winograd + residual", 1, 16, 8, 30, 17, 3, 1, 1, false, false, 1),
                new Case("winograd, fp32 out", 1, 12, 10, 25, 29, 3, 1, 1, false, true, 0),
                new Case("3x3 s2", 2, 6, 7, 27, 19, 3, 2, 1, false, false, 0),
                new Case("7x7 s2 stem, fp32 in", 1, 3, 8, 41, 37, 7, 2, 3, true, false, 0),
                new Case("1x1 + residual", 2, 20, 12, 14, 15, 1, 1, 0, false, false, 1),
                new Case("1x1 + upsampled residual", 1, 24, 10, 20, 18, 1, 1, 0, false, false, 2),
                new Case("3x3 pad 0", 1, 10, 6, 19, 16, 3, 1, 0, false, false, 0));
        Random rnd = new Random(11);
        try (HalfStorageBackend whole = new HalfStorageBackend(2, Long.MAX_VALUE);
             HalfStorageBackend banded = new HalfStorageBackend(2, SMALL)) {
            for (Case k : cases) {
                Conv2dParams p = new Conv2dParams(k.stride, k.stride, k.pad, k.pad, k.pad, k.pad, 1, 1, 1, Activation.RELU);
                int oh = p.outHeight(k.h, k.k), ow = p.outWidth(k.w, k.k);
                if (k.residualScale > 1) {
                    p = p.withResidualScale(k.residualScale, k.residualScale);
                }
                Tensor x = k.fp32In ? random(rnd, k.n, k.c, k.h, k.w) : h(rnd, k.n, k.c, k.h, k.w);
                Tensor wRaw = random(rnd, k.m, k.c, k.k, k.k), bias = h(rnd, k.m);
                Tensor residual = k.residualScale == 0 ? null
                        : h(rnd, k.n, k.m, oh / k.residualScale, ow / k.residualScale);
                int[] yShape = {k.n, k.m, oh, ow};
                Tensor[] ys = new Tensor[2];
                HalfStorageBackend[] backends = {whole, banded};
                for (int i = 0; i < 2; i++) {
                    Tensor w = backends[i].holdConstant(wRaw);
                    PreparedConv prepared = backends[i].prepareConv(p, x.shape(), w);
                    ys[i] = Tensor.zeros(k.fp32Out ? DType.FLOAT32 : DType.FLOAT16, yShape);
                    backends[i].conv2dPrepared(prepared, p, x, w, bias, residual, ys[i]);
                }
                assertSameValues(ys[0], ys[1], k.name);
            }
            assertTrue(banded.scratchBytes() < whole.scratchBytes() / 4,
                    "banded scratch " + banded.scratchBytes() + " vs whole " + whole.scratchBytes());
        }
    }

    @Test
    void bandedMaxPoolsEqualWholeOnes() {
        Random rnd = new Random(12);
        try (HalfStorageBackend whole = new HalfStorageBackend(2, Long.MAX_VALUE);
             HalfStorageBackend banded = new HalfStorageBackend(2, SMALL)) {
            for (Pool2dParams p : List.of(new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false),
                    new Pool2dParams(2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false),
                    new Pool2dParams(3, 3, 1, 1, 0, 2, 2, 0, 1, 1, false),
                    new Pool2dParams(3, 3, 2, 2, 0, 0, 0, 0, 1, 1, true))) {
                Tensor x = h(rnd, 2, 7, 33, 25);
                int[] yShape = {2, 7, p.outHeight(33), p.outWidth(25)};
                Tensor a = Tensor.zeros(DType.FLOAT16, yShape), b = Tensor.zeros(DType.FLOAT16, yShape);
                whole.maxPool2d(p, x, a);
                banded.maxPool2d(p, x, b);
                assertSameValues(a, b, p.toString());
            }
        }
    }

    @Test
    void rowBandsComputeExactlyTheirOutputRows() {
        for (int k = 1; k <= 7; k++) {
            for (int stride = 1; stride <= 3; stride++) {
                for (int dilation = 1; dilation <= 2; dilation++) {
                    for (int pad = 0; pad <= 3; pad++) {
                        Conv2dParams whole = new Conv2dParams(stride, 1, pad, 0, pad, 0, dilation, 1, 1, Activation.NONE);
                        int inH = 17, outH = whole.outHeight(inH, k);
                        if (outH < 1) {
                            continue;
                        }
                        for (int rows = 1; rows <= outH; rows++) {
                            for (int oh0 = 0; oh0 < outH; oh0 += rows) {
                                RowBand b = RowBand.of(oh0, Math.min(outH, oh0 + rows), k, stride, dilation, pad, inH);
                                if (b.inRows() == 0) {
                                    continue; // wholly in the padding: the backend runs such ops whole
                                }
                                String at = "k" + k + " s" + stride + " d" + dilation + " p" + pad + " " + b;
                                assertTrue(b.padTop() >= 0 && b.padBottom() >= 0, at);
                                Conv2dParams band = new Conv2dParams(stride, 1, b.padTop(), 0, b.padBottom(), 0, dilation,
                                        1, 1, Activation.NONE);
                                assertEquals(b.outRows(), band.outHeight(b.inRows(), k), at);
                                // its first output row's top tap is the whole op's tap of row oh0
                                assertEquals(oh0 * stride - pad, b.ih0() - b.padTop(), at);
                            }
                        }
                    }
                }
            }
        }
        assertEquals(8, RowBand.rowsPerBand(100, 1000, 9999, 4));
        assertEquals(4, RowBand.rowsPerBand(100, 1000, 10, 4), "at least one aligned band");
        assertEquals(100, RowBand.rowsPerBand(100, 1, Long.MAX_VALUE, 4), "everything fits");
    }

    private static void assertSameValues(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertEquals(expected.dtype(), actual.dtype(), what);
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getDouble(i), a = actual.getDouble(i);
            if (Double.doubleToLongBits(e) != Double.doubleToLongBits(a)) {
                throw new AssertionError(what + ": element " + i + " is " + a + ", whole-tensor run gives " + e);
            }
        }
    }
}

package io.freeanchor.kernels.opencl;

import io.freeanchor.kernels.Conv2dParams;
import java.util.List;
import java.util.Locale;

/**
 * Winograd F(2x2,3x3) convolution on the device (kernels in winograd.cl and wino_gemm in
 * conv_gemm.cl): per weight tensor the filters U = G g G^T once (kept, keyed by the weight's host
 * store and its device version, so a rewritten weight is re-transformed and a released or
 * collected one frees its U), then per call the input tiles V = B^T d B, the 16 GEMMs M = U V over
 * every tile of the batch and the output A^T M A with bias, residual and ReLU fused.
 *
 * <p>F(2x2) rather than F(4x4): its transforms only add and halve, so FP32 results stay within
 * about 1e-6 of the direct sum relative to the largest output, where F(4x4)'s larger constants cost
 * an order of magnitude or two. It does 2.25x fewer multiplies than the direct convolution, for
 * V and M scratch of 16 / 4 = 4x the input and output (FP32), which this class keeps and grows to
 * the largest shape seen. Whether it pays on a device is {@link ConvTuner}'s call.
 */
final class ClWinograd implements AutoCloseable {
    /** {@code -Dfreeanchor.opencl.winograd}: auto (the tuner times it), on (always where eligible), off. */
    enum Mode {
        AUTO, ON, OFF;

        static Mode fromProperty() {
            String v = System.getProperty("freeanchor.opencl.winograd", "auto");
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "on", "true" -> ON;
                case "off", "false" -> OFF;
                default -> throw new IllegalArgumentException(
                        "-Dfreeanchor.opencl.winograd must be auto, on or off, got '" + v + "'");
            };
        }
    }

    /** What the filters of one weight store were computed from. */
    private record FilterSource(long weightVersion, int k, int c) {}

    /** One convolution's buffers and dimensions. */
    record Call(ClBuffer x, ClBuffer bias, ClBuffer residual, ClBuffer y, int n, int c, int h, int w, int k,
                int oh, int ow, int padTop, int padLeft, boolean relu) {}

    private static final long ROUND = 64;

    private final ClContext ctx;
    private final ClKernel filter, input, output;
    private final DeviceStores filters = new DeviceStores();
    private final ClBuffer none;
    private ClBuffer v, m;
    private long runs;

    ClWinograd(ClContext ctx, String source, String options) {
        this.ctx = ctx;
        List<ClKernel> ks = ctx.build("winograd.cl", source, options, "wino_filter", "wino_input", "wino_output");
        filter = ks.get(0);
        input = ks.get(1);
        output = ks.get(2);
        none = ctx.buffer(16);
    }

    /** Stride 1, dilation 1, group 1, 3x3 kernel: the shapes F(2x2,3x3) computes (any padding). */
    static boolean eligible(Conv2dParams p, int kh, int kw) {
        // The output transform reads the residual at full resolution: an upsampled (FPN) residual goes to GEMM.
        return kh == 3 && kw == 3 && p.strideH() == 1 && p.strideW() == 1 && p.dilationH() == 1
                && p.dilationW() == 1 && p.group() == 1 && p.residualScaleH() == 1 && p.residualScaleW() == 1;
    }

    /**
     * Device bytes Winograd takes for one convolution of n images, c input and k output channels and
     * an oh x ow output: the input and output transform scratch (V, M; one pair serves every call,
     * sized by the largest) and the transformed filters (U, per weight).
     */
    static OpenClBackend.WinogradBytes bytes(int n, int c, int k, int oh, int ow) {
        long tiles = (long) n * ((oh + 1) / 2) * ((ow + 1) / 2);
        return new OpenClBackend.WinogradBytes(16L * c * tiles * Float.BYTES, 16L * k * tiles * Float.BYTES,
                16L * k * c * Float.BYTES);
    }

    /** Calls run so far (tests check which path a convolution took). */
    long runs() {
        return runs;
    }

    /** Device bytes of the transformed filters and the scratch. */
    long bytes() {
        return filters.bytes() + (v == null ? 0 : v.bytes()) + (m == null ? 0 : m.bytes());
    }

    /**
     * Runs the chain with the batched GEMM kernel of one tile configuration; timed runs cover the
     * first image only and return the summed device time of its three launches (the filters are
     * transformed before, untimed), untimed ones the batch and return 0.
     *
     * @param weightStore the weights' host store (the key of their transformed filters)
     * @param weightVersion its device version now; another version re-transforms
     */
    long run(ClKernel gemm, TileConfig t, boolean timed, Call call, Object weightStore, long weightVersion,
             ClBuffer weights) {
        ClBuffer u = filters(weightStore, weightVersion, weights, call.k(), call.c());
        int tilesH = (call.oh() + 1) / 2, tilesW = (call.ow() + 1) / 2;
        int tiles = (timed ? 1 : call.n()) * tilesH * tilesW;
        OpenClBackend.WinogradBytes need = bytes(timed ? 1 : call.n(), call.c(), call.k(), call.oh(), call.ow());
        ClBuffer vb = scratchV(need.inputScratch());
        ClBuffer mb = scratchM(need.outputScratch());
        input.args(call.x(), vb, new int[] {call.c(), call.h(), call.w(), tiles},
                new int[] {tilesH, tilesW, call.padTop(), call.padLeft()});
        gemm.args(u, vb, mb, call.k(), tiles, call.c());
        output.args(mb, call.bias() == null ? none : call.bias(), call.residual() == null ? none : call.residual(),
                call.y(), new int[] {call.k(), call.oh(), call.ow(), tiles},
                new int[] {tilesH, tilesW, call.bias() == null ? 0 : 1, call.residual() == null ? 0 : 1},
                call.relu() ? 1 : 0);
        long[] inGlobal = {roundUp(tiles, ROUND), call.c()};
        long[] gemmGlobal = {roundUp(tiles, t.tn()) / t.tn() * t.localX(), roundUp(call.k(), t.tm()) / t.tm() * t.localY(), 16};
        long[] gemmLocal = {t.localX(), t.localY(), 1};
        long[] outGlobal = {roundUp(tiles, ROUND), call.k()};
        runs++;
        if (timed) {
            return ctx.launchTimed(input, inGlobal, null) + ctx.launchTimed(gemm, gemmGlobal, gemmLocal)
                    + ctx.launchTimed(output, outGlobal, null);
        }
        ctx.launch(input, inGlobal, null);
        ctx.launch(gemm, gemmGlobal, gemmLocal);
        ctx.launch(output, outGlobal, null);
        return 0;
    }

    /** The transformed filters U[16][k][c] of a weight store, computed on the device when missing or stale. */
    private ClBuffer filters(Object store, long version, ClBuffer weights, int k, int c) {
        FilterSource from = new FilterSource(version, k, c);
        DeviceStores.Entry e = filters.find(store);
        if (e != null && from.equals(e.derivedFrom)) {
            return e.buffer;
        }
        filters.remove(store);
        ClBuffer u = ctx.buffer(16L * k * c * Float.BYTES);
        filters.add(store, u).derivedFrom = from;
        ctx.launch(filter.args(weights, u, k, c), new long[] {roundUp(c, ROUND), k}, null);
        return u;
    }

    /** Drops the transformed filters of a weight store (the backend released its tensor). */
    void forget(Object store) {
        filters.remove(store);
    }

    // The in-order queue finishes every launch that reads a scratch buffer before a later one
    // writes it, so one V and one M serve every call; a bigger shape replaces them.
    private ClBuffer scratchV(long bytes) {
        if (v == null || v.bytes() < bytes) {
            v = replace(v, bytes);
        }
        return v;
    }

    private ClBuffer scratchM(long bytes) {
        if (m == null || m.bytes() < bytes) {
            m = replace(m, bytes);
        }
        return m;
    }

    private ClBuffer replace(ClBuffer old, long bytes) {
        if (old != null) {
            ctx.finish(); // earlier launches may still use it
            old.close();
        }
        return ctx.buffer(bytes);
    }

    private static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }

    @Override
    public void close() {
        filters.close();
        none.close();
        if (v != null) {
            v.close();
        }
        if (m != null) {
            m.close();
        }
    }
}

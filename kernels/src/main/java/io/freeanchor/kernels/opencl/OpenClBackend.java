package io.freeanchor.kernels.opencl;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.BackendChecks;
import io.freeanchor.kernels.BinaryOp;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Pool2dParams;
import io.freeanchor.kernels.ResizeParams;
import io.freeanchor.kernels.Shapes;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.UnaryOp;
import io.freeanchor.kernels.head.HeadParams;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Backend} ops as OpenCL kernels on one device. Tensors stay on the device between ops:
 * each host store (float[]/long[]) gets one device buffer (see {@link DeviceStores}); inputs are
 * uploaded when the host side is newer (weights once), results are written only on the device and
 * copied back by {@link #syncToHost}. Callers that write a store on the host after the backend has
 * seen it say so with {@link #hostWritten}; {@code Network} does both for its inputs and outputs.
 *
 * <p>FP16 precision stores every FLOAT32 tensor as half on the device (weights and activations,
 * converted on upload and download) and computes in FP32, except the inner products of the
 * implicit-GEMM convolution under {@link HalfArithmetic}; INT64 tensors stay 64-bit. Not
 * thread-safe: one op at a time, like a Network. Never falls back to another backend: a failing
 * OpenCL call is an {@link OpenClException}.
 */
public final class OpenClBackend implements Backend {
    /** How FLOAT32 tensors are stored on the device. */
    public enum Precision {
        FP32, FP16;

        public static Precision parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "fp32" -> FP32;
                case "fp16" -> FP16;
                default -> throw new IllegalArgumentException("--precision must be fp32 or fp16, got '" + s + "'");
            };
        }
    }

    /**
     * What Winograd adds on the device for one convolution where the tuner picks it (see
     * {@link #winogradBytes}): FP32 scratch for the transformed input and output tiles, and the
     * transformed filters. All zero for convolutions Winograd does not take.
     */
    public record WinogradBytes(long inputScratch, long outputScratch, long filters) {}

    /**
     * The arithmetic of the implicit-GEMM convolution's inner products (conv_gemm.cl's {@code
     * -DHALF_ARITH}): half products summed in half over chunks of 16 k-steps, the chunks in FP32; bias,
     * residual and ReLU in FP32. Only under FP16 precision; the other kernels (Winograd, grouped
     * convolutions, the rest) compute in FP32. Chosen by {@code
     * -Dfreeanchor.opencl.halfArithmetic}: {@code auto} (default: native where the device has
     * cl_khr_fp16), {@code on} (native; fails without cl_khr_fp16), {@code off}, {@code emulate}.
     */
    public enum HalfArithmetic {
        /** FP32 arithmetic. */
        OFF,
        /** cl_khr_fp16 half arithmetic. */
        NATIVE,
        /** The same numerics on any device: float registers rounded to half after every operation (tests). */
        EMULATED;

        static final String PROPERTY = "freeanchor.opencl.halfArithmetic";

        /** The value of -DHALF_ARITH: the constants are in common.cl's order (0, 1, 2). */
        int option() {
            return ordinal();
        }

        /** The mode for this precision on this device, from the system property. */
        static HalfArithmetic select(Precision precision, ClDevice device) {
            String v = System.getProperty(PROPERTY, "auto");
            HalfArithmetic requested = switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "auto" -> device.fp16() ? NATIVE : OFF;
                case "on" -> NATIVE;
                case "off" -> OFF;
                case "emulate" -> EMULATED;
                default -> throw new IllegalArgumentException(
                        "-D" + PROPERTY + " must be auto, on, off or emulate, got '" + v + "'");
            };
            if (precision == Precision.FP32) {
                return OFF;
            }
            if (requested == NATIVE && !device.fp16()) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=on, but OpenCL device " + device.index() + " ("
                        + device.name() + ") has no cl_khr_fp16; use auto, off or emulate");
            }
            return requested;
        }
    }

    private static final int MAX_RANK = 8;
    private static final long GROUP = 64;
    private static final boolean ASYNC_UPLOADS = !"false".equals(System.getProperty("freeanchor.opencl.asyncUpload"));

    private final ClContext ctx;
    private final Precision precision;
    private final HalfArithmetic halfArithmetic;
    private final DeviceStores stores = new DeviceStores();
    private final Map<String, ClKernel> ops = new HashMap<>();
    private final ConvTuner convTuner;
    private final ClWinograd winograd;
    private final Map<String, ClBuffer> resizeMaps = new HashMap<>();
    private final ClBuffer dummy;
    private final ClBuffer errorFlag;
    private final Arena stagingArena = Arena.ofShared();
    private MemorySegment staging = MemorySegment.NULL;
    private final String buildOptions;
    private ClHeadCandidates head;
    /** Bytes copied from the device to the host so far (tensor downloads and head candidates). */
    private long bytesRead;
    /** Bytes of tensors uploaded so far: synchronously, when an op needed them, and by {@link #prefetch}. */
    private long bytesUploaded, bytesPrefetched;
    private boolean closed;

    /** Device N of {@link ClDevices#list()}, tiles autotuned. */
    public OpenClBackend(int deviceIndex, Precision precision) {
        this(ClDevices.get(deviceIndex), precision, null);
    }

    /**
     * @param forcedTiles a fixed convolution tile configuration, or null to autotune per shape
     */
    public OpenClBackend(ClDevice device, Precision precision, TileConfig forcedTiles) {
        this.precision = precision;
        this.halfArithmetic = HalfArithmetic.select(precision, device);
        this.ctx = new ClContext(device);
        try {
            String common = resource("common.cl");
            String options = "-cl-std=CL1.2" + (precision == Precision.FP16 ? " -DHALF_STORAGE" : "");
            buildOptions = options;
            List<String> names = List.of("conv_direct", "batch_norm", "max_pool", "binary_f", "binary_l", "unary_f",
                    "cast_f_to_l", "cast_l_to_f", "strided_copy_f", "strided_copy_l", "resize_nearest_f",
                    "resize_nearest_l", "gather_f", "gather_l");
            List<ClKernel> ks = ctx.build("ops.cl", common + resource("ops.cl"), options, names.toArray(String[]::new));
            for (int i = 0; i < names.size(); i++) {
                ops.put(names.get(i), ks.get(i));
            }
            convTuner = new ConvTuner(ctx, common + resource("conv_gemm.cl"), options, halfArithmetic, forcedTiles);
            winograd = new ClWinograd(ctx, common + resource("winograd.cl"), options);
            dummy = ctx.buffer(16);
            errorFlag = ctx.buffer(4);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    private static String resource(String name) {
        try (InputStream in = OpenClBackend.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + name + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "opencl:" + ctx.device().index() + (precision == Precision.FP16 ? "/fp16" : "") + switch (halfArithmetic) {
            case OFF -> "";
            case NATIVE -> "+half-arith";
            case EMULATED -> "+half-arith-emulated";
        };
    }

    @Override
    public int threads() {
        return 1;
    }

    public ClDevice device() {
        return ctx.device();
    }

    public Precision precision() {
        return precision;
    }

    public HalfArithmetic halfArithmetic() {
        return halfArithmetic;
    }

    /** {@link WinogradBytes} of a convolution of input shape {@code x}, weights {@code w} and output {@code y}. */
    public static WinogradBytes winogradBytes(Conv2dParams p, int[] x, int[] w, int[] y) {
        return ClWinograd.eligible(p, w[2], w[3]) ? ClWinograd.bytes(x[0], x[1], w[0], y[2], y[3]) : new WinogradBytes(0, 0, 0);
    }

    /** Device bytes held for tensors now. */
    public long deviceBytes() {
        return stores.bytes();
    }

    /**
     * Bytes copied back from the device so far: tensors synced to the host and the candidates of
     * {@link #headCandidates} (tests use it to prove raw head outputs stay on the device).
     */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes of tensors uploaded synchronously so far, when an op first needed them (weights, un-prefetched inputs). */
    public long bytesUploaded() {
        return bytesUploaded;
    }

    /** Bytes of tensors uploaded by {@link #prefetch} so far, beside the compute queue. */
    public long bytesPrefetched() {
        return bytesPrefetched;
    }

    /**
     * Convolution choice per shape so far (shape key -> tm,tn,tk,rm,rn,local|global, or
     * winograd:tm,... where Winograd won).
     */
    public Map<String, String> tunedConvolutions() {
        return convTuner.choices();
    }

    /** How the latest group-1 convolution ran (tm,tn,tk,rm,rn,local|global or winograd:...), or null (benchmarks). */
    public String lastConvolution() {
        return convTuner.lastChoice();
    }

    ConvTuner convTuner() {
        return convTuner;
    }

    ClWinograd winograd() {
        return winograd;
    }

    // ---------------------------------------------------------------- residency

    @Override
    public void hostWritten(Tensor t) {
        DeviceStores.Entry e = stores.find(store(t));
        if (e != null) {
            e.settleUpload(); // the synchronous upload that follows must not be overtaken by an older one
            e.deviceStale = true;
            e.hostStale = false;
        }
    }

    /**
     * Starts uploading the store of {@code t} now, on the transfer queue, so that it overlaps the
     * work already enqueued (the previous batch's network): the host data is converted into this
     * store's own staging memory (pinned on GPU drivers), copied without blocking, and the compute
     * queue waits for the copy only when an op first uses the store. When the compute queue may
     * still be using the store's device buffer (used since the host last waited for the queue), the
     * copy waits for it first. {@code -Dfreeanchor.opencl.asyncUpload=false} turns this into
     * {@link #hostWritten} (a synchronous upload on first use), for comparisons.
     */
    @Override
    public void prefetch(Tensor t) {
        if (!ASYNC_UPLOADS) {
            hostWritten(t);
            return;
        }
        Object store = store(t);
        DeviceStores.Entry e = entry(store);
        e.settleUpload(); // its staging memory is about to be overwritten
        long bytes = length(store) * elementBytes(store);
        if (e.uploadStaging == null || e.uploadStaging.bytes() < bytes) {
            if (e.uploadStaging != null) {
                e.uploadStaging.close();
            }
            e.uploadStaging = ctx.hostBuffer(bytes);
        }
        fill(e.uploadStaging.segment(), store);
        if (e.computeUsed) { // between ops: every command that used it is among those enqueued so far
            e.lastComputeUse = ctx.enqueued();
            e.computeUsed = false;
        }
        boolean mayBeInUse = e.lastComputeUse > ctx.completed();
        e.pendingUpload = ctx.writeAsync(e.buffer, e.uploadStaging.segment(), bytes, mayBeInUse);
        e.uploadUnordered = true;
        e.deviceStale = false;
        e.hostStale = false;
        e.version++;
        bytesPrefetched += bytes;
    }

    @Override
    public void syncToHost(Tensor t) {
        Object store = store(t);
        DeviceStores.Entry e = stores.find(store);
        if (e != null && e.hostStale) {
            download(e, store);
            e.hostStale = false;
        }
    }

    @Override
    public void release(Tensor t) {
        syncToHost(t);
        stores.remove(store(t));
        winograd.forget(store(t));
    }

    @Override
    public void discard(Tensor t) {
        stores.remove(store(t));
        winograd.forget(store(t));
    }

    @Override
    public void finish() {
        ctx.finish();
    }

    private static Object store(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.floats() : t.longs();
    }

    private static int length(Object store) {
        return store instanceof float[] f ? f.length : ((long[]) store).length;
    }

    private long elementBytes(Object store) {
        return store instanceof float[] ? (precision == Precision.FP16 ? 2 : 4) : 8;
    }

    /** The device entry of a store, created (device side stale) on first sight. */
    private DeviceStores.Entry entry(Object store) {
        DeviceStores.Entry e = stores.find(store);
        if (e == null) {
            e = stores.add(store, ctx.buffer(length(store) * elementBytes(store)));
            e.deviceStale = true;
        }
        return e;
    }

    /** The entry of a store an op is about to use on the compute queue, after any upload still running. */
    private DeviceStores.Entry used(Object store) {
        DeviceStores.Entry e = entry(store);
        if (e.uploadUnordered) {
            ctx.computeWaitsFor(e.pendingUpload);
            e.uploadUnordered = false;
        }
        e.computeUsed = true;
        return e;
    }

    /** The device buffer of an op input, uploaded first when the host side is newer. */
    private ClBuffer in(Tensor t) {
        Object store = store(t);
        DeviceStores.Entry e = used(store);
        if (e.deviceStale) {
            upload(e, store);
            e.deviceStale = false;
        }
        return e.buffer;
    }

    /** The device buffer an op writes; afterwards the device holds the current data. */
    private ClBuffer out(Tensor t) {
        Object store = store(t);
        DeviceStores.Entry e = used(store);
        if (e.deviceStale && t.size() < length(store)) {
            upload(e, store); // the op writes part of the store: keep the host's rest
        }
        e.deviceStale = false;
        e.hostStale = true;
        e.version++;
        return e.buffer;
    }

    private MemorySegment staging(long bytes) {
        if (staging.byteSize() < bytes) {
            staging = stagingArena.allocate(Math.max(bytes, staging.byteSize() * 3 / 2), 8);
        }
        return staging;
    }

    private void upload(DeviceStores.Entry e, Object store) {
        long bytes = length(store) * elementBytes(store);
        MemorySegment s = staging(bytes);
        fill(s, store);
        ctx.write(e.buffer, 0, s, bytes);
        bytesUploaded += bytes;
        e.version++;
    }

    /** Writes a host store into native memory as the device stores it (half on FP16 storage). */
    private void fill(MemorySegment s, Object store) {
        int n = length(store);
        if (store instanceof float[] f) {
            if (precision == Precision.FP16) {
                for (int i = 0; i < n; i++) {
                    s.setAtIndex(JAVA_SHORT, i, Float.floatToFloat16(f[i]));
                }
            } else {
                MemorySegment.copy(f, 0, s, JAVA_FLOAT, 0, n);
            }
        } else {
            MemorySegment.copy((long[]) store, 0, s, JAVA_LONG, 0, n);
        }
    }

    private void download(DeviceStores.Entry e, Object store) {
        int n = length(store);
        MemorySegment s = staging(n * elementBytes(store));
        ctx.read(e.buffer, 0, s, n * elementBytes(store));
        bytesRead += n * elementBytes(store);
        if (store instanceof float[] f) {
            if (precision == Precision.FP16) {
                for (int i = 0; i < n; i++) {
                    f[i] = Float.float16ToFloat(s.getAtIndex(JAVA_SHORT, i));
                }
            } else {
                MemorySegment.copy(s, JAVA_FLOAT, 0, f, 0, n);
            }
        } else {
            MemorySegment.copy(s, JAVA_LONG, 0, (long[]) store, 0, n);
        }
    }

    // ---------------------------------------------------------------- launches

    private void launch1d(ClKernel k, int total) {
        if (total > 0) {
            ctx.launch(k, new long[] {roundUp(total, GROUP)}, new long[] {GROUP});
        }
    }

    private static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }

    private void clearError() {
        try (Arena a = Arena.ofConfined()) {
            ctx.write(errorFlag, 0, a.allocate(JAVA_INT), 4);
        }
    }

    private boolean errorRaised() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            ctx.read(errorFlag, 0, v, 4);
            return v.get(JAVA_INT, 0) != 0;
        }
    }

    private static String suffix(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? "f" : "l";
    }

    private static void checkRank(Tensor t, String op) {
        if (t.rank() > MAX_RANK) {
            throw new IllegalArgumentException(op + ": the opencl backend supports rank <= " + MAX_RANK + ", got " + t);
        }
    }

    /** Pads a per-axis vector to the 8 lanes of an int8 argument. */
    private static int[] int8(int[] v, int fill) {
        int[] out = new int[MAX_RANK];
        Arrays.fill(out, fill);
        System.arraycopy(v, 0, out, 0, v.length);
        return out;
    }

    // ---------------------------------------------------------------- ops

    @Override
    public void conv2d(Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y) {
        BackendChecks.conv2d(p, x, w, bias, residual, y);
        if (y.size() == 0) {
            return;
        }
        int n = x.dim(0), m = w.dim(0), oh = y.dim(2), ow = y.dim(3);
        int[] a = {n, x.dim(1), x.dim(2), x.dim(3), m, w.dim(1), w.dim(2), w.dim(3)};
        int[] b = {oh, ow, p.strideH(), p.strideW(), p.padTop(), p.padLeft(), p.dilationH(), p.dilationW()};
        // c.s2: 0 without residual, else its upsampling factors packed for residual_index (common.cl)
        if (p.residualScaleH() >= 1 << 15 || p.residualScaleW() >= 1 << 15) {
            throw new IllegalArgumentException("conv2d: residual scales " + p.residualScaleH() + "x"
                    + p.residualScaleW() + " do not fit the OpenCL kernel's 15-bit fields");
        }
        int residualCode = residual == null ? 0 : p.residualScaleH() | p.residualScaleW() << 16;
        int[] c = {p.group(), bias != null ? 1 : 0, residualCode, p.activation() == Activation.RELU ? 1 : 0};
        ClBuffer xb = in(x), wb = in(w), bb = bias == null ? dummy : in(bias), rb = residual == null ? dummy : in(residual);
        ClBuffer yb = out(y);
        if (p.group() != 1) {
            ClKernel k = ops.get("conv_direct").args(xb, wb, bb, rb, yb, a, b, c);
            ctx.launch(k, new long[] {roundUp((long) oh * ow, 16), m, n}, null);
            return;
        }
        String shapeKey = Arrays.toString(a) + Arrays.toString(b);
        double flopsPerImage = 2.0 * m * oh * ow * w.dim(1) * w.dim(2) * w.dim(3);
        ConvTuner.Launch wino = null;
        if (ClWinograd.eligible(p, w.dim(2), w.dim(3))) {
            ClWinograd.Call call = new ClWinograd.Call(xb, bias == null ? null : bb, residual == null ? null : rb, yb, n,
                    x.dim(1), x.dim(2), x.dim(3), m, oh, ow, p.padTop(), p.padLeft(), p.activation() == Activation.RELU);
            long weightVersion = stores.find(store(w)).version;
            wino = (k, t, timed) -> winograd.run(k, t, timed, call, store(w), weightVersion, wb);
        }
        convTuner.run(shapeKey, flopsPerImage, (k, t, timed) -> {
            k.args(xb, wb, bb, rb, yb, a, b, c);
            long[] global = {roundUp((long) oh * ow, t.tn()) / t.tn() * t.localX(), roundUp(m, t.tm()) / t.tm() * t.localY(),
                    timed ? 1 : n};
            long[] local = {t.localX(), t.localY(), 1};
            if (timed) {
                return ctx.launchTimed(k, global, local);
            }
            ctx.launch(k, global, local);
            return 0;
        }, wino);
    }

    @Override
    public void batchNorm(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, Tensor y) {
        BackendChecks.batchNorm(epsilon, x, scale, bias, mean, var, y);
        int channels = x.dim(1), batch = x.dim(0);
        int inner = channels == 0 || batch == 0 ? 1 : x.size() / (batch * channels);
        ClKernel k = ops.get("batch_norm").args(in(x), in(scale), in(bias), in(mean), in(var), out(y), epsilon, channels,
                inner, y.size());
        launch1d(k, y.size());
    }

    @Override
    public void maxPool2d(Pool2dParams p, Tensor x, Tensor y) {
        BackendChecks.maxPool2d(p, x, y);
        int[] a = {x.dim(0) * x.dim(1), x.dim(2), x.dim(3), y.dim(2), y.dim(3), p.kernelH(), p.kernelW(), 0};
        int[] b = {p.strideH(), p.strideW(), p.padTop(), p.padLeft(), p.dilationH(), p.dilationW(), 0, 0};
        launch1d(ops.get("max_pool").args(in(x), out(y), a, b), y.size());
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor y) {
        BackendChecks.binary(op, a, b, y);
        checkRank(y, "binary");
        int rank = y.rank();
        int[] shape = y.shape();
        int[] as = int8(broadcastStrides(a.shape(), shape), 0), bs = int8(broadcastStrides(b.shape(), shape), 0);
        if (y.dtype() == DType.FLOAT32) {
            launch1d(ops.get("binary_f").args(in(a), in(b), out(y), op.ordinal(), rank, int8(shape, 1), as, bs, y.size()),
                    y.size());
            return;
        }
        boolean div = op == BinaryOp.DIV;
        if (div) {
            clearError();
        }
        launch1d(ops.get("binary_l").args(in(a), in(b), out(y), op.ordinal(), rank, int8(shape, 1), as, bs, y.size(),
                errorFlag), y.size());
        if (div && errorRaised()) {
            throw new IllegalArgumentException("binary DIV: INT64 division by zero");
        }
    }

    /** Strides of an input read at the indices of a broadcast output: 0 where it is broadcast. */
    private static int[] broadcastStrides(int[] shape, int[] outShape) {
        int rank = outShape.length;
        int[] own = Shapes.strides(shape);
        int[] out = new int[rank];
        int offset = rank - shape.length;
        for (int d = 0; d < shape.length; d++) {
            out[offset + d] = shape[d] == 1 && outShape[offset + d] != 1 ? 0 : own[d];
        }
        return out;
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor y) {
        BackendChecks.unary(op, x, y);
        launch1d(ops.get("unary_f").args(in(x), out(y), op.ordinal(), y.size()), y.size());
    }

    @Override
    public void resizeNearest(ResizeParams p, Tensor x, Tensor y) {
        BackendChecks.resizeNearest(p, x, y);
        checkRank(x, "resizeNearest");
        int rank = x.rank();
        int[] inShape = x.shape(), outShape = y.shape();
        float[] scales = p.scales();
        int[] mapOff = new int[rank];
        int total = 0;
        for (int d = 0; d < rank; d++) {
            mapOff[d] = total;
            total += outShape[d];
        }
        String key = Arrays.toString(scales) + p.coordinate() + p.rounding() + Arrays.toString(inShape) + Arrays.toString(outShape);
        ClBuffer maps = resizeMaps.get(key);
        if (maps == null) {
            int[] idx = new int[Math.max(total, 1)];
            for (int d = 0; d < rank; d++) {
                for (int o = 0; o < outShape[d]; o++) {
                    idx[mapOff[d] + o] = BackendChecks.nearestIndex(p, scales[d], o, inShape[d], outShape[d]);
                }
            }
            maps = ctx.buffer(idx.length * 4L);
            try (Arena a = Arena.ofConfined()) {
                ctx.write(maps, 0, a.allocateFrom(JAVA_INT, idx), idx.length * 4L);
            }
            resizeMaps.put(key, maps);
        }
        ClKernel k = ops.get("resize_nearest_" + suffix(x)).args(in(x), out(y), maps, rank, int8(outShape, 1),
                int8(mapOff, 0), int8(Shapes.strides(inShape), 0), y.size());
        launch1d(k, y.size());
    }

    @Override
    public void transpose(int[] perm, Tensor x, Tensor y) {
        BackendChecks.transpose(perm, x, y);
        checkRank(x, "transpose");
        int[] inStrides = Shapes.strides(x.shape());
        int[] src = new int[perm.length];
        for (int d = 0; d < perm.length; d++) {
            src[d] = inStrides[perm[d]];
        }
        stridedCopy(x, 0, src, y, 0, Shapes.strides(y.shape()), y.shape());
    }

    @Override
    public void concat(int axis, List<Tensor> xs, Tensor y) {
        int ax = BackendChecks.concat(axis, xs, y);
        checkRank(y, "concat");
        int[] yStrides = Shapes.strides(y.shape());
        int along = 0;
        for (Tensor x : xs) {
            stridedCopy(x, 0, Shapes.strides(x.shape()), y, along * yStrides[ax], yStrides, x.shape());
            along += x.dim(ax);
        }
    }

    @Override
    public void slice(int[] starts, int[] steps, Tensor x, Tensor y) {
        BackendChecks.slice(starts, steps, x, y);
        checkRank(x, "slice");
        int[] inStrides = Shapes.strides(x.shape());
        int offset = 0;
        int[] src = new int[x.rank()];
        for (int d = 0; d < src.length; d++) {
            offset += starts[d] * inStrides[d];
            src[d] = steps[d] * inStrides[d];
        }
        stridedCopy(x, y.size() == 0 ? 0 : offset, src, y, 0, Shapes.strides(y.shape()), y.shape());
    }

    /** dst[dstOff + idx . dstStrides] = src[srcOff + idx . srcStrides] over every idx of shape. */
    private void stridedCopy(Tensor x, int srcOff, int[] srcStrides, Tensor y, int dstOff, int[] dstStrides, int[] shape) {
        int total = Shapes.size(shape);
        ClBuffer xb = in(x), yb = out(y);
        ClKernel k = ops.get("strided_copy_" + suffix(x)).args(xb, srcOff, yb, dstOff, shape.length, int8(shape, 1),
                int8(srcStrides, 0), int8(dstStrides, 0), total);
        launch1d(k, total);
    }

    @Override
    public void gather(int axis, Tensor x, Tensor indices, Tensor y) {
        int ax = BackendChecks.gather(axis, x, indices, y);
        int outer = 1, inner = 1;
        for (int d = 0; d < ax; d++) {
            outer *= x.dim(d);
        }
        for (int d = ax + 1; d < x.rank(); d++) {
            inner *= x.dim(d);
        }
        if (y.size() == 0) {
            out(y);
            return;
        }
        clearError();
        ClKernel k = ops.get("gather_" + suffix(x)).args(in(x), in(indices), out(y), x.dim(ax), indices.size(), inner,
                y.size(), errorFlag);
        launch1d(k, y.size());
        if (errorRaised()) {
            throw new IllegalArgumentException("gather: an index is out of range for axis " + ax + " of " + x);
        }
    }

    @Override
    public void cast(Tensor x, Tensor y) {
        BackendChecks.cast(x, y);
        if (x.dtype() == y.dtype()) {
            copy(x, y.reshape(x.shape()));
            return;
        }
        String name = x.dtype() == DType.FLOAT32 ? "cast_f_to_l" : "cast_l_to_f";
        launch1d(ops.get(name).args(in(x), out(y), y.size()), y.size());
    }

    @Override
    public void copy(Tensor x, Tensor y) {
        BackendChecks.copy(x, y);
        long bytes = x.size() * elementBytes(store(x));
        ClBuffer xb = in(x), yb = out(y);
        ctx.copy(xb, 0, yb, 0, bytes);
    }

    @Override
    public void headCandidates(HeadParams p, Tensor cls, Tensor reg, Tensor anchors, Tensor scores, Tensor pairs,
                               Tensor boxes, Tensor counts) {
        int a = p.check(cls, reg, anchors, scores, pairs, boxes, counts);
        if (cls.dim(0) == 0) {
            return;
        }
        if (head == null) {
            head = new ClHeadCandidates(ctx, resource("common.cl") + resource("head.cl"), buildOptions);
        }
        bytesRead += head.run(p, a, in(cls), in(reg), cls, anchors, scores, pairs, boxes, counts);
    }

    /**
     * Whether {@link #headCandidates} matches the Java backends bit for bit: the device has doubles
     * (cl_khr_fp64) for the exact exp and division; without, scores may differ by an ulp and
     * reorder ties. FP16 storage rounds the head's logits and deltas anyway.
     */
    public boolean headCandidatesExact() {
        return ctx.device().fp64() && precision == Precision.FP32;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ctx.finish();
        } finally {
            stores.close();
            winograd.close();
            resizeMaps.values().forEach(ClBuffer::close);
            dummy.close();
            errorFlag.close();
            ctx.close();
            stagingArena.close();
        }
    }
}

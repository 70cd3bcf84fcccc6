package io.freeanchor.kernels;

import io.freeanchor.kernels.head.HeadParams;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * {@code --device java --precision fp16}: the Java CPU backend with FP16 storage and FP32
 * arithmetic. Callers keep activations ({@link #storageType}) and constant weights
 * ({@link #holdConstant}) as FLOAT16, which halves the memory plan; every op here widens its FLOAT16
 * inputs into reused FP32 scratch arrays, runs the unchanged FP32 {@link JavaBackend} kernel, and
 * narrows a FLOAT16 output back (round to nearest even). FLOAT32 arguments (graph inputs, fresh graph
 * outputs, step constants) pass straight through, so the graph's edges stay FP32.
 *
 * <p>Converting at op boundaries keeps the kernels untouched. Convolutions and max pools whose
 * FLOAT16 operands would take more than {@link #BAND_FLOATS} of FP32 scratch run a band of output
 * rows at a time ({@link RowBand}): the band's input rows (with the halo the window needs) are
 * widened, the FP32 kernel computes the band, and its rows are narrowed straight into the output,
 * so the scratch ({@link #scratchBytes}) stays near that budget whatever the map size. Bands start at
 * multiples of 4 rows, where Winograd's 4x4 tiles start unbanded, so results are bit-identical to a
 * whole-tensor run. Other ops convert whole tensors.
 * Prepared convolutions widen the FLOAT16 weights once and keep only the packed or
 * Winograd-transformed FP32 form the micro-kernels read (values rounded through FP16).
 *
 * <p>Ops are synchronized: the scratch is shared by every call.
 */
public final class HalfStorageBackend implements Backend {
    /** Below this many elements a conversion runs on the calling thread alone. */
    private static final int PARALLEL_MIN = 1 << 16;
    /**
     * FP32 scratch, in floats, above which a convolution or max pool runs in row bands: 16 MiB, or
     * {@code -Dfreeanchor.fp16.bandFloats} (larger bands trade memory for a little speed).
     */
    static final long BAND_FLOATS = Long.getLong("freeanchor.fp16.bandFloats", 4L << 20);

    private final long bandFloats;

    private final JavaBackend fp32;
    private final WorkerPool pool;
    /** FP32 scratch by position within one op (output first, then inputs in order); grows, never shrinks. */
    private final List<float[]> scratch = new ArrayList<>();
    private int taken;
    /** FLOAT16 copies of FP32 constants by store, so that tensors sharing a store share the copy. */
    private final Map<float[], short[]> held = new WeakHashMap<>();
    /** Prepared convolutions by FLOAT16 weight store, so that layers sharing weights share them. */
    private final Map<short[], List<HalfPrepared>> preparedCache = new WeakHashMap<>();

    public HalfStorageBackend(int threads) {
        this(threads, BAND_FLOATS);
    }

    /** With another band budget, in floats (tests use small ones to band small maps). */
    HalfStorageBackend(int threads, long bandFloats) {
        Checks.require(bandFloats >= 1, "bandFloats must be >= 1, got " + bandFloats);
        this.fp32 = new JavaBackend(threads);
        this.pool = fp32.pool();
        this.bandFloats = bandFloats;
    }

    @Override
    public String name() {
        return "java-fp16";
    }

    @Override
    public int threads() {
        return fp32.threads();
    }

    @Override
    public DType storageType(DType planned) {
        return planned == DType.FLOAT32 ? DType.FLOAT16 : planned;
    }

    @Override
    public synchronized Tensor holdConstant(Tensor constant) {
        if (constant.dtype() != DType.FLOAT32) {
            return constant;
        }
        float[] store = constant.floats();
        short[] h = held.get(store);
        if (h == null) {
            h = new short[store.length]; // the whole store: other views of it may read further
            Half.narrow(store, 0, h, 0, store.length);
            held.put(store, h);
        }
        return Tensor.ofHalves(constant.shape(), h);
    }

    /** Bytes of FP32 conversion scratch this backend holds now (the largest operands seen so far). */
    public synchronized long scratchBytes() {
        return scratch.stream().mapToLong(a -> 4L * a.length).sum();
    }

    // ---------------------------------------------------------------- convolution

    /** A convolution prepared by the wrapped FP32 backend from weights widened once from FLOAT16. */
    static final class HalfPrepared implements PreparedConv {
        final JavaBackend.Prepared inner;
        /** The FLOAT16 weights it was made from, only to check callers pass the same ones. */
        final WeakReference<short[]> store;

        HalfPrepared(JavaBackend.Prepared inner, short[] store) {
            this.inner = inner;
            this.store = new WeakReference<>(store);
        }

        @Override
        public String algorithm() {
            return inner.algorithm();
        }

        /** As the FP32 one: the packed or transformed copy is all it reads, so callers may drop the half weights. */
        @Override
        public boolean readsWeights() {
            return inner.readsWeights();
        }
    }

    @Override
    public synchronized PreparedConv prepareConv(Conv2dParams p, int[] xShape, Tensor w) {
        Checks.require(p != null, "prepareConv: params must not be null");
        Checks.require(xShape != null && xShape.length == 4, "prepareConv: input shape must have rank 4");
        Checks.notNull(w, "w", "prepareConv");
        Tensor h = holdConstant(w);
        Checks.require(h.dtype() == DType.FLOAT16, "prepareConv: w must be FLOAT32 or FLOAT16, got " + w);
        ConvAlgorithm algorithm = ConvAlgorithm.choose(p, xShape, w.shape());
        short[] store = h.halves();
        for (HalfPrepared old : preparedCache.getOrDefault(store, List.of())) {
            if (old.inner.algorithm == algorithm && old.inner.group == p.group() && Arrays.equals(old.inner.wShape, w.shape())) {
                return old;
            }
        }
        // The widened copy lives only while the FP32 backend packs or transforms it.
        HalfPrepared made = new HalfPrepared(fp32.prepareConv(p, xShape, Half.toFloat(h), algorithm), store);
        preparedCache.computeIfAbsent(store, k -> new ArrayList<>(1)).add(made);
        return made;
    }

    @Override
    public synchronized void conv2dPrepared(PreparedConv prepared, Conv2dParams p, Tensor x, Tensor w, Tensor bias,
                                            Tensor residual, Tensor y) {
        if (prepared == null) {
            conv2d(p, x, w, bias, residual, y);
            return;
        }
        if (!(prepared instanceof HalfPrepared hp)) {
            throw new IllegalArgumentException(name() + ": conv2dPrepared with a PreparedConv of another backend ("
                    + prepared.algorithm() + ")");
        }
        // Without w (the caller dropped its raw copy, allowed when !readsWeights()) the prepared shape stands in.
        Checks.require(w != null || !hp.readsWeights(), "conv2dPrepared: w is null but " + hp.algorithm() + " reads it");
        Checks.require(hp.inner.group == p.group(), "conv2dPrepared: the prepared convolution was made for group "
                + hp.inner.group + ", not " + p.group());
        if (w != null) {
            short[] store = w.dtype() == DType.FLOAT16 ? w.halves() : w.dtype() == DType.FLOAT32 ? held.get(w.floats()) : null;
            Checks.require(store != null && hp.store.get() == store && Arrays.equals(hp.inner.wShape, w.shape()),
                    "conv2dPrepared: the prepared convolution was made for other weights (" + Arrays.toString(hp.inner.wShape)
                            + ") than " + w);
        }
        int[] wShape = hp.inner.wShape;
        Checks.conv2d(p, x, wShape, bias, residual, y, true);
        int kH = wShape[2], sh = p.residualScaleH();
        // Bands of whole Winograd tiles and whole upsampled-residual rows: multiples of lcm(4, sh).
        int align = 4 * sh / gcd(4, sh);
        int rows = bandRows(p.strideH(), x, y, residual, align, kH, p.dilationH(), p.padTop());
        // Scratch slots by role, in both paths: output, input, bias, residual, then the weights, which
        // are read only when there are no input channels (nothing packed: the reference epilogue runs).
        if (rows == 0) {
            taken = 0;
            Tensor yf = out(y), xf = in(x), bf = in(bias), rf = in(residual), wf = hp.readsWeights() ? in(w) : null;
            fp32.runPrepared(hp.inner, p, xf, wf, bf, rf, yf);
            finish(y, yf);
            return;
        }
        for (int n = 0; n < x.dim(0); n++) {
            for (int oh0 = 0; oh0 < y.dim(2); oh0 += rows) {
                RowBand b = RowBand.of(oh0, Math.min(y.dim(2), oh0 + rows), kH, p.strideH(), p.dilationH(), p.padTop(),
                        x.dim(2));
                taken = 0;
                Tensor yb = bandOf(y, b.outRows()), xb = rows(x, n, b.ih0(), b.ih1()), bf = in(bias);
                Tensor rb = residual == null ? null : rows(residual, n, b.oh0() / sh, b.oh1() / sh);
                Tensor wf = hp.readsWeights() ? in(w) : null;
                Conv2dParams bp = new Conv2dParams(p.strideH(), p.strideW(), b.padTop(), p.padLeft(), b.padBottom(),
                        p.padRight(), p.dilationH(), p.dilationW(), p.group(), p.activation(), sh, p.residualScaleW());
                fp32.runPrepared(hp.inner, bp, xb, wf, bf, rb, yb);
                storeRows(yb, y, n, b.oh0());
            }
        }
    }

    @Override
    public synchronized void conv2d(Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.conv2d(p, in(x), in(w), in(bias), in(residual), yf);
        finish(y, yf);
    }

    // ---------------------------------------------------------------- other ops: widen, run, narrow

    /** Head maps arrive as FP32 graph outputs; the candidates are FP32/INT64 host tensors either way. */
    @Override
    public synchronized void headCandidates(HeadParams p, Tensor cls, Tensor reg,
                                            Tensor anchors, Tensor scores, Tensor pairs, Tensor boxes, Tensor counts) {
        taken = 0;
        fp32.headCandidates(p, in(cls), in(reg), in(anchors), scores, pairs, boxes, counts);
    }

    @Override
    public synchronized void batchNorm(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.batchNorm(epsilon, in(x), in(scale), in(bias), in(mean), in(var), yf);
        finish(y, yf);
    }

    @Override
    public synchronized void maxPool2d(Pool2dParams p, Tensor x, Tensor y) {
        Checks.maxPool2d(p, x, y, true);
        // ceil_mode's last window may hang past the padding: its rows do not follow RowBand's rule.
        int rows = p.ceilMode() ? 0 : bandRows(p.strideH(), x, y, null, 1, p.kernelH(), p.dilationH(), p.padTop());
        if (rows == 0) {
            taken = 0;
            Tensor yf = out(y);
            fp32.maxPool2d(p, in(x), yf);
            finish(y, yf);
            return;
        }
        for (int n = 0; n < x.dim(0); n++) {
            for (int oh0 = 0; oh0 < y.dim(2); oh0 += rows) {
                RowBand b = RowBand.of(oh0, Math.min(y.dim(2), oh0 + rows), p.kernelH(), p.strideH(), p.dilationH(),
                        p.padTop(), x.dim(2));
                taken = 0;
                Tensor yb = bandOf(y, b.outRows()), xb = rows(x, n, b.ih0(), b.ih1());
                fp32.maxPool2d(new Pool2dParams(p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), b.padTop(),
                        p.padLeft(), b.padBottom(), p.padRight(), p.dilationH(), p.dilationW(), false), xb, yb);
                storeRows(yb, y, n, b.oh0());
            }
        }
    }

    @Override
    public synchronized void binary(BinaryOp op, Tensor a, Tensor b, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.binary(op, in(a), in(b), yf);
        finish(y, yf);
    }

    @Override
    public synchronized void unary(UnaryOp op, Tensor x, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.unary(op, in(x), yf);
        finish(y, yf);
    }

    @Override
    public synchronized void resizeNearest(ResizeParams p, Tensor x, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.resizeNearest(p, in(x), yf);
        finish(y, yf);
    }

    @Override
    public synchronized void transpose(int[] perm, Tensor x, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.transpose(perm, in(x), yf);
        finish(y, yf);
    }

    @Override
    public synchronized void concat(int axis, List<Tensor> xs, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        List<Tensor> xf = new ArrayList<>(xs.size());
        for (Tensor x : xs) {
            xf.add(in(x));
        }
        fp32.concat(axis, xf, yf);
        finish(y, yf);
    }

    @Override
    public synchronized void slice(int[] starts, int[] steps, Tensor x, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.slice(starts, steps, in(x), yf);
        finish(y, yf);
    }

    @Override
    public synchronized void gather(int axis, Tensor x, Tensor indices, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.gather(axis, in(x), indices, yf);
        finish(y, yf);
    }

    @Override
    public synchronized void cast(Tensor x, Tensor y) {
        taken = 0;
        Tensor yf = out(y);
        fp32.cast(in(x), yf);
        finish(y, yf);
    }

    @Override
    public synchronized void copy(Tensor x, Tensor y) {
        if (x != null && y != null && x.size() == y.size()) {
            // Between two half stores, or into one from FP32 (constants): no scratch needed.
            if (x.dtype() == DType.FLOAT16 && y.dtype() == DType.FLOAT16) {
                System.arraycopy(x.halves(), 0, y.halves(), 0, x.size());
                return;
            }
            if (x.dtype() == DType.FLOAT32 && y.dtype() == DType.FLOAT16) {
                narrow(x.floats(), y.halves(), x.size());
                return;
            }
        }
        taken = 0;
        Tensor yf = out(y);
        fp32.copy(in(x), yf);
        finish(y, yf);
    }

    @Override
    public void close() {
        fp32.close();
        synchronized (this) {
            scratch.clear();
            held.clear();
            preparedCache.clear();
        }
    }

    // ---------------------------------------------------------------- row bands

    /**
     * Output rows per band for a window op on x (NCHW) writing y, or 0 to run it whole: when its
     * FLOAT16 operands fit the budget widened, or when some band would read no input row (a band
     * lying wholly in the padding).
     */
    private int bandRows(int strideH, Tensor x, Tensor y, Tensor residual, int align, int k, int dilation, int padTop) {
        long halfFloats = 0;
        for (Tensor t : new Tensor[] {x, y, residual}) {
            halfFloats += t != null && t.dtype() == DType.FLOAT16 ? t.size() : 0;
        }
        if (halfFloats <= bandFloats || y.size() == 0) {
            return 0;
        }
        // per output row: its input rows, itself, and (at most) one residual row
        long perRow = (long) strideH * x.dim(1) * x.dim(3) + (long) y.dim(1) * y.dim(3)
                + (residual == null ? 0 : (long) residual.dim(1) * residual.dim(3));
        int rows = RowBand.rowsPerBand(y.dim(2), perRow, bandFloats, align);
        for (int oh0 = 0; oh0 < y.dim(2); oh0 += rows) {
            if (RowBand.of(oh0, Math.min(y.dim(2), oh0 + rows), k, strideH, dilation, padTop, x.dim(2)).inRows() == 0) {
                return 0;
            }
        }
        return rows;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Rows [r0, r1) of every channel of image n of t (NCHW, FLOAT16 or FLOAT32) as a [1, C, r1 - r0, W] FP32 scratch tensor. */
    private Tensor rows(Tensor t, int n, int r0, int r1) {
        int c = t.dim(1), h = t.dim(2), w = t.dim(3), len = (r1 - r0) * w;
        float[] dst = take(c * len);
        channels(c, len, ch -> {
            int src = ((n * c + ch) * h + r0) * w;
            if (t.dtype() == DType.FLOAT16) {
                Half.widen(t.halves(), src, dst, ch * len, len);
            } else {
                System.arraycopy(t.floats(), src, dst, ch * len, len);
            }
        });
        return Tensor.ofFloats(new int[] {1, c, r1 - r0, w}, dst);
    }

    /** FP32 scratch for {@code rows} output rows of one image of y. */
    private Tensor bandOf(Tensor y, int rows) {
        int[] shape = {1, y.dim(1), rows, y.dim(3)};
        return Tensor.ofFloats(shape, take(Shapes.size(shape)));
    }

    /** A band's rows into image n of y (FLOAT16: narrowed; FLOAT32: copied) from output row oh0 on. */
    private void storeRows(Tensor band, Tensor y, int n, int oh0) {
        int m = y.dim(1), h = y.dim(2), w = y.dim(3), len = band.dim(2) * w;
        float[] src = band.floats();
        channels(m, len, ch -> {
            int dst = ((n * m + ch) * h + oh0) * w;
            if (y.dtype() == DType.FLOAT16) {
                Half.narrow(src, ch * len, y.halves(), dst, len);
            } else {
                System.arraycopy(src, ch * len, y.floats(), dst, len);
            }
        });
    }

    /** body(channel) for every channel, on the pool when there is enough to convert. */
    private void channels(int count, int perChannel, java.util.function.IntConsumer body) {
        if (pool.size() == 1 || (long) count * perChannel < PARALLEL_MIN) {
            for (int ch = 0; ch < count; ch++) {
                body.accept(ch);
            }
        } else {
            pool.parallelFor(count, body);
        }
    }

    // ---------------------------------------------------------------- conversions at op boundaries

    /** The FP32 tensor an op reads for t: t itself unless it is FLOAT16, then a widened scratch copy. */
    private Tensor in(Tensor t) {
        if (t == null || t.dtype() != DType.FLOAT16) {
            return t;
        }
        return Tensor.ofFloats(t.shape(), widen(t.halves(), t.size()));
    }

    /** Where an op writes y: y itself unless it is FLOAT16, then scratch that {@link #finish} narrows into y. */
    private Tensor out(Tensor y) {
        if (y == null || y.dtype() != DType.FLOAT16) {
            return y;
        }
        return Tensor.ofFloats(y.shape(), take(y.size()));
    }

    private void finish(Tensor y, Tensor written) {
        if (written != y) {
            narrow(written.floats(), y.halves(), y.size());
        }
    }

    /** The next scratch array of this op, at least n long. */
    private float[] take(int n) {
        if (taken == scratch.size()) {
            scratch.add(new float[n]);
        } else if (scratch.get(taken).length < n) {
            scratch.set(taken, new float[n]);
        }
        return scratch.get(taken++);
    }

    /** src[0, n) widened into the next scratch array. */
    private float[] widen(short[] src, int n) {
        float[] dst = take(n);
        convert(n, (from, to) -> Half.widen(src, from, dst, from, to - from));
        return dst;
    }

    private void narrow(float[] src, short[] dst, int n) {
        convert(n, (from, to) -> Half.narrow(src, from, dst, from, to - from));
    }

    @FunctionalInterface
    private interface Range {
        void run(int from, int to);
    }

    /** Runs a conversion over [0, n) in contiguous chunks on the worker pool (small ones inline). */
    private void convert(int n, Range body) {
        int threads = pool.size();
        if (threads == 1 || n < PARALLEL_MIN) {
            body.run(0, n);
            return;
        }
        int chunks = 2 * threads;
        pool.parallelFor(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }
}

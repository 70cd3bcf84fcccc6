package io.freeanchor.kernels;

import io.freeanchor.kernels.head.HeadCandidates;
import io.freeanchor.kernels.head.HeadParams;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast CPU backend: Vector API kernels on a fixed {@link WorkerPool}. Convolutions run as
 * Winograd F(4x4, 3x3) ({@link ConvWinograd}) where {@link ConvAlgorithm#choose} picks it
 * (stride-1 3x3 layers that are big enough) and as packed GEMMs ({@link ConvGemm})
 * otherwise, both with the bias/residual/ReLU epilogue fused; the other FLOAT32 ops are parallel
 * loops; INT64 arithmetic and the rarer INT64 data movement run the reference code.
 *
 * <p><b>Weights.</b> {@link #prepareConv} (called once per conv when a plan is bound) chooses the
 * algorithm and transforms or packs the constant weights; {@link #conv2dPrepared} then uses them
 * without reading the weights again. A plain {@link #conv2d} (weights that may change between
 * calls, e.g. computed at run time in reused memory-plan buffers) caches its packing keyed weakly
 * by the weight's store array and checks it against the weights bit for bit on every call (the
 * GEMM packing is compared directly, the Winograd transform through a copy of the weights it came
 * from), rebuilding it when they differ. {@link #clearWeightCache()} frees those copies.
 *
 * <p>Calls from several threads are safe: the parallel parts of concurrent calls take turns on the
 * pool, and small ops run on the calling thread.
 */
public final class JavaBackend implements Backend {
    private static final VectorSpecies<Float> S = Vectors.FLOATS;
    private static final int VL = S.length();
    /** Below this many elements an element-wise op runs on the calling thread alone. */
    private static final int PARALLEL_MIN = 1 << 15;

    private final int threads;
    private final WorkerPool pool;
    private final ConvGemm.Scratch[] scratch;
    private final ReferenceBackend reference = new ReferenceBackend();
    private final ConvWinograd.Scratch[] winogradScratch;
    private final MaxPool.Scratch[] poolScratch;
    private final Map<float[], List<ConvGemm.PackedWeights>> packedCache = new WeakHashMap<>();
    private final Map<float[], WinogradEntry> winogradCache = new WeakHashMap<>();
    /** Prepared convolutions by weight store, so that layers sharing constant weights share them. */
    private final Map<float[], List<Prepared>> preparedCache = new WeakHashMap<>();

    /** A backend using all available processors. */
    public JavaBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public JavaBackend(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("JavaBackend needs at least one thread, got " + threads);
        }
        this.threads = threads;
        this.pool = new WorkerPool(threads);
        this.scratch = new ConvGemm.Scratch[threads];
        this.winogradScratch = new ConvWinograd.Scratch[threads];
        this.poolScratch = new MaxPool.Scratch[threads];
        for (int i = 0; i < threads; i++) {
            scratch[i] = new ConvGemm.Scratch();
            winogradScratch[i] = new ConvWinograd.Scratch();
            poolScratch[i] = new MaxPool.Scratch();
        }
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int threads() {
        return threads;
    }

    /** The vector width in floats the kernels use on this machine. */
    public static int vectorLength() {
        return VL;
    }

    // ---------------------------------------------------------------- conv2d

    @Override
    public void conv2d(Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y) {
        Checks.conv2d(p, x, w, bias, residual, y);
        if (y.size() == 0) {
            return;
        }
        if (w.size() == 0) {
            reference.conv2d(p, x, w, bias, residual, y); // no input channels: only the epilogue is left
            return;
        }
        ConvAlgorithm algorithm = ConvAlgorithm.choose(p, x.shape(), w.shape());
        if (algorithm == ConvAlgorithm.WINOGRAD) {
            ConvWinograd.run(pool, winogradScratch, p, x, winogradCached(w), bias, residual, y);
        } else {
            ConvGemm.run(pool, scratch, p, x, packed(w, p.group(), false), bias, residual, y);
        }
    }

    @Override
    public PreparedConv prepareConv(Conv2dParams p, int[] xShape, Tensor w) {
        Checks.require(xShape != null && xShape.length == 4, "prepareConv: input shape must have rank 4");
        return prepareConv(p, xShape, w, ConvAlgorithm.choose(p, xShape, w.shape()));
    }

    /** {@link #prepareConv} with the algorithm forced (it must support p); for tests and benchmarks. */
    Prepared prepareConv(Conv2dParams p, int[] xShape, Tensor w, ConvAlgorithm algorithm) {
        Checks.require(p != null, "prepareConv: params must not be null");
        Checks.float32(w, "w", "prepareConv");
        Checks.rank(w, 4, "w", "prepareConv");
        Checks.require(p.group() >= 1 && w.dim(0) % p.group() == 0,
                "prepareConv: group " + p.group() + " does not divide " + w);
        Checks.require(algorithm.supports(p, w.shape()), "prepareConv: " + algorithm + " cannot compute " + p + " with " + w);
        // Constant weights shared by several layers (the head's convs run on every FPN level) are
        // prepared once: same store, shape, group and algorithm give the same Prepared.
        int[] shape = w.shape();
        synchronized (preparedCache) {
            for (Prepared old : preparedCache.getOrDefault(w.floats(), List.of())) {
                if (old.algorithm == algorithm && old.group == p.group() && Arrays.equals(old.wShape, shape)) {
                    return old;
                }
            }
        }
        Object weights = algorithm == ConvAlgorithm.WINOGRAD ? new ConvWinograd.Weights(w, pool)
                : w.size() == 0 ? null : new ConvGemm.PackedWeights(w, p.group());
        Prepared made = new Prepared(algorithm, shape, p.group(), w.floats(), weights);
        synchronized (preparedCache) {
            preparedCache.computeIfAbsent(w.floats(), k -> new ArrayList<>(1)).add(made);
        }
        return made;
    }

    @Override
    public void conv2dPrepared(PreparedConv prepared, Conv2dParams p, Tensor x, Tensor w, Tensor bias,
                               Tensor residual, Tensor y) {
        if (prepared == null) {
            conv2d(p, x, w, bias, residual, y);
            return;
        }
        if (!(prepared instanceof Prepared pc)) {
            throw new IllegalArgumentException("java: conv2dPrepared with a PreparedConv of another backend ("
                    + prepared.algorithm() + ")");
        }
        // Without w (the caller dropped its raw copy, allowed when !readsWeights()) the prepared shape stands in.
        Checks.require(w != null || !pc.readsWeights(), "conv2dPrepared: w is null but " + pc.algorithm + " reads it");
        if (w == null) {
            Checks.conv2d(p, x, pc.wShape, bias, residual, y);
        } else {
            Checks.conv2d(p, x, w, bias, residual, y);
        }
        Checks.require((w == null || pc.store.get() == w.floats() && Arrays.equals(pc.wShape, w.shape()))
                        && pc.group == p.group(),
                "conv2dPrepared: the prepared convolution was made for other weights (" + Arrays.toString(pc.wShape)
                        + ", group " + pc.group + ") than " + (w == null ? "these" : w) + ", group " + p.group());
        runPrepared(pc, p, x, w, bias, residual, y);
    }

    /**
     * The prepared convolution once its arguments are checked. w is read only when pc holds no
     * weights (no input channels); otherwise it may be null. The half-storage backend calls this
     * with weights it widened once and then let go.
     */
    void runPrepared(Prepared pc, Conv2dParams p, Tensor x, Tensor w, Tensor bias, Tensor residual, Tensor y) {
        Checks.require(pc.algorithm.supports(p, pc.wShape), "conv2dPrepared: " + pc.algorithm + " cannot compute " + p);
        if (y.size() == 0) {
            return;
        }
        if (pc.weights == null) {
            reference.conv2d(p, x, w, bias, residual, y);
        } else if (pc.algorithm == ConvAlgorithm.WINOGRAD) {
            ConvWinograd.run(pool, winogradScratch, p, x, (ConvWinograd.Weights) pc.weights, bias, residual, y);
        } else {
            ConvGemm.run(pool, scratch, p, x, (ConvGemm.PackedWeights) pc.weights, bias, residual, y);
        }
    }

    /** A convolution prepared by this backend class: the algorithm and its weights, made once. */
    static final class Prepared implements PreparedConv {
        final ConvAlgorithm algorithm;
        final int[] wShape;
        final int group;
        /** The weights' store, only to check the caller passes the same one; weak so that the
         * backend's index of prepared convolutions (keyed weakly by it) lets it go. */
        final WeakReference<float[]> store;
        final Object weights;

        Prepared(ConvAlgorithm algorithm, int[] wShape, int group, float[] store, Object weights) {
            this.algorithm = algorithm;
            this.wShape = wShape;
            this.group = group;
            this.store = new WeakReference<>(store);
            this.weights = weights;
        }

        @Override
        public String algorithm() {
            return algorithm.label();
        }

        /** Only empty weights (no transform made) fall back to the reference code, which reads w. */
        @Override
        public boolean readsWeights() {
            return weights == null;
        }
    }

    /**
     * Packs (or re-packs) a conv weight [M, C / group, kH, kW] for the GEMM path now, so that the
     * first {@link #conv2d} using it does not pay for it. Optional.
     */
    public void prepareConvWeights(Tensor w, int group) {
        Checks.float32(w, "w", "prepareConvWeights");
        Checks.rank(w, 4, "w", "prepareConvWeights");
        Checks.require(group >= 1 && w.dim(0) % group == 0,
                "prepareConvWeights: group " + group + " does not divide " + w);
        packed(w, group, true);
    }

    /**
     * Forgets every packed weight of plain {@link #conv2d} calls and the index of prepared ones
     * (prepared convolutions still held by callers stay valid).
     */
    public void clearWeightCache() {
        synchronized (preparedCache) {
            preparedCache.clear();
        }
        synchronized (packedCache) {
            packedCache.clear();
        }
        synchronized (winogradCache) {
            winogradCache.clear();
        }
    }

    /**
     * Winograd weights for a conv2d without preparation: cached per weight store next to a copy of
     * the weights they came from, and rebuilt when the store no longer holds those values (weights
     * computed at run time in reused memory-plan buffers). The copy is compared on every call.
     */
    private ConvWinograd.Weights winogradCached(Tensor w) {
        float[] store = w.floats();
        int[] shape = w.shape();
        int n = w.size();
        WinogradEntry cached;
        synchronized (winogradCache) {
            cached = winogradCache.get(store);
        }
        if (cached != null && cached.weights.matches(shape) && Arrays.equals(cached.copy, 0, n, store, 0, n)) {
            return cached.weights;
        }
        WinogradEntry fresh = new WinogradEntry(new ConvWinograd.Weights(w, pool), Arrays.copyOf(store, n));
        synchronized (winogradCache) {
            winogradCache.put(store, fresh);
        }
        return fresh.weights;
    }

    private record WinogradEntry(ConvWinograd.Weights weights, float[] copy) {}

    private ConvGemm.PackedWeights packed(Tensor w, int group, boolean refresh) {
        float[] store = w.floats();
        int[] shape = w.shape();
        ConvGemm.PackedWeights cached = null;
        synchronized (packedCache) {
            List<ConvGemm.PackedWeights> list = packedCache.get(store);
            if (list != null) {
                for (ConvGemm.PackedWeights pw : list) {
                    if (pw.matches(shape, group)) {
                        cached = pw;
                        break;
                    }
                }
            }
        }
        // The store may be a reused memory-plan buffer that now holds other weights: verify.
        if (cached != null && !refresh && unchanged(cached, store)) {
            return cached;
        }
        ConvGemm.PackedWeights pw = new ConvGemm.PackedWeights(w, group);
        synchronized (packedCache) {
            List<ConvGemm.PackedWeights> list = packedCache.computeIfAbsent(store, k -> new ArrayList<>(1));
            list.removeIf(old -> old.matches(shape, group));
            list.add(pw);
        }
        return pw;
    }

    /** Exact comparison of a cached packing with the weights, on the pool when it is big. */
    private boolean unchanged(ConvGemm.PackedWeights pw, float[] store) {
        long work = (long) pw.group * pw.mBlocks * pw.k * ConvGemm.MR;
        int chunks = work < (1 << 18) || threads == 1 ? 1 : (int) Math.min(pw.mBlocks, 4L * threads);
        if (chunks == 1) {
            return pw.sameContents(store, 0, pw.mBlocks);
        }
        java.util.concurrent.atomic.AtomicBoolean same = new java.util.concurrent.atomic.AtomicBoolean(true);
        pool.parallelFor(chunks, (c) -> {
            int mb0 = (int) ((long) pw.mBlocks * c / chunks), mb1 = (int) ((long) pw.mBlocks * (c + 1) / chunks);
            if (same.get() && !pw.sameContents(store, mb0, mb1)) {
                same.set(false);
            }
        });
        return same.get();
    }

    // ---------------------------------------------------------------- batchNorm

    @Override
    public void batchNorm(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, Tensor y) {
        Checks.batchNorm(epsilon, x, scale, bias, mean, var, y);
        int batch = x.dim(0), channels = x.dim(1);
        if (x.size() == 0) {
            return;
        }
        int inner = x.size() / (batch * channels);
        float[] mul = new float[channels], add = new float[channels];
        for (int c = 0; c < channels; c++) {
            float sd = (float) Math.sqrt(var.floats()[c] + epsilon);
            mul[c] = scale.floats()[c] / sd;
            add[c] = bias.floats()[c] - mean.floats()[c] * mul[c];
        }
        float[] xs = x.floats(), ys = y.floats();
        forChunks(batch * channels, inner, (plane) -> {
            int c = plane % channels;
            int base = plane * inner;
            FloatVector mv = FloatVector.broadcast(S, mul[c]), av = FloatVector.broadcast(S, add[c]);
            int i = 0;
            for (int end = S.loopBound(inner); i < end; i += VL) {
                FloatVector.fromArray(S, xs, base + i).fma(mv, av).intoArray(ys, base + i);
            }
            for (; i < inner; i++) {
                ys[base + i] = Math.fma(xs[base + i], mul[c], add[c]);
            }
        });
    }

    // ---------------------------------------------------------------- maxPool2d

    @Override
    public void maxPool2d(Pool2dParams p, Tensor x, Tensor y) {
        Checks.maxPool2d(p, x, y);
        MaxPool.run(pool, poolScratch, p, x, y);
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor y) {
        Checks.binary(op, a, b, y);
        if (y.dtype() != DType.FLOAT32) {
            reference.binary(op, a, b, y);
            return;
        }
        if (y.size() == 0) {
            return;
        }
        int rank = y.rank();
        int[] outShape = y.shape();
        int[] sa = ReferenceBackend.broadcastStrides(a.shape(), rank, outShape);
        int[] sb = ReferenceBackend.broadcastStrides(b.shape(), rank, outShape);
        // Coalesce: drop size-1 axes and merge neighbours that are contiguous in a, b and y alike.
        int[] dims = new int[rank], as = new int[rank], bs = new int[rank];
        int r = 0;
        for (int d = 0; d < rank; d++) {
            if (outShape[d] == 1) {
                continue;
            }
            if (r > 0 && as[r - 1] == sa[d] * outShape[d] && bs[r - 1] == sb[d] * outShape[d]) {
                dims[r - 1] *= outShape[d];
                as[r - 1] = sa[d];
                bs[r - 1] = sb[d];
            } else {
                dims[r] = outShape[d];
                as[r] = sa[d];
                bs[r] = sb[d];
                r++;
            }
        }
        final int inner = r == 0 ? 1 : dims[r - 1];
        final int aInner = r == 0 ? 0 : as[r - 1], bInner = r == 0 ? 0 : bs[r - 1];
        final int outerRank = Math.max(0, r - 1);
        final int[] od = Arrays.copyOf(dims, outerRank), oa = Arrays.copyOf(as, outerRank), ob = Arrays.copyOf(bs, outerRank);
        final int size = y.size();
        float[] av = a.floats(), bv = b.floats(), yv = y.floats();
        // chunks of whole elements (not rows), so that one long row is split as well
        int chunk = 1 << 14;
        forChunks(Math.ceilDiv(size, chunk), chunk, (c) -> {
            int e = c * chunk, end = Math.min(size, e + chunk);
            while (e < end) {
                int row = e / inner, j = e - row * inner;
                int len = Math.min(inner - j, end - e);
                int ai = j * aInner, bi = j * bInner, rest = row;
                for (int d = outerRank - 1; d >= 0; d--) {
                    int i = rest % od[d];
                    rest /= od[d];
                    ai += i * oa[d];
                    bi += i * ob[d];
                }
                binaryRow(op, av, ai, aInner, bv, bi, bInner, yv, e, len);
                e += len;
            }
        });
    }

    /** y[yo + i] = a[ao + i * aStep] op b[bo + i * bStep], steps 0 or 1. */
    private static void binaryRow(BinaryOp op, float[] a, int ao, int aStep, float[] b, int bo, int bStep,
                                  float[] y, int yo, int n) {
        int i = 0;
        int end = S.loopBound(n);
        VectorOperators.Binary vop = switch (op) {
            case ADD -> VectorOperators.ADD;
            case SUB -> VectorOperators.SUB;
            case MUL -> VectorOperators.MUL;
            case DIV -> VectorOperators.DIV;
        };
        if (aStep == 1 && bStep == 1) {
            for (; i < end; i += VL) {
                FloatVector.fromArray(S, a, ao + i).lanewise(vop, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
            }
        } else if (aStep == 1) {
            FloatVector bb = FloatVector.broadcast(S, b[bo]);
            for (; i < end; i += VL) {
                FloatVector.fromArray(S, a, ao + i).lanewise(vop, bb).intoArray(y, yo + i);
            }
        } else if (bStep == 1) {
            FloatVector ab = FloatVector.broadcast(S, a[ao]);
            for (; i < end; i += VL) {
                ab.lanewise(vop, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            y[yo + i] = ReferenceBackend.apply(op, a[ao + i * aStep], b[bo + i * bStep]);
        }
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor y) {
        Checks.unary(op, x, y);
        float[] xs = x.floats(), ys = y.floats();
        int size = x.size();
        int chunk = 1 << 14;
        forChunks(Math.ceilDiv(size, chunk), chunk, (c) -> {
            int from = c * chunk, to = Math.min(size, from + chunk);
            int i = from;
            switch (op) {
                case RELU -> {
                    for (int end = from + S.loopBound(to - from); i < end; i += VL) {
                        FloatVector.fromArray(S, xs, i).max(0f).intoArray(ys, i);
                    }
                    for (; i < to; i++) {
                        ys[i] = Math.max(xs[i], 0f);
                    }
                }
                case SIGMOID -> {
                    FloatVector one = FloatVector.broadcast(S, 1f);
                    for (int end = from + S.loopBound(to - from); i < end; i += VL) {
                        FloatVector e = FloatVector.fromArray(S, xs, i).neg().lanewise(VectorOperators.EXP);
                        one.div(one.add(e)).intoArray(ys, i);
                    }
                    for (; i < to; i++) {
                        ys[i] = 1f / (1f + (float) Math.exp(-xs[i]));
                    }
                }
                case FLOOR -> {
                    for (; i < to; i++) {
                        ys[i] = (float) Math.floor(xs[i]);
                    }
                }
            }
        });
    }

    // ---------------------------------------------------------------- data movement

    @Override
    public void resizeNearest(ResizeParams p, Tensor x, Tensor y) {
        Checks.resizeNearest(p, x, y);
        if (x.dtype() != DType.FLOAT32) {
            reference.resizeNearest(p, x, y);
            return;
        }
        if (y.size() == 0) {
            return;
        }
        int rank = x.rank();
        int[] inShape = x.shape(), outShape = y.shape(), inStrides = Shapes.strides(inShape);
        float[] scales = p.scales();
        // per axis: output index -> input offset contribution
        int[][] map = new int[rank][];
        for (int d = 0; d < rank; d++) {
            map[d] = new int[outShape[d]];
            for (int o = 0; o < outShape[d]; o++) {
                map[d][o] = ReferenceBackend.nearestIndex(p, scales[d], o, inShape[d], outShape[d]) * inStrides[d];
            }
        }
        int inner = rank == 0 ? 1 : outShape[rank - 1];
        int[] last = rank == 0 ? new int[] {0} : map[rank - 1];
        int rows = y.size() / inner;
        float[] xs = x.floats(), ys = y.floats();
        forChunks(rows, inner, (row) -> {
            int src = 0, rest = row;
            for (int d = rank - 2; d >= 0; d--) {
                int i = rest % outShape[d];
                rest /= outShape[d];
                src += map[d][i];
            }
            int dst = row * inner;
            for (int j = 0; j < inner; j++) {
                ys[dst + j] = xs[src + last[j]];
            }
        });
    }

    @Override
    public void transpose(int[] perm, Tensor x, Tensor y) {
        Checks.transpose(perm, x, y);
        if (x.dtype() != DType.FLOAT32) {
            reference.transpose(perm, x, y);
            return;
        }
        if (y.size() == 0) {
            return;
        }
        int[] inStrides = Shapes.strides(x.shape());
        int[] srcStrides = new int[x.rank()];
        for (int d = 0; d < srcStrides.length; d++) {
            srcStrides[d] = inStrides[perm[d]];
        }
        copyStrided(x.floats(), 0, srcStrides, y);
    }

    @Override
    public void concat(int axis, List<Tensor> xs, Tensor y) {
        int ax = Checks.concat(axis, xs, y);
        int outer = 1, inner = 1;
        for (int d = 0; d < ax; d++) {
            outer *= y.dim(d);
        }
        for (int d = ax + 1; d < y.rank(); d++) {
            inner *= y.dim(d);
        }
        Object dst = store(y);
        int yBlock = y.dim(ax) * inner;
        int offset = 0;
        for (Tensor x : xs) {
            int block = x.dim(ax) * inner;
            Object src = store(x);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * block, dst, o * yBlock + offset, block);
            }
            offset += block;
        }
    }

    @Override
    public void slice(int[] starts, int[] steps, Tensor x, Tensor y) {
        Checks.slice(starts, steps, x, y);
        if (x.dtype() != DType.FLOAT32) {
            reference.slice(starts, steps, x, y);
            return;
        }
        if (y.size() == 0) {
            return;
        }
        int[] inStrides = Shapes.strides(x.shape());
        int[] srcStrides = new int[x.rank()];
        int base = 0;
        for (int d = 0; d < srcStrides.length; d++) {
            srcStrides[d] = steps[d] * inStrides[d];
            base += starts[d] * inStrides[d];
        }
        copyStrided(x.floats(), base, srcStrides, y);
    }

    /**
     * y[i_0, ..., i_r] = xs[base + sum_d i_d * srcStrides[d]]: transpose and slice are both this,
     * copied a contiguous output row at a time.
     */
    private void copyStrided(float[] xs, int base, int[] srcStrides, Tensor y) {
        int rank = y.rank();
        int[] outShape = y.shape();
        int inner = rank == 0 ? 1 : outShape[rank - 1];
        int innerStride = rank == 0 ? 0 : srcStrides[rank - 1];
        int rows = y.size() / inner;
        float[] ys = y.floats();
        forChunks(rows, inner, (row) -> {
            int src = base, rest = row;
            for (int d = rank - 2; d >= 0; d--) {
                int i = rest % outShape[d];
                rest /= outShape[d];
                src += i * srcStrides[d];
            }
            int dst = row * inner;
            if (innerStride == 1) {
                System.arraycopy(xs, src, ys, dst, inner);
            } else {
                for (int j = 0; j < inner; j++, src += innerStride) {
                    ys[dst + j] = xs[src];
                }
            }
        });
    }

    @Override
    public void gather(int axis, Tensor x, Tensor indices, Tensor y) {
        int ax = Checks.gather(axis, x, indices, y);
        int outer = 1, inner = 1;
        for (int d = 0; d < ax; d++) {
            outer *= x.dim(d);
        }
        for (int d = ax + 1; d < x.rank(); d++) {
            inner *= x.dim(d);
        }
        int along = x.dim(ax), picks = indices.size();
        long[] idx = indices.longs();
        Object src = store(x), dst = store(y);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < picks; i++) {
                int at = (int) (idx[i] < 0 ? idx[i] + along : idx[i]);
                System.arraycopy(src, (o * along + at) * inner, dst, (o * picks + i) * inner, inner);
            }
        }
    }

    @Override
    public void cast(Tensor x, Tensor y) {
        Checks.cast(x, y);
        int n = x.size();
        if (x.dtype() == y.dtype()) {
            System.arraycopy(store(x), 0, store(y), 0, n);
        } else if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.floats();
            long[] ys = y.longs();
            for (int i = 0; i < n; i++) {
                ys[i] = (long) xs[i]; // truncates toward zero
            }
        } else {
            long[] xs = x.longs();
            float[] ys = y.floats();
            for (int i = 0; i < n; i++) {
                ys[i] = xs[i];
            }
        }
    }

    @Override
    public void copy(Tensor x, Tensor y) {
        Checks.copy(x, y);
        System.arraycopy(store(x), 0, store(y), 0, x.size());
    }

    private static Object store(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.floats() : t.longs();
    }

    /**
     * Runs body(i) for i in [0, n), each of about {@code work} elementary steps, on the pool in
     * contiguous chunks; small loops stay on the calling thread.
     */
    private void forChunks(int n, long work, java.util.function.IntConsumer body) {
        long total = n * Math.max(1, work);
        if (threads == 1 || n == 1 || total < PARALLEL_MIN) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        int chunks = (int) Math.min(n, 4L * threads);
        pool.parallelFor(chunks, (c) -> {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /** The worker pool, shared with the half-storage backend wrapping this one. */
    WorkerPool pool() {
        return pool;
    }

    @Override
    public void headCandidates(HeadParams p, Tensor cls, Tensor reg, Tensor anchors, Tensor scores, Tensor pairs,
                               Tensor boxes, Tensor counts) {
        HeadCandidates.fast(p, cls, reg, anchors, scores, pairs, boxes, counts);
    }

    @Override
    public void close() {
        pool.close();
        clearWeightCache();
    }
}

package io.freeanchor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(4x4, 3x3) convolution for {@link JavaBackend}: stride 1, dilation 1, group 1, 3x3
 * kernels, any padding. The output is cut into 4x4 tiles; each tile reads a 6x6 input patch.
 * With {@code d} a patch, {@code g} a 3x3 filter and the matrices of Lavin and Gray (interpolation
 * points 0, 1, -1, 2, -2):
 * <pre>
 *   U = G g G^T  (6x6, once per filter, {@link Weights})
 *   V = B^T d B  (6x6, per tile and input channel)
 *   M[xi] = sum over c of U[xi][k][c] * V[xi][c][tile]   (36 independent GEMMs, xi = 6 * row + col)
 *   y = A^T M A  (4x4, per tile and output channel) + bias (+ residual), then ReLU
 * </pre>
 * That is 36 multiplications per 16 outputs and channel pair instead of 144.
 *
 * <p>Work is cut into blocks of tiles (flattened over batch and map). A task transforms its block's
 * input patches for every channel into the worker's scratch ({@code V[xi][panel][c][NR]}: panels of
 * {@link #NR} tiles, one vector lane per tile), then for groups of output channels runs the GEMMs
 * ({@code MR x NR} register-blocked micro-kernel over the full C) into {@code M[xi][k][tile]} and
 * applies the output transform and epilogue to those channels. Transforms run on vectors whose
 * lanes are tiles, so they need no shuffles; patches are gathered (zero outside the map) and output
 * tiles scattered (clipped to the map) one lane at a time.
 */
final class ConvWinograd {
    static final VectorSpecies<Float> SPECIES = Vectors.FLOATS;
    static final int VL = SPECIES.length();
    /** Output channels per micro-kernel tile (ConvGemm's micro-kernel, shared). */
    static final int MR = ConvGemm.MR;
    /** Tiles per micro-kernel tile (two vectors). */
    static final int NR = ConvGemm.NR;
    /** Transform points per tile: a 6x6 patch. */
    static final int XI = 36;
    /**
     * Budget for one worker's transformed input block V, in floats (2 MiB): big enough that each
     * weight element brought in from cache serves several panels of tiles, small enough to stay
     * in the last-level cache next to the weights.
     */
    static final int V_FLOATS = Integer.getInteger("freeanchor.winograd.vFloats", 512 * 1024);
    /** At most this many panels per block (more gives little extra weight reuse). */
    static final int MAX_PANELS = Integer.getInteger("freeanchor.winograd.maxPanels", 4);
    /**
     * Output channels per GEMM group: each group re-reads the block's V, so larger groups read it
     * less often, while M for a group (36 x K_GROUP x the block's tiles) should stay in L2. 64 was
     * the best of 16 to 256 on the model's layers with 512-bit vectors (Zen 5, ConvThroughput).
     */
    static final int K_GROUP = Integer.getInteger("freeanchor.winograd.kGroup", 64);

    private ConvWinograd() {}

    /** Whether this kernel computes {@code p} with a kH x kW filter. */
    static boolean supports(Conv2dParams p, int kH, int kW, int group) {
        return kH == 3 && kW == 3 && p.strideH() == 1 && p.strideW() == 1 && p.dilationH() == 1
                && p.dilationW() == 1 && group == 1 && p.group() == 1;
    }

    /**
     * The transformed filters {@code U = G g G^T}, laid out for the micro-kernel:
     * {@code u[((xi * kBlocks + kb) * inC + c) * MR + r]} for output channel {@code kb * MR + r}
     * (zero past outC). Computed in double, rounded once. Immutable once built.
     */
    static final class Weights {
        final int[] shape;
        final int outC;
        final int inC;
        final int kBlocks;
        final float[] u;

        /** Transforms w on the pool (blocks of output channels in parallel). */
        Weights(Tensor w, WorkerPool pool) {
            this.shape = w.shape();
            this.outC = shape[0];
            this.inC = shape[1];
            this.kBlocks = Math.ceilDiv(outC, MR);
            this.u = new float[Math.multiplyExact(Math.multiplyExact(XI * kBlocks, inC), MR)];
            float[] ws = w.floats();
            pool.parallelFor(kBlocks, kb -> {
                double[] g = new double[9];
                double[] gg = new double[18]; // G g: 6 x 3
                double[] t = new double[XI];
                for (int k = kb * MR; k < Math.min(outC, kb * MR + MR); k++) {
                    for (int c = 0; c < inC; c++) {
                        for (int i = 0; i < 9; i++) {
                            g[i] = ws[(k * inC + c) * 9 + i];
                        }
                        transformFilter(g, gg, t);
                        for (int xi = 0; xi < XI; xi++) {
                            u[offset(xi, kb) + c * MR + k - kb * MR] = (float) t[xi];
                        }
                    }
                }
            });
        }

        int offset(int xi, int kb) {
            return (xi * kBlocks + kb) * inC * MR;
        }

        boolean matches(int[] wShape) {
            return java.util.Arrays.equals(shape, wShape);
        }
    }

    /** t = G g G^T for a 3x3 g (row-major), into 6x6 t; gg is 6x3 scratch. */
    static void transformFilter(double[] g, double[] gg, double[] t) {
        for (int j = 0; j < 3; j++) {
            filterColumn(g[j], g[3 + j], g[6 + j], gg, j, 3);
        }
        for (int i = 0; i < 6; i++) {
            filterColumn(gg[i * 3], gg[i * 3 + 1], gg[i * 3 + 2], t, i * 6, 1);
        }
    }

    /** The six entries of G * (g0, g1, g2) into out[at + i * step]. */
    private static void filterColumn(double g0, double g1, double g2, double[] out, int at, int step) {
        out[at] = g0 / 4;
        out[at + step] = -(g0 + g1 + g2) / 6;
        out[at + 2 * step] = -(g0 - g1 + g2) / 6;
        out[at + 3 * step] = g0 / 24 + g1 / 12 + g2 / 6;
        out[at + 4 * step] = g0 / 24 - g1 / 12 + g2 / 6;
        out[at + 5 * step] = g2;
    }

    /** Per-worker buffers, grown on demand and reused across calls. */
    static final class Scratch {
        float[] v = new float[0];
        float[] m = new float[0];
        /** One lane group's 6x6 patches, then their row-transformed values: [36][VL]. */
        final float[] patch = new float[XI * VL];
        /** Output transform: [4][6][VL] after the first pass, then [16][VL]. */
        final float[] out = new float[24 * VL];
        /** One lane group's runs of side-by-side tiles (see segment): lanes, image offset, top row, column. */
        final long[] segLanes = new long[VL];
        final int[] segBase = new int[VL];
        final int[] segRow = new int[VL];
        final int[] segCol = new int[VL];
        /** One input row under a run's patches (ROW_FLOATS, rounded up to whole vectors). */
        final float[] rowBuf = new float[5 * VL];

        /** Per block tile: offset of its output (0, 0) in image plane 0, valid rows and columns. */
        int[] tileOut = new int[0];
        byte[] tileRows = new byte[0];
        byte[] tileCols = new byte[0];

        void ensureTiles(int tiles) {
            if (tileOut.length < tiles) {
                tileOut = new int[tiles];
                tileRows = new byte[tiles];
                tileCols = new byte[tiles];
            }
        }

        void ensure(int vFloats, int mFloats) {
            if (v.length < vFloats) {
                v = new float[vFloats];
            }
            if (m.length < mFloats) {
                m = new float[mFloats];
            }
        }
    }

    /**
     * Distance between the 36 slices of V or M: the slice size plus one cache line, so that the 36
     * accesses of one transform do not all fall into the same L1 set (slice sizes are often
     * multiples of 4 KiB).
     */
    static int xiStride(int sliceFloats) {
        return sliceFloats + 16;
    }

    /** Runs the whole convolution on the pool. Arguments are already validated and supported. */
    static void run(WorkerPool pool, Scratch[] scratch, Conv2dParams p, Tensor x, Weights wt,
                    Tensor bias, Tensor residual, Tensor y) {
        final int batch = x.dim(0), inC = x.dim(1), inH = x.dim(2), inW = x.dim(3);
        final int outC = wt.outC, outH = y.dim(2), outW = y.dim(3);
        final int tilesW = Math.ceilDiv(outW, 4), perImage = Math.ceilDiv(outH, 4) * tilesW;
        final int totalTiles = Math.multiplyExact(batch, perImage);
        final int threads = pool.size();

        // Blocks of panels as large as the V budget allows; smaller when that leaves workers idle.
        int totalPanels = Math.ceilDiv(totalTiles, NR);
        int panelsPerBlock = Math.clamp(V_FLOATS / ((long) XI * inC * NR), 1, Math.min(MAX_PANELS, totalPanels));
        int wanted = 4 * threads;
        if (Math.ceilDiv(totalPanels, panelsPerBlock) < wanted) {
            panelsPerBlock = Math.max(1, Math.ceilDiv(totalPanels, wanted));
        }
        final int blockPanels = panelsPerBlock;
        final int blocks = Math.ceilDiv(totalPanels, blockPanels);
        // Output-channel ranges: split only when blocks alone leave workers idle (each split
        // transforms the block's input again, which is cheap next to its share of the GEMMs).
        int splits = 1;
        if (blocks < wanted) {
            splits = Math.min(wt.kBlocks, Math.ceilDiv(wanted, blocks));
        }
        final int kbPerSplit = Math.ceilDiv(wt.kBlocks, splits);
        final int kSplits = Math.ceilDiv(wt.kBlocks, kbPerSplit);
        final int kGroupBlocks = Math.max(1, K_GROUP / MR);

        final float[] xs = x.floats(), ys = y.floats(), u = wt.u;
        final float[] bs = bias == null ? null : bias.floats();
        // An upsampled residual is added after the output transform's store (ReLU follows it).
        final UpsampledResidual up = UpsampledResidual.of(p, residual, y);
        final float[] rs = residual == null || up != null ? null : residual.floats();
        final boolean relu = p.activation() == Activation.RELU;
        final boolean storeRelu = relu && up == null;
        final int padT = p.padTop(), padL = p.padLeft();

        pool.parallelFor(blocks * kSplits, (task, worker) -> {
            int split = task % kSplits, block = task / kSplits;
            int t0 = block * blockPanels * NR;
            int tiles = Math.min(blockPanels * NR, totalTiles - t0);
            int panels = Math.ceilDiv(tiles, NR);
            int tileStride = panels * NR;
            int groupRows = kGroupBlocks * MR;
            Scratch s = scratch[worker];
            int vXiStride = xiStride(panels * inC * NR), mXiStride = xiStride(groupRows * tileStride);
            s.ensure(XI * vXiStride, XI * mXiStride);
            float[] v = s.v, m = s.m;

            transformInput(xs, inC, inH, inW, padT, padL, tilesW, perImage, t0, tiles, panels, s);

            int kb0 = split * kbPerSplit, kb1 = Math.min(wt.kBlocks, kb0 + kbPerSplit);
            for (int g0 = kb0; g0 < kb1; g0 += kGroupBlocks) {
                int g1 = Math.min(kb1, g0 + kGroupBlocks);
                for (int xi = 0; xi < XI; xi++) {
                    int vXi = xi * vXiStride;
                    int mXi = xi * mXiStride;
                    for (int kb = g0; kb < g1; kb++) {
                        int uOff = wt.offset(xi, kb);
                        int mRow = mXi + (kb - g0) * MR * tileStride;
                        for (int pi = 0; pi < panels; pi++) {
                            ConvGemm.dot(u, uOff, v, vXi + pi * inC * NR, inC, m, mRow + pi * NR, tileStride);
                        }
                    }
                }
                int k0 = g0 * MR, k1 = Math.min(outC, g1 * MR);
                transformOutput(m, mXiStride, tileStride, k0, k1, t0, tiles, outC, outH, outW, tilesW, perImage,
                        bs, rs, storeRelu, ys, s);
                if (up != null) {
                    addUpsampled(up, ys, s, tiles, k0, k1, outH * outW, outW, relu);
                }
            }
        });
    }

    /**
     * V for tiles [t0, t0 + tiles): {@code v[xi * xiStride + (pi * inC + c) * NR + j]} for tile
     * {@code t0 + pi * NR + j}; lanes past the block hold the transform of a zero patch.
     *
     * <p>Patches are read without gathers (slow on the machines we measured): a lane group is cut
     * into segments of tiles side by side in one tile row, and per segment and patch row the input
     * row's 4 * VL + 2 floats under it are copied (zero outside the map) and deinterleaved by
     * shuffles into the six patch columns, lane l of column j being float 4 * l + j.
     */
    static void transformInput(float[] x, int inC, int inH, int inW, int padT, int padL, int tilesW, int perImage,
                               int t0, int tiles, int panels, Scratch s) {
        float[] v = s.v, patch = s.patch;
        int plane = inH * inW;
        int xiStride = xiStride(panels * inC * NR);
        for (int pi = 0; pi < panels; pi++) {
            for (int half = 0; half < 2; half++) {
                int first = pi * NR + half * VL;
                int dst = pi * inC * NR + half * VL;
                int lanes = Math.min(VL, tiles - first);
                if (lanes <= 0) {
                    FloatVector zero = FloatVector.zero(SPECIES);
                    for (int c = 0; c < inC; c++) {
                        for (int xi = 0; xi < XI; xi++) {
                            zero.intoArray(v, dst + xi * xiStride + c * NR);
                        }
                    }
                    continue;
                }
                int segments = segment(s, t0 + first, lanes, tilesW, perImage, inC * plane, padT, padL);
                if (lanes < VL) {
                    java.util.Arrays.fill(patch, 0f); // lanes past the block stay zero
                }
                for (int c = 0; c < inC; c++) {
                    for (int g = 0; g < segments; g++) {
                        readSegment(x, s.segBase[g] + c * plane, s.segRow[g], s.segCol[g], s.segLanes[g], inH, inW, s);
                    }
                    columnPass(patch);
                    rowPass(patch, v, dst + c * NR, xiStride);
                }
            }
        }
    }

    /**
     * Cuts lanes [0, lanes) of the group starting at tile {@code tile} into runs of tiles side by
     * side in one tile row of one image; per run g: its lanes (bits), its image's offset, its
     * patches' top input row, and the input column under lane 0 (as if the run began at lane 0).
     * Returns the number of runs.
     */
    private static int segment(Scratch s, int tile, int lanes, int tilesW, int perImage, int imageSize,
                               int padT, int padL) {
        int segments = 0;
        for (int l = 0; l < lanes; ) {
            int t = tile + l;
            int n = t / perImage, rest = t - n * perImage;
            int ty = rest / tilesW, tx = rest - ty * tilesW;
            int run = Math.min(lanes - l, tilesW - tx);
            s.segLanes[segments] = (run == 64 ? -1L : (1L << run) - 1) << l;
            s.segBase[segments] = n * imageSize;
            s.segRow[segments] = ty * 4 - padT;
            s.segCol[segments] = (tx - l) * 4 - padL;
            segments++;
            l += run;
        }
        return segments;
    }

    /**
     * Writes the lanes {@code laneBits} of patch[(i * 6 + j) * VL + l] = input(row0 + i, col0 + 4 * l + j)
     * of the channel plane at {@code base}, zero outside the map.
     */
    private static void readSegment(float[] x, int base, int row0, int col0, long laneBits, int inH, int inW,
                                    Scratch s) {
        float[] buf = s.rowBuf, patch = s.patch;
        // Always masked stores (as fast as plain ones with AVX-512 and AVX2): a null mask for the
        // full case crashed C2-compiled code (a class check on the null mask, JDK 25, Zen 5).
        VectorMask<Float> m = VectorMask.fromLong(SPECIES, laneBits);
        // the input columns the buffer covers, clipped to the map
        int from = Math.max(0, col0), to = Math.min(inW, col0 + ROW_FLOATS);
        for (int i = 0; i < 6; i++) {
            int iy = row0 + i;
            if (iy < 0 || iy >= inH || from >= to) {
                FloatVector zero = FloatVector.zero(SPECIES);
                for (int j = 0; j < 6; j++) {
                    zero.intoArray(patch, (i * 6 + j) * VL, m);
                }
                continue;
            }
            if (from > col0) {
                java.util.Arrays.fill(buf, 0, from - col0, 0f);
            }
            System.arraycopy(x, base + iy * inW + from, buf, from - col0, to - from);
            if (to - col0 < ROW_FLOATS) {
                java.util.Arrays.fill(buf, to - col0, ROW_FLOATS, 0f);
            }
            deinterleave(buf, patch, i * 6 * VL, m);
        }
    }

    /**
     * patch[at + j * VL + l] = buf[4 * l + j] for j < 6, the lanes of m only: two rounds of even/odd
     * unzips give columns 0 to 3; 4 and 5 are 0 and 1 moved one lane on.
     */
    private static void deinterleave(float[] buf, float[] patch, int at, VectorMask<Float> m) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, buf, 0);
        FloatVector a1 = FloatVector.fromArray(SPECIES, buf, VL);
        FloatVector a2 = FloatVector.fromArray(SPECIES, buf, 2 * VL);
        FloatVector a3 = FloatVector.fromArray(SPECIES, buf, 3 * VL);
        FloatVector even01 = a0.rearrange(EVEN, a1), odd01 = a0.rearrange(ODD, a1);
        FloatVector even23 = a2.rearrange(EVEN, a3), odd23 = a2.rearrange(ODD, a3);
        FloatVector d0 = even01.rearrange(EVEN, even23), d1 = odd01.rearrange(EVEN, odd23);
        d0.intoArray(patch, at, m);
        d1.intoArray(patch, at + VL, m);
        even01.rearrange(ODD, even23).intoArray(patch, at + 2 * VL, m);
        odd01.rearrange(ODD, odd23).intoArray(patch, at + 3 * VL, m);
        d0.rearrange(NEXT, FloatVector.broadcast(SPECIES, buf[4 * VL])).intoArray(patch, at + 4 * VL, m);
        d1.rearrange(NEXT, FloatVector.broadcast(SPECIES, buf[4 * VL + 1])).intoArray(patch, at + 5 * VL, m);
    }

    /** Input floats under one lane group's patches in a row: 4 per tile plus the last tile's 2 more. */
    private static final int ROW_FLOATS = 4 * VL + 2;
    /** Two-vector shuffles: even and odd lanes of (a, b); lane l + 1 (the last from b's lane 0). */
    private static final VectorShuffle<Float> EVEN = Vectors.EVEN, ODD = Vectors.ODD;
    private static final VectorShuffle<Float> NEXT = Vectors.shuffle(i -> i + 1);

    /** B^T down each column of VL patches, in place: patch[(i * 6 + j) * VL + l]. */
    private static void columnPass(float[] patch) {
        for (int j = 0; j < 6; j++) {
            int at = j * VL;
            FloatVector d0 = FloatVector.fromArray(SPECIES, patch, at);
            FloatVector d1 = FloatVector.fromArray(SPECIES, patch, at + 6 * VL);
            FloatVector d2 = FloatVector.fromArray(SPECIES, patch, at + 12 * VL);
            FloatVector d3 = FloatVector.fromArray(SPECIES, patch, at + 18 * VL);
            FloatVector d4 = FloatVector.fromArray(SPECIES, patch, at + 24 * VL);
            FloatVector d5 = FloatVector.fromArray(SPECIES, patch, at + 30 * VL);
            FloatVector a = d4.sub(d2), b = d3.sub(d1);
            FloatVector c = d3.add(d4), e = d1.add(d2);
            FloatVector f = d4.sub(d3), h = d1.sub(d2);
            d0.mul(4f).add(d4).sub(d2.mul(5f)).intoArray(patch, at);
            e.mul(-4f).add(c).intoArray(patch, at + 6 * VL);
            h.mul(4f).add(f).intoArray(patch, at + 12 * VL);
            b.mul(2f).add(a).intoArray(patch, at + 18 * VL);
            b.mul(-2f).add(a).intoArray(patch, at + 24 * VL);
            d1.mul(4f).add(d5).sub(d3.mul(5f)).intoArray(patch, at + 30 * VL);
        }
    }

    /** B along each row of the column-transformed patches into {@code v[dst + xi * xiStride]}. */
    private static void rowPass(float[] patch, float[] v, int dst, int xiStride) {
        for (int i = 0; i < 6; i++) {
            int at = i * 6 * VL;
            FloatVector d0 = FloatVector.fromArray(SPECIES, patch, at);
            FloatVector d1 = FloatVector.fromArray(SPECIES, patch, at + VL);
            FloatVector d2 = FloatVector.fromArray(SPECIES, patch, at + 2 * VL);
            FloatVector d3 = FloatVector.fromArray(SPECIES, patch, at + 3 * VL);
            FloatVector d4 = FloatVector.fromArray(SPECIES, patch, at + 4 * VL);
            FloatVector d5 = FloatVector.fromArray(SPECIES, patch, at + 5 * VL);
            FloatVector a = d4.sub(d2), b = d3.sub(d1);
            FloatVector c = d3.add(d4), e = d1.add(d2);
            FloatVector f = d4.sub(d3), h = d1.sub(d2);
            int o = dst + i * 6 * xiStride;
            d0.mul(4f).add(d4).sub(d2.mul(5f)).intoArray(v, o);
            e.mul(-4f).add(c).intoArray(v, o + xiStride);
            h.mul(4f).add(f).intoArray(v, o + 2 * xiStride);
            b.mul(2f).add(a).intoArray(v, o + 3 * xiStride);
            b.mul(-2f).add(a).intoArray(v, o + 4 * xiStride);
            d1.mul(4f).add(d5).sub(d3.mul(5f)).intoArray(v, o + 5 * xiStride);
        }
    }

    /**
     * A^T M A for output channels [k0, k1) of the block's tiles, plus bias, residual and ReLU,
     * stored to y clipped to the map. {@code m[xi * xiStride + (k - k0) * tileStride + t]}.
     */
    static void transformOutput(float[] m, int xiStride, int tileStride, int k0, int k1, int t0, int tiles,
                                int outC, int outH, int outW, int tilesW, int perImage,
                                float[] bias, float[] res, boolean relu, float[] y, Scratch s) {
        float[] out = s.out;
        s.ensureTiles(tiles);
        int plane = outH * outW;
        for (int t = 0; t < tiles; t++) {
            int tile = t0 + t;
            int n = tile / perImage, rest = tile - n * perImage;
            int ty = rest / tilesW, tx = rest - ty * tilesW;
            s.tileOut[t] = n * outC * plane + ty * 4 * outW + tx * 4;
            s.tileRows[t] = (byte) Math.min(4, outH - ty * 4);
            s.tileCols[t] = (byte) Math.min(4, outW - tx * 4);
        }
        for (int first = 0; first < tiles; first += VL) {
            int lanes = Math.min(VL, tiles - first);
            boolean rowOfFullTiles = INTERLEAVE && fullTilesInOneRow(s, first, lanes);
            for (int k = k0; k < k1; k++) {
                outputColumnPass(m, (k - k0) * tileStride + first, xiStride, out);
                float b = bias == null ? 0f : bias[k];
                if (rowOfFullTiles) {
                    outputRowsInterleaved(out, b, relu, s.tileOut[first] + k * plane, outW, res, y);
                } else {
                    outputRows(out, b, relu && res == null);
                    scatter(out, lanes, first, k * plane, outW, res, relu, y, s);
                }
            }
        }
    }

    // The output transform is split into small methods that pass arrays, never vectors: a vector
    // that crosses a call C2 did not inline is boxed on the heap (C2 stops inlining once a method
    // grows past its node budget, which one big transformOutput did).

    /** First pass of A^T M A: A^T down the 6 columns of VL tiles' M into out[(i * 6 + j) * VL], i < 4. */
    private static void outputColumnPass(float[] m, int src, int xiStride, float[] out) {
        for (int j = 0; j < 6; j++) {
            FloatVector m0 = FloatVector.fromArray(SPECIES, m, src + j * xiStride);
            FloatVector m1 = FloatVector.fromArray(SPECIES, m, src + (6 + j) * xiStride);
            FloatVector m2 = FloatVector.fromArray(SPECIES, m, src + (12 + j) * xiStride);
            FloatVector m3 = FloatVector.fromArray(SPECIES, m, src + (18 + j) * xiStride);
            FloatVector m4 = FloatVector.fromArray(SPECIES, m, src + (24 + j) * xiStride);
            FloatVector m5 = FloatVector.fromArray(SPECIES, m, src + (30 + j) * xiStride);
            FloatVector sum12 = m1.add(m2), dif12 = m1.sub(m2);
            FloatVector sum34 = m3.add(m4), dif34 = m3.sub(m4);
            m0.add(sum12).add(sum34).intoArray(out, j * VL);
            dif34.mul(2f).add(dif12).intoArray(out, (6 + j) * VL);
            sum34.mul(4f).add(sum12).intoArray(out, (12 + j) * VL);
            dif34.mul(8f).add(dif12).add(m5).intoArray(out, (18 + j) * VL);
        }
    }

    /**
     * Second pass, in place: row r of the first pass (6 vectors at out[r * 6 * VL]) to outputs
     * (r, 0..3) + bias at out[(r * 4 + q) * VL] (rows are read top to bottom and written to slots
     * 4r..4r+3 <= 6r, so in place is safe), with ReLU when {@code relu}.
     */
    private static void outputRows(float[] out, float bias, boolean relu) {
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        for (int r = 0; r < 4; r++) {
            int at = r * 6 * VL;
            FloatVector m0 = FloatVector.fromArray(SPECIES, out, at);
            FloatVector m1 = FloatVector.fromArray(SPECIES, out, at + VL);
            FloatVector m2 = FloatVector.fromArray(SPECIES, out, at + 2 * VL);
            FloatVector m3 = FloatVector.fromArray(SPECIES, out, at + 3 * VL);
            FloatVector m4 = FloatVector.fromArray(SPECIES, out, at + 4 * VL);
            FloatVector m5 = FloatVector.fromArray(SPECIES, out, at + 5 * VL);
            FloatVector sum12 = m1.add(m2), dif12 = m1.sub(m2);
            FloatVector sum34 = m3.add(m4), dif34 = m3.sub(m4);
            FloatVector o0 = m0.add(sum12).add(sum34).add(b);
            FloatVector o1 = dif34.mul(2f).add(dif12).add(b);
            FloatVector o2 = sum34.mul(4f).add(sum12).add(b);
            FloatVector o3 = dif34.mul(8f).add(dif12).add(m5).add(b);
            if (relu) {
                o0 = o0.max(0f);
                o1 = o1.max(0f);
                o2 = o2.max(0f);
                o3 = o3.max(0f);
            }
            int w = r * 4 * VL;
            o0.intoArray(out, w);
            o1.intoArray(out, w + VL);
            o2.intoArray(out, w + 2 * VL);
            o3.intoArray(out, w + 3 * VL);
        }
    }

    /**
     * Second pass for VL complete tiles side by side in one output row, stored straight to y at
     * {@code row0} (the tiles' top-left output): each output row r is 4 vectors made by zipping
     * (o0, o1) and (o2, o3) per float, then the results per pair; + residual, ReLU.
     */
    private static void outputRowsInterleaved(float[] out, float bias, boolean relu, int row0, int outW,
                                              float[] res, float[] y) {
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        for (int r = 0; r < 4; r++) {
            int at = r * 6 * VL;
            FloatVector m0 = FloatVector.fromArray(SPECIES, out, at);
            FloatVector m1 = FloatVector.fromArray(SPECIES, out, at + VL);
            FloatVector m2 = FloatVector.fromArray(SPECIES, out, at + 2 * VL);
            FloatVector m3 = FloatVector.fromArray(SPECIES, out, at + 3 * VL);
            FloatVector m4 = FloatVector.fromArray(SPECIES, out, at + 4 * VL);
            FloatVector m5 = FloatVector.fromArray(SPECIES, out, at + 5 * VL);
            FloatVector sum12 = m1.add(m2), dif12 = m1.sub(m2);
            FloatVector sum34 = m3.add(m4), dif34 = m3.sub(m4);
            FloatVector o0 = m0.add(sum12).add(sum34).add(b);
            FloatVector o1 = dif34.mul(2f).add(dif12).add(b);
            FloatVector o2 = sum34.mul(4f).add(sum12).add(b);
            FloatVector o3 = dif34.mul(8f).add(dif12).add(m5).add(b);
            FloatVector a0 = o0.rearrange(ZIP_LO, o1), a1 = o0.rearrange(ZIP_HI, o1);
            FloatVector b0 = o2.rearrange(ZIP_LO, o3), b1 = o2.rearrange(ZIP_HI, o3);
            FloatVector v0 = a0.rearrange(ZIP2_LO, b0), v1 = a0.rearrange(ZIP2_HI, b0);
            FloatVector v2 = a1.rearrange(ZIP2_LO, b1), v3 = a1.rearrange(ZIP2_HI, b1);
            int row = row0 + r * outW;
            if (res != null) {
                v0 = v0.add(FloatVector.fromArray(SPECIES, res, row));
                v1 = v1.add(FloatVector.fromArray(SPECIES, res, row + VL));
                v2 = v2.add(FloatVector.fromArray(SPECIES, res, row + 2 * VL));
                v3 = v3.add(FloatVector.fromArray(SPECIES, res, row + 3 * VL));
            }
            if (relu) {
                v0 = v0.max(0f);
                v1 = v1.max(0f);
                v2 = v2.max(0f);
                v3 = v3.max(0f);
            }
            v0.intoArray(y, row);
            v1.intoArray(y, row + VL);
            v2.intoArray(y, row + 2 * VL);
            v3.intoArray(y, row + 3 * VL);
        }
    }

    /** Adds the upsampled residual (then ReLU) to channels [k0, k1) of the tiles transformOutput just stored. */
    private static void addUpsampled(UpsampledResidual up, float[] y, Scratch s, int tiles, int k0, int k1, int plane,
                                     int outW, boolean relu) {
        for (int t = 0; t < tiles; t++) {
            int rows = s.tileRows[t], cols = s.tileCols[t];
            for (int k = k0; k < k1; k++) {
                int row = s.tileOut[t] + k * plane;
                for (int r = 0; r < rows; r++, row += outW) {
                    up.addRun(y, row, cols, relu);
                }
            }
        }
    }

    /** Whether the interleaving store applies (it needs at least 4 lanes). */
    private static final boolean INTERLEAVE = VL >= 4;
    /** Two-vector shuffles: lanes i of (a, b) zipped per float, then per pair of floats. */
    private static final VectorShuffle<Float> ZIP_LO = Vectors.shuffle(i -> (i % 2) * VL + i / 2);
    private static final VectorShuffle<Float> ZIP_HI = Vectors.shuffle(i -> (i % 2) * VL + VL / 2 + i / 2);
    private static final VectorShuffle<Float> ZIP2_LO = Vectors.shuffle(i -> (i % 4 / 2) * VL + i / 4 * 2 + i % 2);
    private static final VectorShuffle<Float> ZIP2_HI = Vectors.shuffle(i -> (i % 4 / 2) * VL + VL / 2 + i / 4 * 2 + i % 2);

    /** Whether the lane group's tiles are VL complete 4x4 tiles side by side in one output row. */
    private static boolean fullTilesInOneRow(Scratch s, int first, int lanes) {
        if (lanes != VL) {
            return false;
        }
        for (int l = 0; l < VL; l++) {
            int t = first + l;
            if (s.tileRows[t] != 4 || s.tileCols[t] != 4 || s.tileOut[t] != s.tileOut[first] + 4 * l) {
                return false;
            }
        }
        return true;
    }

    /**
     * Lane l of out[(r * 4 + q) * VL + l] is output (r, q) of block tile {@code first + l} in channel
     * plane {@code kOffset / (outH * outW)}; stores the part inside the map.
     */
    private static void scatter(float[] out, int lanes, int first, int kOffset, int outW, float[] res, boolean relu,
                                float[] y, Scratch s) {
        for (int l = 0; l < lanes; l++) {
            int t = first + l;
            int rows = s.tileRows[t], cols = s.tileCols[t];
            int row = s.tileOut[t] + kOffset;
            for (int r = 0; r < rows; r++, row += outW) {
                int o = r * 4 * VL + l;
                if (res == null) {
                    for (int q = 0; q < cols; q++) {
                        y[row + q] = out[o + q * VL];
                    }
                } else {
                    for (int q = 0; q < cols; q++) {
                        float val = out[o + q * VL] + res[row + q];
                        y[row + q] = relu ? Math.max(val, 0f) : val;
                    }
                }
            }
        }
    }
}

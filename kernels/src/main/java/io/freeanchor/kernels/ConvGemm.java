package io.freeanchor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution as GEMM for {@link JavaBackend}: per group, {@code Y[Mg, P] = W[Mg, K] * B[K, P]} with
 * {@code K = Cg * kH * kW} and {@code P = outH * outW}, where B is the im2col matrix of the input.
 *
 * <p>Weights are packed once ({@link PackedWeights}) into blocks of {@link #MR} output channels,
 * k-major: {@code block[k * MR + r] = W[m0 + r, k]} (rows past Mg are zero). Work is cut into tasks of
 * (image, group, spatial tile, range of channel blocks); a task im2col-packs its tile of B into the
 * worker's scratch as panels of {@link #NR} columns, k-major ({@code panel[k * NR + j]}, columns
 * past the tile zero), then runs the register-blocked micro-kernel over every (panel, channel block)
 * pair with the full K in registers, and applies bias, residual and ReLU before the single store.
 */
final class ConvGemm {
    static final VectorSpecies<Float> SPECIES = Vectors.FLOATS;
    static final int VL = SPECIES.length();
    /** Output channels per micro-kernel tile. */
    static final int MR = microKernelRows();
    /** Output positions per micro-kernel tile (two vectors). */
    static final int NR = 2 * VL;
    /** Gather index maps for strided im2col rows: {@code STRIDED[s][j] = j * s}, for strides 2 to 4. */
    private static final int[][] STRIDED = java.util.stream.IntStream.range(0, 5)
            .mapToObj(st -> java.util.stream.IntStream.range(0, VL).map(j -> j * st).toArray()).toArray(int[][]::new);
    /** Budget for one worker's packed B tile, in floats (256 KiB). */
    static final int TILE_FLOATS = 64 * 1024;

    private ConvGemm() {}

    /**
     * {@code -Dfreeanchor.gemm.mr} (4 or 8, the row counts {@link #dot} has kernels for), else 8 on
     * 512-bit vectors and 4 otherwise. (A 6-row kernel ran the full model 1.7x slower on 256-bit AVX2.)
     */
    private static int microKernelRows() {
        int mr = Integer.getInteger("freeanchor.gemm.mr", VL >= 16 ? 8 : 4);
        if (mr != 4 && mr != 8) {
            throw new IllegalArgumentException("-Dfreeanchor.gemm.mr must be 4 or 8, got " + mr);
        }
        return mr;
    }

    /** Weights in micro-kernel order. Immutable once built. */
    static final class PackedWeights {
        final int[] shape;
        final int group;
        final int groupOutC;
        final int k;
        final int mBlocks;
        final float[] data;

        PackedWeights(Tensor w, int group) {
            this.shape = w.shape();
            this.group = group;
            this.groupOutC = shape[0] / group;
            this.k = shape[1] * shape[2] * shape[3];
            this.mBlocks = Math.ceilDiv(groupOutC, MR);
            this.data = new float[Math.multiplyExact(Math.multiplyExact(group * mBlocks, k), MR)];
            float[] ws = w.floats();
            for (int g = 0; g < group; g++) {
                for (int mb = 0; mb < mBlocks; mb++) {
                    int dst = offset(g, mb);
                    for (int r = 0; r < MR; r++) {
                        int m = mb * MR + r;
                        if (m >= groupOutC) {
                            continue; // zero rows pad the last block
                        }
                        int src = (g * groupOutC + m) * k;
                        for (int kk = 0; kk < k; kk++) {
                            data[dst + kk * MR + r] = ws[src + kk];
                        }
                    }
                }
            }
        }

        int offset(int g, int mb) {
            return (g * mBlocks + mb) * k * MR;
        }

        /**
         * Whether the packed copy still holds exactly (bit for bit) the values of {@code ws}, for
         * blocks [mb0, mb1) of every group. Reads every weight once.
         */
        boolean sameContents(float[] ws, int mb0, int mb1) {
            for (int g = 0; g < group; g++) {
                for (int mb = mb0; mb < mb1; mb++) {
                    int dst = offset(g, mb);
                    int rows = Math.min(MR, groupOutC - mb * MR);
                    for (int r = 0; r < rows; r++) {
                        int src = (g * groupOutC + mb * MR + r) * k;
                        for (int kk = 0, d = dst + r; kk < k; kk++, d += MR) {
                            if (Float.floatToRawIntBits(data[d]) != Float.floatToRawIntBits(ws[src + kk])) {
                                return false;
                            }
                        }
                    }
                }
            }
            return true;
        }

        boolean matches(int[] wShape, int g) {
            return group == g && java.util.Arrays.equals(shape, wShape);
        }
    }

    /** Per-worker buffers, grown on demand and reused across calls. */
    static final class Scratch {
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];
        int[] panelIh = new int[0];
        int[] panelIw = new int[0];

        int[] colIh = new int[0];
        int[] colIw = new int[0];
        boolean[] oneRow = new boolean[0];

        void ensure(int bFloats, int panels) {
            if (b.length < bFloats) {
                b = new float[bFloats];
            }
            if (panelIh.length < panels) {
                panelIh = new int[panels];
                panelIw = new int[panels];
                oneRow = new boolean[panels];
            }
        }

        void ensureColumns(int columns) {
            if (colIh.length < columns) {
                colIh = new int[columns];
                colIw = new int[columns];
            }
        }
    }

    /** Runs the whole convolution on the pool. Arguments are already validated. */
    static void run(WorkerPool pool, Scratch[] scratch, Conv2dParams p, Tensor x, PackedWeights pw,
                    Tensor bias, Tensor residual, Tensor y) {
        final int batch = x.dim(0), inC = x.dim(1), inH = x.dim(2), inW = x.dim(3);
        final int kH = pw.shape[2], kW = pw.shape[3];
        final int groups = pw.group, groupInC = pw.shape[1], groupOutC = pw.groupOutC, outC = pw.shape[0];
        final int outH = y.dim(2), outW = y.dim(3);
        final int positions = outH * outW;
        final int k = pw.k;
        final int threads = pool.size();

        // Spatial tiles: as wide as the scratch budget allows, narrower when that leaves workers idle.
        int totalPanels = Math.ceilDiv(positions, NR);
        int panelsPerTile = Math.clamp(TILE_FLOATS / ((long) k * NR), 1, totalPanels);
        int images = batch * groups;
        int wanted = 4 * threads;
        if (images * (long) Math.ceilDiv(totalPanels, panelsPerTile) < wanted) {
            int tilesWanted = Math.ceilDiv(wanted, images);
            panelsPerTile = Math.max(1, Math.ceilDiv(totalPanels, tilesWanted));
        }
        final int tilePanels = panelsPerTile;
        final int tiles = Math.ceilDiv(totalPanels, tilePanels);
        // Channel-block ranges: split only when tiles alone leave workers idle.
        int splits = 1;
        if (images * (long) tiles < wanted) {
            splits = (int) Math.min(pw.mBlocks, Math.ceilDiv(wanted, images * (long) tiles));
        }
        final int blocksPerSplit = Math.ceilDiv(pw.mBlocks, splits);
        final int mSplits = Math.ceilDiv(pw.mBlocks, blocksPerSplit);

        final float[] xs = x.floats(), ys = y.floats(), packed = pw.data;
        final float[] bs = bias == null ? null : bias.floats();
        // An upsampled residual is added after the micro-kernel's store (ReLU follows it), per block.
        final UpsampledResidual up = UpsampledResidual.of(p, residual, y);
        final float[] rs = residual == null || up != null ? null : residual.floats();
        final boolean relu = p.activation() == Activation.RELU;
        final boolean kernelRelu = relu && up == null;
        final int tasks = images * tiles * mSplits;

        pool.parallelFor(tasks, (task, worker) -> {
            int ms = task % mSplits;
            int rest = task / mSplits;
            int tile = rest % tiles;
            rest /= tiles;
            int g = rest % groups;
            int n = rest / groups;

            int p0 = tile * tilePanels * NR;
            int cols = Math.min(tilePanels * NR, positions - p0);
            int panels = Math.ceilDiv(cols, NR);
            Scratch s = scratch[worker];
            s.ensure(panels * k * NR, panels);
            int xBase = (n * inC + g * groupInC) * inH * inW;
            packB(xs, xBase, inH, inW, kH, kW, p, outW, p0, cols, k, s);

            int mb0 = ms * blocksPerSplit;
            int mb1 = Math.min(pw.mBlocks, mb0 + blocksPerSplit);
            UpsampledResidual.Panel resPanel = up == null ? null : new UpsampledResidual.Panel(NR);
            for (int pi = 0; pi < panels; pi++) {
                int c = Math.min(NR, cols - pi * NR);
                int bOff = pi * k * NR;
                if (up != null) {
                    up.locate(p0 + pi * NR, c, resPanel);
                }
                for (int mb = mb0; mb < mb1; mb++) {
                    int mInGroup = mb * MR;
                    int rows = Math.min(MR, groupOutC - mInGroup);
                    int m = g * groupOutC + mInGroup;
                    int yOff = (n * outC + m) * positions + p0 + pi * NR;
                    kernel(packed, pw.offset(g, mb), s.b, bOff, k, ys, yOff, positions, rows, c,
                            bs, m, rs, kernelRelu, s.tile);
                    if (up != null) {
                        for (int r = 0; r < rows; r++) {
                            up.addAt(ys, yOff + r * positions, n * outC + m + r, resPanel, relu);
                        }
                    }
                }
            }
        });
    }

    /**
     * im2col of columns [p0, p0 + cols) of one image and group into s.b as panels of NR columns,
     * each k-major: {@code s.b[pi * K * NR + k * NR + j]}; columns past {@code cols} are zero.
     */
    static void packB(float[] x, int xBase, int inH, int inW, int kH, int kW, Conv2dParams p, int outW,
                      int p0, int cols, int k, Scratch s) {
        float[] dst = s.b;
        int panels = Math.ceilDiv(cols, NR);
        int plane = inH * inW;
        boolean pointwise = kH == 1 && kW == 1 && p.strideH() == 1 && p.strideW() == 1
                && p.padTop() == 0 && p.padLeft() == 0 && p.padBottom() == 0 && p.padRight() == 0;
        if (pointwise) {
            // B is the input itself: row k is channel k, contiguous over positions.
            for (int pi = 0; pi < panels; pi++) {
                int c = Math.min(NR, cols - pi * NR);
                int src = xBase + p0 + pi * NR;
                int d = pi * k * NR;
                if (c == NR) {
                    for (int kk = 0; kk < k; kk++, src += plane, d += NR) {
                        FloatVector.fromArray(SPECIES, x, src).intoArray(dst, d);
                        FloatVector.fromArray(SPECIES, x, src + VL).intoArray(dst, d + VL);
                    }
                } else {
                    for (int kk = 0; kk < k; kk++, src += plane, d += NR) {
                        System.arraycopy(x, src, dst, d, c);
                        java.util.Arrays.fill(dst, d + c, d + NR, 0f);
                    }
                }
            }
            return;
        }

        // Per panel: does it lie in one output row (then the top-left input tap of its first column);
        // otherwise per column the top-left tap, with columns past the tile pushed far out of range.
        s.ensureColumns(panels * NR);
        int[] panelIh = s.panelIh, panelIw = s.panelIw, colIh = s.colIh, colIw = s.colIw;
        boolean[] oneRow = s.oneRow;
        int sH = p.strideH(), sW = p.strideW(), dH = p.dilationH(), dW = p.dilationW();
        for (int pi = 0; pi < panels; pi++) {
            int pos = p0 + pi * NR;
            int oh = pos / outW, ow = pos - oh * outW;
            int cnt = Math.min(NR, cols - pi * NR);
            oneRow[pi] = cnt == NR && ow + NR <= outW;
            panelIh[pi] = oh * sH - p.padTop();
            panelIw[pi] = ow * sW - p.padLeft();
            for (int j = 0; j < NR; j++) {
                int at = pi * NR + j;
                if (j < cnt) {
                    colIh[at] = oh * sH - p.padTop();
                    colIw[at] = ow * sW - p.padLeft();
                    if (++ow == outW) {
                        ow = 0;
                        oh++;
                    }
                } else {
                    colIh[at] = Integer.MIN_VALUE / 2; // never in range, whatever the tap
                    colIw[at] = 0;
                }
            }
        }
        FloatVector zero = FloatVector.zero(SPECIES);
        int span = (NR - 1) * sW; // input columns a one-row panel covers, minus one
        int kk = 0;
        for (int c = 0; c < k / (kH * kW); c++) {
            int chan = xBase + c * plane;
            for (int kh = 0; kh < kH; kh++) {
                int offH = kh * dH;
                for (int kw = 0; kw < kW; kw++, kk++) {
                    int offW = kw * dW;
                    for (int pi = 0; pi < panels; pi++) {
                        int d = pi * k * NR + kk * NR;
                        if (oneRow[pi]) {
                            int ih = panelIh[pi] + offH;
                            if (ih < 0 || ih >= inH) {
                                zero.intoArray(dst, d);
                                zero.intoArray(dst, d + VL);
                                continue;
                            }
                            int iw = panelIw[pi] + offW;
                            int row = chan + ih * inW;
                            if (iw >= 0 && iw + span < inW) {
                                if (sW == 1) {
                                    FloatVector.fromArray(SPECIES, x, row + iw).intoArray(dst, d);
                                    FloatVector.fromArray(SPECIES, x, row + iw + VL).intoArray(dst, d + VL);
                                } else if (sW == 2 && row + iw + 2 * NR <= x.length) {
                                    // 2 x NR consecutive floats, even lanes: plain loads and shuffles, no gather
                                    // (the odd lanes past the row's end are read, never kept)
                                    int at = row + iw;
                                    FloatVector a0 = FloatVector.fromArray(SPECIES, x, at);
                                    FloatVector a1 = FloatVector.fromArray(SPECIES, x, at + VL);
                                    FloatVector a2 = FloatVector.fromArray(SPECIES, x, at + 2 * VL);
                                    FloatVector a3 = FloatVector.fromArray(SPECIES, x, at + 3 * VL);
                                    a0.rearrange(Vectors.EVEN, a1).intoArray(dst, d);
                                    a2.rearrange(Vectors.EVEN, a3).intoArray(dst, d + VL);
                                } else if (sW < STRIDED.length) {
                                    int[] map = STRIDED[sW];
                                    FloatVector.fromArray(SPECIES, x, row + iw, map, 0).intoArray(dst, d);
                                    FloatVector.fromArray(SPECIES, x, row + iw + VL * sW, map, 0).intoArray(dst, d + VL);
                                } else {
                                    for (int j = 0, src = row + iw; j < NR; j++, src += sW) {
                                        dst[d + j] = x[src];
                                    }
                                }
                            } else {
                                for (int j = 0, iwj = iw; j < NR; j++, iwj += sW) {
                                    dst[d + j] = iwj >= 0 && iwj < inW ? x[row + iwj] : 0f;
                                }
                            }
                        } else {
                            int base = pi * NR;
                            for (int j = 0; j < NR; j++) {
                                int ih = colIh[base + j] + offH;
                                int iw = colIw[base + j] + offW;
                                dst[d + j] = ih >= 0 && ih < inH && iw >= 0 && iw < inW ? x[chan + ih * inW + iw] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The MR x NR micro-kernel: acc = A-block * B-panel over all k, then bias, residual, ReLU and a
     * store of the valid {@code rows x cols} corner to y (row stride {@code yStride}).
     */
    static void kernel(float[] a, int aOff, float[] b, int bOff, int k,
                       float[] y, int yOff, int yStride, int rows, int cols,
                       float[] bias, int m0, float[] res, boolean relu, float[] tile) {
        dot(a, aOff, b, bOff, k, tile, 0, NR);
        store(tile, y, yOff, yStride, rows, cols, bias, m0, res, relu);
    }

    /**
     * The micro-kernel's epilogue, a method of its own so that C2 compiles its vector code whole
     * (inlined into the caller with the dot product, it ran past C2's node budget and boxed).
     */
    private static void store(float[] tile, float[] y, int yOff, int yStride, int rows, int cols,
                              float[] bias, int m0, float[] res, boolean relu) {
        if (cols == NR) {
            for (int r = 0; r < rows; r++) {
                int off = yOff + r * yStride;
                FloatVector v0 = FloatVector.fromArray(SPECIES, tile, r * NR);
                FloatVector v1 = FloatVector.fromArray(SPECIES, tile, r * NR + VL);
                if (bias != null) {
                    FloatVector bv = FloatVector.broadcast(SPECIES, bias[m0 + r]);
                    v0 = v0.add(bv);
                    v1 = v1.add(bv);
                }
                if (res != null) {
                    v0 = v0.add(FloatVector.fromArray(SPECIES, res, off));
                    v1 = v1.add(FloatVector.fromArray(SPECIES, res, off + VL));
                }
                if (relu) {
                    v0 = v0.max(0f);
                    v1 = v1.max(0f);
                }
                v0.intoArray(y, off);
                v1.intoArray(y, off + VL);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int row = yOff + r * yStride;
            for (int j = 0; j < cols; j++) {
                float v = tile[r * NR + j];
                if (bias != null) {
                    v += bias[m0 + r];
                }
                if (res != null) {
                    v += res[row + j];
                }
                if (relu) {
                    v = Math.max(v, 0f);
                }
                y[row + j] = v;
            }
        }
    }

    /**
     * The MR x NR micro-kernel both GEMM and Winograd use: {@code out[outOff + r * outStride + j] =
     * sum over kk of a[aOff + kk * MR + r] * b[bOff + kk * NR + j]} (a packed MR-row block of A, a
     * packed NR-column panel of B).
     */
    static void dot(float[] a, int aOff, float[] b, int bOff, int k, float[] out, int outOff, int outStride) {
        if (MR == 8) {
            dot8(a, aOff, b, bOff, k, out, outOff, outStride);
            return;
        }

        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        for (int kk = 0; kk < k; kk++) {
            int bi = bOff + kk * NR;
            int ai = aOff + kk * MR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + VL);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        c00.intoArray(out, outOff);
        c01.intoArray(out, outOff + VL);
        c10.intoArray(out, outOff + outStride);
        c11.intoArray(out, outOff + outStride + VL);
        c20.intoArray(out, outOff + 2 * outStride);
        c21.intoArray(out, outOff + 2 * outStride + VL);
        c30.intoArray(out, outOff + 3 * outStride);
        c31.intoArray(out, outOff + 3 * outStride + VL);
    }

    static void dot8(float[] a, int aOff, float[] b, int bOff, int k, float[] out, int outOff, int outStride) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00;
        FloatVector c70 = c00, c71 = c00;
        for (int kk = 0; kk < k; kk++) {
            int bi = bOff + kk * NR;
            int ai = aOff + kk * 8;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + VL);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(SPECIES, a[ai + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(SPECIES, a[ai + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        c00.intoArray(out, outOff);
        c01.intoArray(out, outOff + VL);
        c10.intoArray(out, outOff + outStride);
        c11.intoArray(out, outOff + outStride + VL);
        c20.intoArray(out, outOff + 2 * outStride);
        c21.intoArray(out, outOff + 2 * outStride + VL);
        c30.intoArray(out, outOff + 3 * outStride);
        c31.intoArray(out, outOff + 3 * outStride + VL);
        c40.intoArray(out, outOff + 4 * outStride);
        c41.intoArray(out, outOff + 4 * outStride + VL);
        c50.intoArray(out, outOff + 5 * outStride);
        c51.intoArray(out, outOff + 5 * outStride + VL);
        c60.intoArray(out, outOff + 6 * outStride);
        c61.intoArray(out, outOff + 6 * outStride + VL);
        c70.intoArray(out, outOff + 7 * outStride);
        c71.intoArray(out, outOff + 7 * outStride + VL);
    }
}

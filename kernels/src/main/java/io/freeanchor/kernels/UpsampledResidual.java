package io.freeanchor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution's residual read nearest-upsampled by integer factors ({@link Conv2dParams#residualScaleH},
 * {@link Conv2dParams#residualScaleW}): the FPN's top-down Resize fused into the lateral conv, so the
 * upsampled map is never written. The Java conv kernels store a block of outputs with bias only, then
 * add the residual to it while it is still in cache: GEMM per panel ({@link #locate} once, then
 * {@link #addAt} for each output channel; vectorized for the FPN's factor 2 and for 1), Winograd per
 * tile row ({@link #addRun}, scalar: 3x3 laterals are rare). The vector epilogues of every other
 * conv stay untouched.
 */
final class UpsampledResidual {
    private static final VectorSpecies<Float> SPECIES = Vectors.FLOATS;
    private static final int VL = SPECIES.length();
    /** Factor 2: lane i of VL outputs starting at an even (odd) column reads source lane i / 2 ((i + 1) / 2). */
    private static final VectorShuffle<Float> DOUBLE_EVEN = doubling(0), DOUBLE_ODD = doubling(1);

    private final float[] r;
    private final int outW, sh, sw, resW, plane, resPlane;

    private UpsampledResidual(float[] r, int outH, int outW, int sh, int sw) {
        this.r = r;
        this.outW = outW;
        this.sh = sh;
        this.sw = sw;
        this.resW = outW / sw;
        this.plane = outH * outW;
        this.resPlane = outH / sh * resW;
    }

    private static VectorShuffle<Float> doubling(int phase) {
        int[] lanes = new int[VL];
        for (int i = 0; i < VL; i++) {
            lanes[i] = (phase + i) / 2;
        }
        return VectorShuffle.fromArray(SPECIES, lanes, 0);
    }

    /** The upsampled residual of this call, or null when there is none or it has y's shape. */
    static UpsampledResidual of(Conv2dParams p, Tensor residual, Tensor y) {
        if (residual == null || !p.residualUpsampled()) {
            return null;
        }
        return new UpsampledResidual(residual.floats(), y.dim(2), y.dim(3), p.residualScaleH(), p.residualScaleW());
    }

    /**
     * Where a run of consecutive output positions of a plane reads the residual: the same in every
     * channel plane, so a GEMM panel locates it once for all its output channels.
     */
    static final class Panel {
        final int[] offsets; // per position, the offset within a residual plane
        int count;
        boolean oneRow; // all positions in one output row
        int firstColumn;

        Panel(int capacity) {
            offsets = new int[capacity];
        }
    }

    /** Fills {@code panel} for output positions [pos0, pos0 + count) of a plane (may wrap over rows). */
    void locate(int pos0, int count, Panel panel) {
        int oh = pos0 / outW, ow = pos0 - oh * outW;
        panel.count = count;
        panel.firstColumn = ow;
        panel.oneRow = ow + count <= outW;
        int row = oh / sh * resW;
        for (int j = 0; j < count; j++) {
            panel.offsets[j] = row + ow / sw;
            if (++ow == outW) {
                ow = 0;
                oh++;
                row = oh / sh * resW;
            }
        }
    }

    /** {@code y[off + j] = act(y[off + j] + the residual of channel plane planeIndex at panel position j)}. */
    void addAt(float[] y, int off, int planeIndex, Panel panel, boolean relu) {
        int base = planeIndex * resPlane;
        int[] offsets = panel.offsets;
        int count = panel.count, j = 0;
        if (panel.oneRow && sw <= 2) {
            // VL outputs of one row read consecutive residual values, each repeated sw times
            for (; j + VL <= count; j += VL) {
                int src = base + offsets[j];
                if (src + VL > r.length) {
                    break; // the vector load would leave the store: finish with scalars
                }
                FloatVector res = FloatVector.fromArray(SPECIES, r, src);
                if (sw == 2) {
                    res = res.rearrange(((panel.firstColumn + j) & 1) == 0 ? DOUBLE_EVEN : DOUBLE_ODD);
                }
                FloatVector v = FloatVector.fromArray(SPECIES, y, off + j).add(res);
                if (relu) {
                    v = v.max(0f);
                }
                v.intoArray(y, off + j);
            }
        }
        for (; j < count; j++) {
            float v = y[off + j] + r[base + offsets[j]];
            y[off + j] = relu ? Math.max(v, 0f) : v;
        }
    }

    /**
     * {@code y[off + i] = act(y[off + i] + residual at that output position)} for i in [0, len): a run
     * of consecutive outputs of one (n, m) plane, which may wrap over output rows.
     */
    void addRun(float[] y, int off, int len, boolean relu) {
        int planeIndex = off / plane, pos = off - planeIndex * plane;
        int oh = pos / outW, ow = pos - oh * outW;
        int base = planeIndex * resPlane;
        // Divisions once per output row; along the row, residual column rc repeats sw times (k counts).
        for (int i = off, end = off + len; i < end; oh++, ow = 0) {
            int row = base + oh / sh * resW;
            int rowEnd = Math.min(end, i + outW - ow);
            int rc = ow / sw, k = ow - rc * sw;
            for (; i < rowEnd; i++) {
                float v = y[i] + r[row + rc];
                y[i] = relu ? Math.max(v, 0f) : v;
                if (++k == sw) {
                    k = 0;
                    rc++;
                }
            }
        }
    }
}

package io.freeanchor.kernels;

/**
 * A convolution's residual read nearest-upsampled by integer factors ({@link Conv2dParams#residualScaleH},
 * {@link Conv2dParams#residualScaleW}): the FPN's top-down Resize fused into the lateral conv, so the
 * upsampled map is never written. The Java conv kernels store a block of outputs with bias only, then
 * call {@link #addRun} on it while it is still in cache. Scalar on purpose: only the FPN's few
 * top-down laterals take this path, and the vector epilogues of every other conv stay untouched.
 */
final class UpsampledResidual {
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

    /** The upsampled residual of this call, or null when there is none or it has y's shape. */
    static UpsampledResidual of(Conv2dParams p, Tensor residual, Tensor y) {
        if (residual == null || !p.residualUpsampled()) {
            return null;
        }
        return new UpsampledResidual(residual.floats(), y.dim(2), y.dim(3), p.residualScaleH(), p.residualScaleW());
    }

    /**
     * {@code y[off + i] = act(y[off + i] + residual at that output position)} for i in [0, len): a run
     * of consecutive outputs of one (n, m) plane, which may wrap over output rows.
     */
    void addRun(float[] y, int off, int len, boolean relu) {
        int planeIndex = off / plane, pos = off - planeIndex * plane;
        int oh = pos / outW, ow = pos - oh * outW;
        int base = planeIndex * resPlane;
        int row = base + oh / sh * resW;
        for (int i = off, end = off + len; i < end; i++) {
            float v = y[i] + r[row + ow / sw];
            y[i] = relu ? Math.max(v, 0f) : v;
            if (++ow == outW) {
                ow = 0;
                oh++;
                row = base + oh / sh * resW;
            }
        }
    }
}

package io.freeanchor.eval.detect;

/**
 * MMDetection's {@code AnchorGenerator} with {@code scale_major=True}, {@code center_offset=0}, base
 * sizes = strides (spec section 6), all in float32:
 * scales = f32(octave_base_scale * 2^(i / scales_per_octave)); h_ratio = f32 sqrt(f32 ratio),
 * w_ratio = 1 / h_ratio; ws = (stride * w_ratio) * scale, hs = (stride * h_ratio) * scale; base anchor
 * [-ws/2, -hs/2, ws/2, hs/2], anchor index a = ratio_index * scales + scale_index; grid shift
 * (x * stride, y * stride) with no half-cell offset, anchors row-major by location then a. Immutable.
 */
public final class AnchorGenerator {
    private final int[] strides;
    private final int numAnchors;
    /** [level][a * 4 + k]. */
    private final float[][] base;

    public AnchorGenerator(DetectorConfig config) {
        int levels = config.numLevels();
        int nScales = config.scalesPerOctave();
        int nRatios = config.ratios().size();
        float[] scales = new float[nScales];
        for (int i = 0; i < nScales; i++) {
            scales[i] = (float) (StrictMath.pow(2.0, i / (double) nScales) * config.octaveBaseScale());
        }
        float[] hRatios = new float[nRatios];
        float[] wRatios = new float[nRatios];
        for (int r = 0; r < nRatios; r++) {
            float ratio = (float) (double) config.ratios().get(r);
            hRatios[r] = (float) Math.sqrt(ratio); // correctly rounded float sqrt
            wRatios[r] = 1f / hRatios[r];
        }
        strides = new int[levels];
        numAnchors = nScales * nRatios;
        base = new float[levels][numAnchors * 4];
        for (int l = 0; l < levels; l++) {
            strides[l] = config.strides().get(l);
            float size = strides[l];
            for (int r = 0; r < nRatios; r++) {
                for (int s = 0; s < nScales; s++) {
                    float ws = (size * wRatios[r]) * scales[s];
                    float hs = (size * hRatios[r]) * scales[s];
                    int a = r * nScales + s;
                    base[l][a * 4] = 0f - 0.5f * ws;
                    base[l][a * 4 + 1] = 0f - 0.5f * hs;
                    base[l][a * 4 + 2] = 0f + 0.5f * ws;
                    base[l][a * 4 + 3] = 0f + 0.5f * hs;
                }
            }
        }
    }

    public int numLevels() {
        return strides.length;
    }

    /** Anchors per location. */
    public int numAnchors() {
        return numAnchors;
    }

    public int stride(int level) {
        return strides[level];
    }

    /** The level's base anchors (centre 0), {@code numAnchors x 4} row-major; a copy. */
    public float[] baseAnchors(int level) {
        return base[level].clone();
    }

    /**
     * Writes anchor {@code row} of a level with feature-map width {@code featW} to
     * {@code out[off..off+3]}; row = (y * featW + x) * numAnchors + a.
     */
    public void anchor(int level, int featW, int row, float[] out, int off) {
        int a = row % numAnchors;
        int loc = row / numAnchors;
        float stride = strides[level];
        float sx = (float) (loc % featW) * stride;
        float sy = (float) (loc / featW) * stride;
        float[] b = base[level];
        out[off] = b[a * 4] + sx;
        out[off + 1] = b[a * 4 + 1] + sy;
        out[off + 2] = b[a * 4 + 2] + sx;
        out[off + 3] = b[a * 4 + 3] + sy;
    }

    /** All anchors of one level for a {@code featH x featW} map: {@code featH*featW*numAnchors x 4}. */
    public float[] gridAnchors(int level, int featH, int featW) {
        long n = (long) featH * featW * numAnchors * 4;
        if (featH < 0 || featW < 0 || n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("feature map " + featH + "x" + featW + " is out of range");
        }
        float[] out = new float[(int) n];
        int rows = featH * featW * numAnchors;
        for (int r = 0; r < rows; r++) {
            anchor(level, featW, r, out, r * 4);
        }
        return out;
    }

    /** Anchors over all levels for the given (H, W) per level (concatenated P3..P7 order). */
    public static long totalAnchors(int numAnchors, int[][] featSizes) {
        long total = 0;
        for (int[] hw : featSizes) {
            total += (long) hw[0] * hw[1] * numAnchors;
        }
        return total;
    }
}

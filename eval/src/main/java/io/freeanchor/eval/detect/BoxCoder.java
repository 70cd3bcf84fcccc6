package io.freeanchor.eval.detect;

import io.freeanchor.kernels.head.DeltaXywh;
import io.freeanchor.kernels.head.HeadParams;

/**
 * MMDetection's {@code DeltaXYWHBBoxCoder} settings (spec section 8) as the float32 values the
 * decoding uses; the decoding itself is {@link DeltaXywh} (kernels), run per level by
 * {@code Backend.headCandidates}. Immutable.
 */
final class BoxCoder {
    private final float[] means = new float[4];
    private final float[] stds = new float[4];
    /** f32(|ln(wh_ratio_clip)|): torch casts the clamp bound to the tensor's dtype. */
    private final float maxRatio;

    BoxCoder(DetectorConfig config) {
        for (int i = 0; i < 4; i++) {
            means[i] = (float) (double) config.targetMeans().get(i);
            stds[i] = (float) (double) config.targetStds().get(i);
        }
        maxRatio = (float) Math.abs(StrictMath.log(config.whRatioClip()));
    }

    float maxRatio() {
        return maxRatio;
    }

    /** The parameters of {@code Backend.headCandidates} for one level, boxes clipped to maxW x maxH. */
    HeadParams params(int numClasses, float scoreThr, int topK, float stride, float maxW, float maxH) {
        return new HeadParams(numClasses, scoreThr, topK, stride, means, stds, maxRatio, maxW, maxH);
    }

    /**
     * Decodes anchor {@code a[ao..ao+3]} with raw deltas (d0..d3) and clips to [0, maxW] x [0, maxH];
     * writes x1, y1, x2, y2 to {@code out[oo..oo+3]}.
     */
    void decode(float[] a, int ao, float d0, float d1, float d2, float d3, float maxW, float maxH, float[] out,
            int oo) {
        DeltaXywh.decode(means, stds, maxRatio, a, ao, d0, d1, d2, d3, maxW, maxH, out, oo);
    }
}

package io.freeanchor.eval.detect;

import io.freeanchor.kernels.head.TopKSelector;
import java.util.Arrays;

/**
 * mmcv's class-aware {@code batched_nms} with {@code nms_cpu} (spec section 9, steps 4-6):
 * boxes are shifted by f32(label) * (M + 1) with M the largest coordinate (float32), IoU is computed
 * on the shifted boxes as {@code inter / ((area_i + area_j) - inter)} in float32, a box is dropped
 * when its IoU with an earlier kept box is strictly above the threshold; the walk order is score
 * descending with ties in input order (the project's stable rule).
 *
 * <p>A box's fate depends only on the boxes kept before it, so the walk stops as soon as
 * {@code maxKeep} boxes are kept, and each box is tested against the kept boxes only: the same
 * result as nms_cpu's suppress-forward loop followed by truncation, in O(n * maxKeep).
 */
final class BatchedNms {
    private BatchedNms() {}

    /**
     * @param boxes  n x 4 (x1, y1, x2, y2)
     * @return indices of the kept boxes, best first, at most maxKeep
     */
    static int[] run(float[] boxes, float[] scores, int[] labels, int n, float iouThr, int maxKeep) {
        if (n == 0) {
            return new int[0];
        }
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = TopKSelector.key(scores[i], i);
        }
        Arrays.sort(order);

        float max = boxes[0];
        for (int i = 0; i < 4 * n; i++) {
            float v = boxes[i];
            if (v != v) { // torch.max propagates NaN
                max = Float.NaN;
                break;
            }
            if (v > max) {
                max = v;
            }
        }
        float step = max + 1f;

        int cap = Math.min(n, maxKeep);
        int[] kept = new int[cap];
        float[] kx1 = new float[cap];
        float[] ky1 = new float[cap];
        float[] kx2 = new float[cap];
        float[] ky2 = new float[cap];
        float[] karea = new float[cap];
        int nk = 0;
        for (int o = 0; o < n && nk < cap; o++) {
            int j = TopKSelector.pair(order[o]);
            float off = (float) labels[j] * step;
            float x1 = boxes[4 * j] + off;
            float y1 = boxes[4 * j + 1] + off;
            float x2 = boxes[4 * j + 2] + off;
            float y2 = boxes[4 * j + 3] + off;
            float area = (x2 - x1) * (y2 - y1);
            boolean suppressed = false;
            for (int q = 0; q < nk; q++) {
                float xx1 = stdMax(kx1[q], x1);
                float yy1 = stdMax(ky1[q], y1);
                float xx2 = stdMin(kx2[q], x2);
                float yy2 = stdMin(ky2[q], y2);
                float w = stdMax(0f, xx2 - xx1);
                float h = stdMax(0f, yy2 - yy1);
                float inter = w * h;
                float iou = inter / (karea[q] + area - inter);
                if (iou > iouThr) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept[nk] = j;
                kx1[nk] = x1;
                ky1[nk] = y1;
                kx2[nk] = x2;
                ky2[nk] = y2;
                karea[nk] = area;
                nk++;
            }
        }
        return Arrays.copyOf(kept, nk);
    }

    /** std::max(a, b): (a < b) ? b : a. */
    static float stdMax(float a, float b) {
        return a < b ? b : a;
    }

    /** std::min(a, b): (b < a) ? b : a. */
    static float stdMin(float a, float b) {
        return b < a ? b : a;
    }
}

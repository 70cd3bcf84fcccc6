package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchedNmsTest {
    /** mmcv batched_nms + nms_cpu written literally: offsets, full suppress-forward loop, then truncation. */
    static int[] literal(float[] boxes, float[] scores, int[] labels, int n, float thr, int maxKeep) {
        if (n == 0) {
            return new int[0];
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < 4 * n; i++) {
            max = Math.max(max, boxes[i]);
        }
        float[] b = new float[4 * n];
        for (int i = 0; i < n; i++) {
            float off = (float) labels[i] * (max + 1f);
            for (int j = 0; j < 4; j++) {
                b[4 * i + j] = boxes[4 * i + j] + off;
            }
        }
        float[] areas = new float[n];
        for (int i = 0; i < n; i++) {
            areas[i] = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Float.compare(scores[q], scores[p])); // stable
        boolean[] select = new boolean[n];
        Arrays.fill(select, true);
        for (int oi = 0; oi < n; oi++) {
            if (!select[oi]) {
                continue;
            }
            int i = order[oi];
            for (int oj = oi + 1; oj < n; oj++) {
                if (!select[oj]) {
                    continue;
                }
                int j = order[oj];
                float xx1 = Math.max(b[4 * i], b[4 * j]);
                float yy1 = Math.max(b[4 * i + 1], b[4 * j + 1]);
                float xx2 = Math.min(b[4 * i + 2], b[4 * j + 2]);
                float yy2 = Math.min(b[4 * i + 3], b[4 * j + 3]);
                float w = Math.max(0f, xx2 - xx1);
                float h = Math.max(0f, yy2 - yy1);
                float inter = w * h;
                float ovr = inter / (areas[i] + areas[j] - inter);
                if (ovr > thr) {
                    select[oj] = false;
                }
            }
        }
        int[] keep = new int[n];
        int k = 0;
        for (int oi = 0; oi < n; oi++) {
            if (select[oi]) {
                keep[k++] = order[oi];
            }
        }
        return Arrays.copyOf(keep, Math.min(k, maxKeep));
    }

    @Test
    void matchesTheLiteralLoopOnRandomOverlappingBoxes() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = r.nextInt(600);
            int classes = 1 + r.nextInt(5);
            float[] boxes = new float[4 * n];
            float[] scores = new float[n];
            int[] labels = new int[n];
            float extent = 50 + r.nextInt(1000);
            for (int i = 0; i < n; i++) {
                float x = r.nextFloat() * extent;
                float y = r.nextFloat() * extent;
                boxes[4 * i] = x;
                boxes[4 * i + 1] = y;
                boxes[4 * i + 2] = x + 0.01f + r.nextFloat() * 120;
                boxes[4 * i + 3] = y + 0.01f + r.nextFloat() * 120;
                scores[i] = r.nextInt(4) == 0 ? 0.5f : 0.05f + r.nextInt(50) / 50f; // many ties
                labels[i] = r.nextInt(classes);
            }
            float thr = new float[] {0.5f, 0.3f, 0.7f, 0f, 1f}[trial % 5];
            int maxKeep = new int[] {100, 1, 5, 1000}[trial % 4];
            assertArrayEquals(literal(boxes, scores, labels, n, thr, maxKeep),
                    BatchedNms.run(boxes, scores, labels, n, thr, maxKeep), "trial " + trial);
        }
    }

    @Test
    void smallCases() {
        // identical boxes, equal scores, same class: the first index wins
        float[] boxes = {0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10};
        assertArrayEquals(new int[] {0}, BatchedNms.run(boxes, new float[] {0.7f, 0.7f, 0.7f}, new int[] {2, 2, 2}, 3,
                0.5f, 100));
        // different classes never suppress each other
        assertArrayEquals(new int[] {1, 0, 2}, BatchedNms.run(boxes, new float[] {0.6f, 0.7f, 0.6f},
                new int[] {0, 1, 2}, 3, 0.5f, 100));
        // IoU exactly 0.5 is not above the threshold
        float[] half = {0, 0, 2, 1, 0, 0, 1, 1};
        assertArrayEquals(new int[] {0, 1}, BatchedNms.run(half, new float[] {0.9f, 0.8f}, new int[] {0, 0}, 2,
                0.5f, 100));
        assertArrayEquals(new int[] {0}, BatchedNms.run(half, new float[] {0.9f, 0.8f}, new int[] {0, 0}, 2,
                0.49f, 100));
        assertArrayEquals(new int[0], BatchedNms.run(new float[0], new float[0], new int[0], 0, 0.5f, 100));
    }
}

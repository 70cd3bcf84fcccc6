package io.freeanchor.kernels.head;

import io.freeanchor.kernels.Tensor;

/**
 * The host implementations of {@code Backend.headCandidates}, per image of the batch: select the
 * level's (anchor, class) pairs with score above the threshold, best {@code topK} by score with ties
 * in pair order (pair = anchor row * K + class, anchor row = (y * W + x) * A + a), then decode each
 * kept pair's anchor with its deltas. {@link #fast} gates logits and keeps a bounded buffer
 * ({@link TopKSelector}); {@link #reference} scores every pair and sorts them all (the oracle).
 */
public final class HeadCandidates {
    private HeadCandidates() {}

    /** Selects with {@link TopKSelector} (JavaBackend). */
    public static void fast(HeadParams p, Tensor cls, Tensor reg, Tensor anchors, Tensor scores, Tensor pairs,
            Tensor boxes, Tensor counts) {
        int a = p.check(cls, reg, anchors, scores, pairs, boxes, counts);
        int channels = a * p.numClasses();
        int hw = cls.dim(2) * cls.dim(3);
        float gate = p.logitGate();
        for (int n = 0; n < cls.dim(0); n++) {
            long[] keys = TopKSelector.select(cls.floats(), n * channels * hw, channels, hw, p.scoreThr(), gate,
                    p.topK());
            int[] kept = new int[keys.length];
            float[] sc = new float[keys.length];
            for (int i = 0; i < keys.length; i++) {
                kept[i] = TopKSelector.pair(keys[i]);
                sc[i] = TopKSelector.score(keys[i]);
            }
            write(p, a, reg, anchors, n, kept, sc, scores, pairs, boxes, counts);
        }
    }

    /** Scores every pair and sorts the survivors (ReferenceBackend): slow, written to be read. */
    public static void reference(HeadParams p, Tensor cls, Tensor reg, Tensor anchors, Tensor scores, Tensor pairs,
            Tensor boxes, Tensor counts) {
        int a = p.check(cls, reg, anchors, scores, pairs, boxes, counts);
        int channels = a * p.numClasses();
        int hw = cls.dim(2) * cls.dim(3);
        float[] x = cls.floats();
        for (int n = 0; n < cls.dim(0); n++) {
            // (score, pair) of every pair above the threshold, enumerated in pair order; a stable sort
            // by score descending then keeps pair order among equal scores.
            java.util.List<long[]> all = new java.util.ArrayList<>();
            for (int pair = 0; pair < channels * hw; pair++) {
                int loc = pair / channels;
                int ch = pair % channels;
                float s = Sigmoid.of(x[(n * channels + ch) * hw + loc]);
                if (s > p.scoreThr()) {
                    all.add(new long[] {Float.floatToIntBits(s), pair});
                }
            }
            all.sort((u, v) -> Float.compare(Float.intBitsToFloat((int) v[0]), Float.intBitsToFloat((int) u[0])));
            int m = Math.min(all.size(), p.topK());
            int[] kept = new int[m];
            float[] sc = new float[m];
            for (int i = 0; i < m; i++) {
                sc[i] = Float.intBitsToFloat((int) all.get(i)[0]);
                kept[i] = (int) all.get(i)[1];
            }
            write(p, a, reg, anchors, n, kept, sc, scores, pairs, boxes, counts);
        }
    }

    /** Decodes the kept pairs of image n and writes its rows of the outputs. */
    private static void write(HeadParams p, int a, Tensor reg, Tensor anchors, int n, int[] kept, float[] sc,
            Tensor scores, Tensor pairs, Tensor boxes, Tensor counts) {
        int k = p.topK();
        int channels = a * p.numClasses();
        int w = reg.dim(3);
        int hw = reg.dim(2) * w;
        float[] d = reg.floats();
        float[] base = anchors.floats();
        int dBase = n * 4 * a * hw;
        float[] anchor = new float[4];
        float[] bx = boxes.floats();
        float[] means = p.means();
        float[] stds = p.stds();
        for (int i = 0; i < kept.length; i++) {
            int loc = kept[i] / channels;
            int ai = kept[i] % channels / p.numClasses();
            float sx = (float) (loc % w) * p.stride();
            float sy = (float) (loc / w) * p.stride();
            anchor[0] = base[ai * 4] + sx;
            anchor[1] = base[ai * 4 + 1] + sy;
            anchor[2] = base[ai * 4 + 2] + sx;
            anchor[3] = base[ai * 4 + 3] + sy;
            int o = dBase + ai * 4 * hw + loc;
            DeltaXywh.decode(means, stds, p.maxRatio(), anchor, 0, d[o], d[o + hw], d[o + 2 * hw], d[o + 3 * hw],
                    p.maxW(), p.maxH(), bx, 4 * (n * k + i));
            scores.floats()[n * k + i] = sc[i];
            pairs.longs()[n * k + i] = kept[i];
        }
        counts.longs()[n] = kept.length;
    }
}

package io.freeanchor.kernels.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKSelectorTest {
    private static final float THR = 0.05f;
    private static final float GATE = Sigmoid.minLogitAbove(THR);

    /** filter_scores_and_topk written plainly: all pairs, stable sort by score descending. */
    static long[] bruteForce(float[] data, int base, int channels, int hw, float thr, int k) {
        List<long[]> pairs = new ArrayList<>(); // {pair, scoreBits}
        for (int s = 0; s < hw; s++) {
            for (int ch = 0; ch < channels; ch++) { // row-major (anchor, class) = pair order
                float sc = Sigmoid.of(data[base + ch * hw + s]);
                if (sc > thr) {
                    pairs.add(new long[] {(long) s * channels + ch, Float.floatToIntBits(sc)});
                }
            }
        }
        List<long[]> sorted = new ArrayList<>(pairs);
        sorted.sort(Comparator.comparingDouble((long[] p) -> -Float.intBitsToFloat((int) p[1]))); // stable
        long[] out = new long[Math.min(k, sorted.size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = TopKSelector.key(Float.intBitsToFloat((int) sorted.get(i)[1]), (int) sorted.get(i)[0]);
        }
        return out;
    }

    static float[] tiedLogits(Random r, int n) {
        float[] pool = {-9f, -3f, -2.9444f, 0.25f, 0.25f, 1f, 2f, 18f, 25f, 40f, Float.NaN, Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY};
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = r.nextInt(3) == 0 ? (float) r.nextGaussian() * 3 : pool[r.nextInt(pool.length)];
        }
        return d;
    }

    @Test
    void matchesStableSortWithTiesNaNAndInfinities() {
        Random r = new Random(7);
        for (int trial = 0; trial < 40; trial++) {
            int channels = 1 + r.nextInt(50);
            int hw = 1 + r.nextInt(300);
            int images = 1 + r.nextInt(3);
            float[] data = tiedLogits(r, channels * hw * images);
            int base = r.nextInt(images) * channels * hw;
            int k = 1 + r.nextInt(trial % 3 == 0 ? 5 : 3000);
            long[] expected = bruteForce(data, base, channels, hw, THR, k);
            long[] got = TopKSelector.select(data, base, channels, hw, THR, GATE, k);
            assertArrayEquals(expected, got, "trial " + trial + " channels " + channels + " hw " + hw + " k " + k);
        }
    }

    @Test
    void manyCompactionsOnLargeRandomLevel() {
        Random r = new Random(3);
        int channels = 720;
        int hw = 600;
        float[] data = new float[channels * hw];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (r.nextGaussian() * 2 - 1);
        }
        for (int k : new int[] {1, 100, 1000, 5000}) {
            assertArrayEquals(bruteForce(data, 0, channels, hw, THR, k),
                    TopKSelector.select(data, 0, channels, hw, THR, GATE, k), "k " + k);
        }
    }

    @Test
    void manyCutsOnHeavilyTiedScores() {
        Random r = new Random(9);
        int channels = 720;
        int hw = 300;
        float[] data = tiedLogits(r, channels * hw);
        for (int k : new int[] {1, 7, 1000, 3000}) {
            assertArrayEquals(bruteForce(data, 0, channels, hw, THR, k),
                    TopKSelector.select(data, 0, channels, hw, THR, GATE, k), "k " + k);
        }
    }

    @Test
    void allEqualScoresKeepTheFirstPairsInRowMajorOrder() {
        int channels = 90;
        int hw = 50;
        float[] data = new float[channels * hw];
        Arrays.fill(data, 30f); // score exactly 1.0 everywhere
        data[17 * hw + 3] = 1e30f; // larger logit, same score: no preference
        long[] got = TopKSelector.select(data, 0, channels, hw, THR, GATE, 1000);
        assertEquals(1000, got.length);
        for (int i = 0; i < 1000; i++) {
            assertEquals(1f, TopKSelector.score(got[i]));
            assertEquals(i, TopKSelector.pair(got[i]));
        }
    }

    @Test
    void thresholdIsStrictInFloat32() {
        float atThr = Math.nextDown(GATE); // scores exactly f32(0.05)
        float[] data = {atThr, GATE, -50f, Float.NaN};
        long[] got = TopKSelector.select(data, 0, 1, 4, THR, GATE, 10);
        assertEquals(1, got.length);
        assertEquals(1, TopKSelector.pair(got[0]));
    }

    @Test
    void keysOrderByScoreThenIndex() {
        long a = TopKSelector.key(0.9f, 5);
        long b = TopKSelector.key(0.9f, 6);
        long c = TopKSelector.key(0.8f, 0);
        assertTrue(a < b && b < c);
        assertTrue(TopKSelector.key(0f, 3) == TopKSelector.key(-0f, 3));
        assertTrue(TopKSelector.key(-1f, 0) > TopKSelector.key(0f, Integer.MAX_VALUE));
        assertEquals(0.9f, TopKSelector.score(a));
        assertEquals(Integer.MAX_VALUE, TopKSelector.pair(TopKSelector.key(0.1f, Integer.MAX_VALUE)));
    }

    @Test
    void keepSmallestPartitions() {
        Random r = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(500);
            long[] a = new long[n];
            for (int i = 0; i < n; i++) {
                a[i] = trial % 2 == 0 ? r.nextLong() : i * 7919L % 1009 + i; // random, or structured
            }
            long[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = 1 + r.nextInt(n + 3);
            int m = TopKSelector.keepSmallest(a, n, k);
            assertEquals(Math.min(n, k), m);
            long[] head = Arrays.copyOf(a, m);
            Arrays.sort(head);
            assertArrayEquals(Arrays.copyOf(sorted, m), head);
        }
    }
}

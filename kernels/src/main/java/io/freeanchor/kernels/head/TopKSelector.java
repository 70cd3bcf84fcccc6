package io.freeanchor.kernels.head;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * MMDetection's {@code filter_scores_and_topk} for one level of one image (spec section 7) without
 * materialising the level's scores: keep (anchor, class) pairs whose score is strictly above the
 * threshold, order them by score descending with ties in row-major (anchor, class) order (the
 * project's stable-sort rule), keep the first {@code k}.
 *
 * <p>The score map is read in memory order (channel-major, {@code A*K x H*W}); the pair index of
 * channel ch at location s is {@code s * A*K + ch} = (anchor row) * K + class. A logit gate, raised
 * as better candidates arrive, rejects most values with one comparison; admitted values get their
 * exact score and go to a buffer that is cut back to the best {@code k} (quickselect on packed keys)
 * whenever it fills. The gate test runs on whole vectors (Vector API); only lanes that pass it are
 * looked at one by one.
 */
public final class TopKSelector {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private TopKSelector() {}

    /**
     * Sort key: ascending keys = score descending, then index ascending (index >= 0; any non-NaN
     * score, -0 equal to +0 as in torch's sort).
     */
    public static long key(float score, int index) {
        return ((long) -Sigmoid.ord(score) << 32) | (index & 0xFFFFFFFFL);
    }

    public static float score(long key) {
        return Sigmoid.fromOrd(-(int) (key >> 32));
    }

    public static int pair(long key) {
        return (int) key;
    }

    /**
     * Selects from {@code data[base + ch*hw + s]} (ch < channels, s < hw).
     *
     * @param thr   score threshold (float32), strict
     * @param gate0 {@link Sigmoid#minLogitAbove}(thr)
     * @return the kept keys, best first (at most k)
     */
    public static long[] select(float[] data, int base, int channels, int hw, float thr, float gate0, int k) {
        State st = new State(data, base, channels, hw, thr, gate0, k);
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(hw);
        for (int ch = 0; ch < channels; ch++) {
            int off = base + ch * hw;
            int s = 0;
            for (; s < bound; s += lanes) {
                VectorMask<Float> m = FloatVector.fromArray(SPECIES, data, off + s).compare(VectorOperators.GE, st.gate);
                if (m.anyTrue()) { // rare once the gate has risen
                    long bits = m.toLong();
                    while (bits != 0) {
                        int j = Long.numberOfTrailingZeros(bits);
                        bits &= bits - 1;
                        st.offer(data[off + s + j], (s + j) * channels + ch);
                    }
                }
            }
            for (; s < hw; s++) {
                float v = data[off + s];
                if (v >= st.gate) {
                    st.offer(v, s * channels + ch);
                }
            }
        }
        return st.finish();
    }

    /** The candidate buffer and the logit gate of one selection. */
    private static final class State {
        final float[] data;
        final int base;
        final int channels;
        final int hw;
        final float thr;
        final int k;
        final int cap;
        long[] buf;
        int n;
        float gate;
        /** Smallest logit scoring above the worst kept score (-inf until the first cut). */
        float gateAbove = Float.NEGATIVE_INFINITY;
        float worstScore;
        int worstPair;

        State(float[] data, int base, int channels, int hw, float thr, float gate0, int k) {
            this.data = data;
            this.base = base;
            this.channels = channels;
            this.hw = hw;
            this.thr = thr;
            this.k = k;
            this.cap = (int) Math.min(Integer.MAX_VALUE - 16L, 2L * k + 2048);
            this.buf = new long[Math.min(cap, 4096)];
            this.gate = gate0;
        }

        /** A logit that passed the vector gate test (the gate may have risen since). */
        void offer(float v, int pair) {
            if (!(v >= gate)) {
                return;
            }
            float sc;
            if (v < gateAbove) {
                // gate <= v < gateAbove: the score is exactly the worst kept score, so only the pair
                // index can decide, without an exp
                if (pair > worstPair) {
                    return;
                }
                sc = worstScore;
            } else {
                sc = Sigmoid.of(v);
            }
            if (sc > thr) {
                if (n == buf.length) {
                    if (buf.length < cap) {
                        buf = Arrays.copyOf(buf, (int) Math.min(cap, 2L * buf.length));
                    } else {
                        compact();
                    }
                }
                buf[n++] = key(sc, pair);
            }
        }

        /**
         * Cuts the buffer to the best k. The worst kept key has score w; an unseen pair can only enter
         * with a score >= w, i.e. a logit >= the smallest logit scoring w (the new gate).
         */
        private void compact() {
            n = keepSmallest(buf, n, k);
            long worst = buf[0];
            for (int i = 1; i < k; i++) {
                worst = Math.max(worst, buf[i]);
            }
            worstScore = score(worst);
            worstPair = pair(worst);
            float logit = data[base + (worstPair % channels) * hw + worstPair / channels];
            gate = Math.max(gate, Sigmoid.minLogitAtLeast(worstScore, gate, logit));
            gateAbove = Sigmoid.minLogitAbove(worstScore);
        }

        long[] finish() {
            if (n > k) {
                n = keepSmallest(buf, n, k);
            }
            Arrays.sort(buf, 0, n);
            return Arrays.copyOf(buf, n);
        }
    }

    /** Rearranges a[0..n) so that a[0..k) holds its k smallest values (any order); returns min(n, k). */
    static int keepSmallest(long[] a, int n, int k) {
        if (k >= n) {
            return n;
        }
        int target = k - 1;
        int lo = 0;
        int hi = n - 1;
        int rounds = 0;
        while (hi > lo) {
            if (++rounds > 64) { // pathological pivots: finish by sorting the remaining range
                Arrays.sort(a, lo, hi + 1);
                return k;
            }
            int mid = (lo + hi) >>> 1;
            long p = median(a[lo], a[mid], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < p) {
                    i++;
                }
                while (a[j] > p) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                break;
            }
        }
        return k;
    }

    private static long median(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}

package io.freeanchor.eval.coco;

/**
 * The few numpy behaviours COCOeval's numbers depend on, reproduced bit for bit: {@code np.linspace},
 * {@code np.mean} of a contiguous float64 array (pairwise summation), the float ordering of
 * {@code np.argsort(kind='mergesort')} (stable, NaN last, -0.0 equal to 0.0) and {@code np.searchsorted(side='left')}.
 */
final class Numpy {
    private Numpy() {}

    /** {@code np.spacing(1)}: the distance from 1.0 to the next double. */
    static final double EPS = Math.ulp(1.0);

    /** {@code np.linspace(start, stop, num)} (endpoint included): {@code i * ((stop - start) / (num - 1)) + start}, last = stop. */
    static double[] linspace(double start, double stop, int num) {
        if (num < 0) {
            throw new IllegalArgumentException("linspace: negative count " + num);
        }
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        if (num > 1) {
            y[num - 1] = stop;
        }
        return y;
    }

    /** {@code np.mean} of {@code a[0..n)} as a contiguous float64 array: 0 + pairwise sum, then one division. */
    static double mean(double[] a, int n) {
        return (0.0 + pairwiseSum(a, 0, n)) / n;
    }

    /**
     * numpy's pairwise summation of a contiguous float64 block: plain loop below 8 elements, eight interleaved
     * accumulators up to 128, otherwise split at half rounded down to a multiple of 8.
     */
    static double pairwiseSum(double[] a, int off, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[off + i];
            }
            return res;
        }
        if (n <= 128) {
            double r0 = a[off], r1 = a[off + 1], r2 = a[off + 2], r3 = a[off + 3];
            double r4 = a[off + 4], r5 = a[off + 5], r6 = a[off + 6], r7 = a[off + 7];
            int i = 8;
            int end = n - n % 8;
            for (; i < end; i += 8) {
                int b = off + i;
                r0 += a[b];
                r1 += a[b + 1];
                r2 += a[b + 2];
                r3 += a[b + 3];
                r4 += a[b + 4];
                r5 += a[b + 5];
                r6 += a[b + 6];
                r7 += a[b + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) {
                res += a[off + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2);
    }

    /**
     * Whether {@code a} sorts strictly before {@code b} in numpy's float order: NaN after everything, -0.0 equal to
     * 0.0 ({@code Double.compare} would separate them).
     */
    static boolean less(double a, double b) {
        return a < b || (b != b && a == a);
    }

    /** {@code np.searchsorted(v[0..n), key, side='left')} for a non-decreasing {@code v}. */
    static int searchLeft(double[] v, int n, double key) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (less(v[mid], key)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * A long whose ascending order is numpy's ascending order of {@code -score}: descending score, -0.0 tied with
     * 0.0, every NaN after everything else.
     */
    static long descendingScoreKey(double score) {
        double k = -score;
        if (k != k) {
            return Long.MAX_VALUE;
        }
        if (k == 0) {
            return 0; // -0.0 and 0.0 compare equal in numpy
        }
        long bits = Double.doubleToRawLongBits(k);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
    }

    /**
     * Reorders {@code idx[from..to)} so that the scores they point to are descending, stably: the order of
     * {@code np.argsort(-score, kind='mergesort')} (ties keep their order, NaN scores last, -0.0 ties 0.0).
     * {@code tmp} must hold at least {@code to - from} ints.
     */
    static void sortByScoreDescending(int[] idx, int from, int to, double[] score, int[] tmp) {
        long[] key = new long[score.length];
        for (int i = from; i < to; i++) {
            key[idx[i]] = descendingScoreKey(score[idx[i]]);
        }
        sortByKey(idx, from, to, key, tmp);
    }

    private static final int INSERTION = 24;

    /**
     * Stable ascending sort of {@code idx[from..to)} by {@code key[idx]}: insertion sort on runs of
     * {@link #INSERTION}, then bottom-up merges through {@code tmp} (at least {@code to - from} ints).
     */
    static void sortByKey(int[] idx, int from, int to, long[] key, int[] tmp) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        for (int lo = from; lo < to; lo += INSERTION) {
            int hi = Math.min(lo + INSERTION, to);
            for (int i = lo + 1; i < hi; i++) {
                int v = idx[i];
                long kv = key[v];
                int j = i - 1;
                while (j >= lo && kv < key[idx[j]]) {
                    idx[j + 1] = idx[j];
                    j--;
                }
                idx[j + 1] = v;
            }
        }
        int[] src = idx, dst = tmp;
        int srcOff = from, dstOff = 0;
        for (int width = INSERTION; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) {
                    // Take from the right run only when strictly smaller: ties keep the left (earlier) element.
                    if (key[src[srcOff + j]] < key[src[srcOff + i]]) {
                        dst[dstOff + k++] = src[srcOff + j++];
                    } else {
                        dst[dstOff + k++] = src[srcOff + i++];
                    }
                }
                while (i < mid) {
                    dst[dstOff + k++] = src[srcOff + i++];
                }
                while (j < hi) {
                    dst[dstOff + k++] = src[srcOff + j++];
                }
            }
            int[] s = src;
            src = dst;
            dst = s;
            int o = srcOff;
            srcOff = dstOff;
            dstOff = o;
        }
        if (src != idx) {
            System.arraycopy(src, srcOff, idx, from, n);
        }
    }
}

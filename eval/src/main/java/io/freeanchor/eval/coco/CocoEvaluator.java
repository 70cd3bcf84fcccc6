package io.freeanchor.eval.coco;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * pycocotools' {@code COCOeval(gt, dt, 'bbox')}: {@code evaluate()}, {@code accumulate()} and {@code summarize()},
 * with the same floating-point operations in the same order, so precision and recall come out bit for bit and the
 * 12 stats agree with numpy's means.
 *
 * <p>Work is done per category over only the (image, category) pairs that have ground truth or detections, with
 * primitive arrays reused across pairs: for each pair the IoU matrix once, then per area range the greedy matching at
 * every IoU threshold; then, per category, one stable sort of its detections by score and the precision/recall
 * curves for every area range, maxDets and threshold.
 */
public final class CocoEvaluator {
    private CocoEvaluator() {}

    /** Detection outcome codes stored per (area range, IoU threshold, detection). */
    private static final byte IGNORED = 0, TRUE_POSITIVE = 1, FALSE_POSITIVE = 2;

    /** Evaluates with pycocotools' default parameters (maxDets [1, 10, 100]). */
    public static CocoEvalResult evaluate(CocoGroundTruth gt, CocoDetections dt) {
        return evaluate(gt, dt, CocoEvalParams.defaults(gt));
    }

    public static CocoEvalResult evaluate(CocoGroundTruth gt, CocoDetections dt, CocoEvalParams p) {
        return new Run(gt, dt, p).run();
    }

    private static final class Run {
        final CocoGroundTruth gt;
        final CocoDetections dt;
        final CocoEvalParams p;
        final long[] imgIds, catIds;
        final double[] iouThrs, recThrs;
        final int[] maxDets;
        final double[][] areaRng;
        final int N, K, T, R, A, M, maxDetLast;
        final double[] precision, recall;

        // Ground truths in (category, image, gather order), as annotation indices; and their keys.
        int[] gtEntries;
        long[] gtEntryKey;
        // Detections in (category, image, list order), as detection indices; and their keys.
        int[] dtEntries;
        long[] dtEntryKey;
        /** Per detection: a long ordered like numpy orders {@code -score}. */
        long[] dtKey;

        Run(CocoGroundTruth gt, CocoDetections dt, CocoEvalParams p) {
            this.gt = gt;
            this.dt = dt;
            this.p = p;
            imgIds = p.imgIdsRef();
            catIds = p.catIdsRef();
            iouThrs = p.iouThrsRef();
            recThrs = p.recThrsRef();
            maxDets = p.maxDetsRef();
            areaRng = p.areaRngRef();
            N = imgIds.length;
            K = catIds.length;
            T = iouThrs.length;
            R = recThrs.length;
            A = areaRng.length;
            M = maxDets.length;
            maxDetLast = maxDets[M - 1];
            precision = new double[Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(T, R), K), A * M)];
            recall = new double[Math.multiplyExact(Math.multiplyExact(T, K), A * M)];
            Arrays.fill(precision, -1);
            Arrays.fill(recall, -1);
        }

        CocoEvalResult run() {
            dtKey = new long[dt.n];
            for (int i = 0; i < dt.n; i++) {
                dtKey[i] = Numpy.descendingScoreKey(dt.score[i]);
            }
            groupGroundTruth();
            groupDetections();
            evaluateCategories();
            return new CocoEvalResult(gt, p, precision, recall);
        }

        /**
         * {@code _prepare} for ground truth: {@code loadAnns(getAnnIds(imgIds, catIds))} gathers, per image in sorted id
         * order, that image's annotations in file order whose category is evaluated; {@code loadAnns} looks each up by
         * its id, so when ids repeat every occurrence becomes the LAST annotation with that id; then they are grouped
         * by the looked-up annotation's (image, category), keeping gather order.
         */
        private void groupGroundTruth() {
            int n = gt.annCount;
            int[] imgPos = new int[n], catPos = new int[n];
            int[] gather = new int[n];
            long[] key = new long[n];
            int g = 0;
            for (int i = 0; i < n; i++) {
                imgPos[i] = Arrays.binarySearch(imgIds, gt.annImage[i]);
                catPos[i] = Arrays.binarySearch(catIds, gt.annCat[i]);
                if (imgPos[i] >= 0 && catPos[i] >= 0) {
                    gather[g] = i;
                    key[i] = imgPos[i];
                    g++;
                }
            }
            int[] tmp = new int[Math.max(g, 1)];
            Numpy.sortByKey(gather, 0, g, key, tmp);
            int[] loaded = lastWithSameId(gt.annId);
            int[] entries = new int[g];
            long[] entryKey = new long[g];
            int[] order = new int[g];
            int e = 0;
            for (int j = 0; j < g; j++) {
                int a = loaded == null ? gather[j] : loaded[gather[j]];
                if (imgPos[a] < 0 || catPos[a] < 0) {
                    continue; // grouped under a pair that is never evaluated
                }
                entries[e] = a;
                entryKey[e] = (long) catPos[a] * N + imgPos[a];
                order[e] = e;
                e++;
            }
            Numpy.sortByKey(order, 0, e, entryKey, tmp);
            gtEntries = new int[e];
            gtEntryKey = new long[e];
            for (int j = 0; j < e; j++) {
                gtEntries[j] = entries[order[j]];
                gtEntryKey[j] = entryKey[order[j]];
            }
        }

        /** For each annotation, the index of the last annotation with the same id; null when ids are unique. */
        private static int[] lastWithSameId(long[] ids) {
            long[] sorted = ids.clone();
            Arrays.sort(sorted);
            boolean repeated = false;
            for (int i = 1; i < sorted.length && !repeated; i++) {
                repeated = sorted[i] == sorted[i - 1];
            }
            if (!repeated) {
                return null;
            }
            Map<Long, Integer> last = new HashMap<>();
            for (int i = 0; i < ids.length; i++) {
                last.put(ids[i], i);
            }
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = last.get(ids[i]);
            }
            return out;
        }

        /** {@code _prepare} for detections: grouped by (category, image), list order kept within a group. */
        private void groupDetections() {
            int n = dt.n;
            int[] idx = new int[n];
            long[] key = new long[n];
            int d = 0;
            for (int i = 0; i < n; i++) {
                int ip = Arrays.binarySearch(imgIds, dt.imageId[i]);
                int cp = Arrays.binarySearch(catIds, dt.categoryId[i]);
                if (ip >= 0 && cp >= 0) {
                    idx[d++] = i;
                    key[i] = (long) cp * N + ip;
                }
            }
            Numpy.sortByKey(idx, 0, d, key, new int[Math.max(d, 1)]);
            dtEntries = Arrays.copyOf(idx, d);
            dtEntryKey = new long[d];
            for (int j = 0; j < d; j++) {
                dtEntryKey[j] = key[dtEntries[j]];
            }
        }

        // ---- per-category work buffers ----
        int cap;                 // detections one category can hold (kept per image: at most maxDets[-1])
        long[] catKey;           // concatenation over images (sorted ids) of each image's score-sorted detections
        int[] catRank;           // position of the detection within its image's sorted list
        byte[] codes;            // [(a * T + t) * cap + j]
        int[] sortedRank;        // catRank in score order
        byte[] sortedCodes;      // one area range's codes in score order: [t * nk + j]
        long[] npig;             // non-ignored ground truths per area range
        int[] catOrder, sortTmp;
        double[] rc, pr;
        // ---- per-pair buffers ----
        int[] pairDt = new int[16];
        double[] iou = new double[64];
        int[] gtIdx = new int[8], gtPerm = new int[8];
        boolean[] gtIgnore = new boolean[8], gtCrowd = new boolean[8];
        int[] gtMatchedStamp = new int[8]; // == stamp: matched at the current threshold
        int stamp;
        boolean[] dtAreaOut = new boolean[16];

        private void evaluateCategories() {
            // Capacity: the most detections any category keeps (each image at most maxDets[-1]).
            cap = 1;
            for (int j = 0, c = 0; j < dtEntries.length; j = c) {
                long cat = dtEntryKey[j] / N;
                int kept = 0;
                c = j;
                while (c < dtEntries.length && dtEntryKey[c] / N == cat) {
                    int s = c;
                    while (c < dtEntries.length && dtEntryKey[c] == dtEntryKey[s]) {
                        c++;
                    }
                    kept += Math.min(c - s, maxDetLast);
                }
                cap = Math.max(cap, kept);
            }
            catKey = new long[cap];
            catRank = new int[cap];
            sortedRank = new int[cap];
            sortedCodes = new byte[Math.multiplyExact(T, cap)];
            codes = new byte[Math.multiplyExact(A * T, cap)];
            npig = new long[A];
            catOrder = new int[cap];
            sortTmp = new int[cap];
            rc = new double[cap];
            pr = new double[cap];

            int gi = 0, di = 0;
            for (int k = 0; k < K; k++) {
                long end = (long) (k + 1) * N;
                int nk = 0;
                Arrays.fill(npig, 0);
                while ((gi < gtEntries.length && gtEntryKey[gi] < end) || (di < dtEntries.length && dtEntryKey[di] < end)) {
                    long key = Math.min(gi < gtEntries.length ? gtEntryKey[gi] : Long.MAX_VALUE,
                            di < dtEntries.length ? dtEntryKey[di] : Long.MAX_VALUE);
                    int g0 = gi, d0 = di;
                    while (gi < gtEntries.length && gtEntryKey[gi] == key) {
                        gi++;
                    }
                    while (di < dtEntries.length && dtEntryKey[di] == key) {
                        di++;
                    }
                    nk = evaluatePair(g0, gi, d0, di, nk);
                }
                accumulateCategory(k, nk);
            }
        }

        /** {@code computeIoU} + {@code evaluateImg} for every area range of one (image, category) pair. */
        private int evaluatePair(int g0, int g1, int d0, int d1, int nk) {
            int G = g1 - g0, Dall = d1 - d0;
            // Detections sorted by score (stable), cut to maxDets[-1].
            if (pairDt.length < Dall) {
                pairDt = new int[Math.max(Dall, 2 * pairDt.length)];
            }
            System.arraycopy(dtEntries, d0, pairDt, 0, Dall);
            if (sortTmp.length < Dall) {
                sortTmp = new int[Dall];
            }
            Numpy.sortByKey(pairDt, 0, Dall, dtKey, sortTmp);
            int D = Math.min(Dall, maxDetLast);
            if (gtIdx.length < G) {
                int c = Math.max(G, 2 * gtIdx.length);
                gtIdx = new int[c];
                gtPerm = new int[c];
                gtIgnore = new boolean[c];
                gtCrowd = new boolean[c];
                gtMatchedStamp = new int[c];
                stamp = 0;
            }
            for (int j = 0; j < G; j++) {
                int a = gtEntries[g0 + j];
                gtIdx[j] = a;
                // computeIoU / evaluateImg use int(iscrowd); the ignore flag uses its truthiness.
                gtCrowd[j] = (long) gt.annCrowd[a] != 0;
            }
            if (G > 0 && D > 0) {
                computeIoU(G, D);
            }
            if (dtAreaOut.length < D) {
                dtAreaOut = new boolean[Math.max(D, 2 * dtAreaOut.length)];
            }
            for (int a = 0; a < A; a++) {
                double lo = areaRng[a][0], hi = areaRng[a][1];
                // gt _ignore, then non-ignored first (stable).
                int nonIgnored = 0;
                for (int j = 0; j < G; j++) {
                    int ann = gtIdx[j];
                    double area = gt.annArea[ann];
                    gtIgnore[j] = gt.annCrowd[ann] != 0 || area < lo || area > hi;
                    if (!gtIgnore[j]) {
                        gtPerm[nonIgnored++] = j;
                    }
                }
                npig[a] += nonIgnored;
                for (int j = 0, q = nonIgnored; j < G; j++) {
                    if (gtIgnore[j]) {
                        gtPerm[q++] = j;
                    }
                }
                for (int d = 0; d < D; d++) {
                    double area = dt.area[pairDt[d]];
                    dtAreaOut[d] = area < lo || area > hi;
                }
                for (int t = 0; t < T; t++) {
                    int base = (a * T + t) * cap + nk;
                    if (G == 0) {
                        for (int d = 0; d < D; d++) {
                            codes[base + d] = dtAreaOut[d] ? IGNORED : FALSE_POSITIVE;
                        }
                        continue;
                    }
                    match(G, D, Math.min(iouThrs[t], 1 - 1e-10), base);
                }
            }
            for (int d = 0; d < D; d++) {
                catKey[nk + d] = dtKey[pairDt[d]];
                catRank[nk + d] = d;
            }
            return nk + D;
        }

        /** maskApi.c bbIou: D x G, crowd ground truth divides by the detection's area. */
        private void computeIoU(int G, int D) {
            if (iou.length < Math.multiplyExact(D, G)) {
                iou = new double[Math.max(D * G, 2 * iou.length)];
            }
            double[] db = dt.box, gb = gt.annBox;
            for (int j = 0; j < G; j++) {
                int ga4 = 4 * gtIdx[j];
                double gx = gb[ga4], gy = gb[ga4 + 1], gw = gb[ga4 + 2], gh = gb[ga4 + 3];
                double ga = gw * gh;
                boolean crowd = gtCrowd[j];
                for (int d = 0; d < D; d++) {
                    int da4 = 4 * pairDt[d];
                    double dx = db[da4], dy = db[da4 + 1], dw = db[da4 + 2], dh = db[da4 + 3];
                    double da = dw * dh;
                    double o = 0;
                    double w = fmin(dw + dx, gw + gx) - fmax(dx, gx);
                    if (!(w <= 0)) {
                        double h = fmin(dh + dy, gh + gy) - fmax(dy, gy);
                        if (!(h <= 0)) {
                            double i = w * h;
                            double u = crowd ? da : da + ga - i;
                            o = i / u;
                        }
                    }
                    iou[d * G + j] = o;
                }
            }
        }

        /** evaluateImg's greedy matching at one threshold; writes one code per detection at {@code codes[base..]}. */
        private void match(int G, int D, double thr, int base) {
            if (++stamp == 0) { // wrapped: clear the stale stamps
                Arrays.fill(gtMatchedStamp, 0);
                stamp = 1;
            }
            for (int d = 0; d < D; d++) {
                double best = thr;
                int m = -1;
                int row = d * G;
                for (int q = 0; q < G; q++) {
                    int j = gtPerm[q];
                    if (gtMatchedStamp[j] == stamp && !gtCrowd[j]) {
                        continue;
                    }
                    if (m > -1 && !gtIgnore[m] && gtIgnore[j]) {
                        break;
                    }
                    double v = iou[row + j];
                    if (v < best) {
                        continue;
                    }
                    best = v;
                    m = j;
                }
                boolean ignored;
                boolean matchedNonZero; // dtMatches holds the gt id; pycocotools tests it for != 0
                if (m == -1) {
                    ignored = false;
                    matchedNonZero = false;
                } else {
                    ignored = gtIgnore[m];
                    matchedNonZero = gt.annId[gtIdx[m]] != 0;
                    gtMatchedStamp[m] = stamp;
                }
                if (!matchedNonZero && dtAreaOut[d]) {
                    ignored = true;
                }
                codes[base + d] = ignored ? IGNORED : matchedNonZero ? TRUE_POSITIVE : FALSE_POSITIVE;
            }
        }

        /**
         * {@code accumulate()} for category k: every area range, maxDets and IoU threshold. The category's detections
         * (images in id order, each image's in score order) are stably sorted by score once; ties therefore go by
         * image id, then by rank within the image, as numpy's mergesort of the concatenation orders them.
         */
        private void accumulateCategory(int k, int nk) {
            for (int j = 0; j < nk; j++) {
                catOrder[j] = j;
            }
            Numpy.sortByKey(catOrder, 0, nk, catKey, sortTmp);
            int rankEnd = 0;
            for (int j = 0; j < nk; j++) {
                sortedRank[j] = catRank[catOrder[j]];
                rankEnd = Math.max(rankEnd, sortedRank[j] + 1);
            }
            int stride = K * A * M;
            for (int a = 0; a < A; a++) {
                if (npig[a] == 0) {
                    continue; // no image with data, or no non-ignored ground truth: stays -1
                }
                for (int t = 0; t < T; t++) {
                    int from = (a * T + t) * cap, to = t * nk;
                    for (int j = 0; j < nk; j++) {
                        sortedCodes[to + j] = codes[from + catOrder[j]];
                    }
                }
                double npigD = npig[a];
                for (int m = 0; m < M; m++) {
                    int maxDet = maxDets[m];
                    boolean cut = maxDet < rankEnd;
                    for (int t = 0; t < T; t++) {
                        int base = t * nk;
                        int nd = 0;
                        double tp = 0, fp = 0;
                        for (int j = 0; j < nk; j++) {
                            if (cut && sortedRank[j] >= maxDet) {
                                continue; // beyond this image's first maxDet detections
                            }
                            byte c = sortedCodes[base + j];
                            if (c == TRUE_POSITIVE) {
                                tp += 1;
                            } else if (c == FALSE_POSITIVE) {
                                fp += 1;
                            }
                            rc[nd] = tp / npigD;
                            pr[nd] = tp / ((fp + tp) + Numpy.EPS);
                            nd++;
                        }
                        recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1] : 0;
                        for (int i = nd - 1; i > 0; i--) {
                            if (pr[i] > pr[i - 1]) {
                                pr[i - 1] = pr[i];
                            }
                        }
                        int at = ((t * R) * K + k) * A * M + a * M + m;
                        for (int r = 0; r < R; r++) {
                            precision[at + r * stride] = 0;
                        }
                        for (int r = 0; r < R; r++) {
                            int pi = Numpy.searchLeft(rc, nd, recThrs[r]);
                            if (pi >= nd) {
                                break; // pycocotools' loop ends at the first IndexError; the rest stay 0
                            }
                            precision[at + r * stride] = pr[pi];
                        }
                    }
                }
            }
        }

        /** C99 fmin: a NaN operand yields the other one. */
        private static double fmin(double a, double b) {
            if (a != a) {
                return b;
            }
            if (b != b) {
                return a;
            }
            return a < b ? a : b;
        }

        private static double fmax(double a, double b) {
            if (a != a) {
                return b;
            }
            if (b != b) {
                return a;
            }
            return a > b ? a : b;
        }
    }
}

package io.freeanchor.eval.coco;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately plain re-implementation of COCOeval (bbox) for the property test: objects, lists and maps, one
 * straight transcription of evaluate / evaluateImg / accumulate / summarize with no grouping tricks, no shared
 * buffers, linear scans instead of binary searches and a naive sum for the means. Slow and obviously correct.
 */
final class SlowCocoEval {
    record Gt(long id, long imageId, long catId, double x, double y, double w, double h, double area, double iscrowd) {}

    record Dt(long id, long imageId, long catId, double x, double y, double w, double h, double area, double score) {}

    record EvalImg(List<Double> dtScores, double[][] dtMatches, boolean[][] dtIgnore, boolean[] gtIgnore) {}

    final double[][][][][] precision; // [t][r][k][a][m]
    final double[][][][] recall;      // [t][k][a][m]
    final double[] stats = new double[12];
    final double[] perCategoryAp;

    private final long[] imgIds, catIds;
    private final double[] iouThrs, recThrs;
    private final int[] maxDets;
    private final double[][] areaRng;
    private final Map<List<Long>, List<Gt>> gts = new HashMap<>();
    private final Map<List<Long>, List<Dt>> dts = new HashMap<>();

    SlowCocoEval(CocoGroundTruth gt, CocoDetections dt, CocoEvalParams p) {
        imgIds = p.imgIds();
        catIds = p.catIds();
        iouThrs = p.iouThrs();
        recThrs = p.recThrs();
        maxDets = p.maxDets();
        areaRng = p.areaRng();
        prepare(gt, dt);
        int T = iouThrs.length, R = recThrs.length, K = catIds.length, A = areaRng.length, M = maxDets.length;
        // evaluate(): evalImgs in (category, area, image) order.
        List<EvalImg> evalImgs = new ArrayList<>();
        for (long cat : catIds) {
            for (double[] aRng : areaRng) {
                for (long img : imgIds) {
                    evalImgs.add(evaluateImg(img, cat, aRng, maxDets[M - 1]));
                }
            }
        }
        precision = new double[T][R][K][A][M];
        recall = new double[T][K][A][M];
        for (double[][][][] a : precision) for (double[][][] b : a) for (double[][] c : b) for (double[] d : c) Arrays.fill(d, -1);
        for (double[][][] a : recall) for (double[][] b : a) for (double[] c : b) Arrays.fill(c, -1);
        int I = imgIds.length;
        for (int k = 0; k < K; k++) {
            for (int a = 0; a < A; a++) {
                for (int m = 0; m < M; m++) {
                    List<EvalImg> E = new ArrayList<>();
                    for (int i = 0; i < I; i++) {
                        EvalImg e = evalImgs.get(k * A * I + a * I + i);
                        if (e != null) {
                            E.add(e);
                        }
                    }
                    if (E.isEmpty()) {
                        continue;
                    }
                    int maxDet = maxDets[m];
                    // Concatenate each image's first maxDet detections.
                    List<Double> scores = new ArrayList<>();
                    List<double[]> matchCols = new ArrayList<>();
                    List<boolean[]> ignoreCols = new ArrayList<>();
                    int npig = 0;
                    for (EvalImg e : E) {
                        for (int d = 0; d < Math.min(maxDet, e.dtScores().size()); d++) {
                            scores.add(e.dtScores().get(d));
                            double[] mc = new double[T];
                            boolean[] ic = new boolean[T];
                            for (int t = 0; t < T; t++) {
                                mc[t] = e.dtMatches()[t][d];
                                ic[t] = e.dtIgnore()[t][d];
                            }
                            matchCols.add(mc);
                            ignoreCols.add(ic);
                        }
                        for (boolean g : e.gtIgnore()) {
                            if (!g) {
                                npig++;
                            }
                        }
                    }
                    if (npig == 0) {
                        continue;
                    }
                    List<Integer> inds = stableArgsortDescending(scores);
                    int nd = inds.size();
                    for (int t = 0; t < T; t++) {
                        double[] tp = new double[nd], fp = new double[nd];
                        long tpc = 0, fpc = 0;
                        for (int i = 0; i < nd; i++) {
                            int col = inds.get(i);
                            boolean matched = matchCols.get(col)[t] != 0;
                            boolean ignored = ignoreCols.get(col)[t];
                            if (matched && !ignored) {
                                tpc++;
                            }
                            if (!matched && !ignored) {
                                fpc++;
                            }
                            tp[i] = tpc;
                            fp[i] = fpc;
                        }
                        double[] rc = new double[nd], pr = new double[nd];
                        for (int i = 0; i < nd; i++) {
                            rc[i] = tp[i] / npig;
                            pr[i] = tp[i] / (fp[i] + tp[i] + Math.ulp(1.0));
                        }
                        recall[t][k][a][m] = nd > 0 ? rc[nd - 1] : 0;
                        for (int i = nd - 1; i > 0; i--) {
                            if (pr[i] > pr[i - 1]) {
                                pr[i - 1] = pr[i];
                            }
                        }
                        double[] q = new double[R];
                        for (int r = 0; r < R; r++) {
                            int pi = 0;
                            while (pi < nd && rc[pi] < recThrs[r]) {
                                pi++;
                            }
                            if (pi >= nd) {
                                break;
                            }
                            q[r] = pr[pi];
                        }
                        for (int r = 0; r < R; r++) {
                            precision[t][r][k][a][m] = q[r];
                        }
                    }
                }
            }
        }
        // summarize()
        stats[0] = summarize(true, null, 0, 100);
        stats[1] = summarize(true, .5, 0, maxDets[2]);
        stats[2] = summarize(true, .75, 0, maxDets[2]);
        stats[3] = summarize(true, null, 1, maxDets[2]);
        stats[4] = summarize(true, null, 2, maxDets[2]);
        stats[5] = summarize(true, null, 3, maxDets[2]);
        stats[6] = summarize(false, null, 0, maxDets[0]);
        stats[7] = summarize(false, null, 0, maxDets[1]);
        stats[8] = summarize(false, null, 0, maxDets[2]);
        stats[9] = summarize(false, null, 1, maxDets[2]);
        stats[10] = summarize(false, null, 2, maxDets[2]);
        stats[11] = summarize(false, null, 3, maxDets[2]);
        perCategoryAp = new double[K];
        for (int k = 0; k < K; k++) {
            List<Double> vals = new ArrayList<>();
            for (int t = 0; t < T; t++) {
                for (int r = 0; r < R; r++) {
                    if (precision[t][r][k][0][M - 1] > -1) {
                        vals.add(precision[t][r][k][0][M - 1]);
                    }
                }
            }
            perCategoryAp[k] = naiveMean(vals);
        }
    }

    private void prepare(CocoGroundTruth gt, CocoDetections dt) {
        Map<Long, Gt> annsById = new HashMap<>();
        Map<Long, List<Gt>> imgToAnns = new LinkedHashMap<>();
        for (int i = 0; i < gt.annotationCount(); i++) {
            CocoGroundTruth.Annotation a = gt.annotation(i);
            Gt g = new Gt(a.id(), a.imageId(), a.categoryId(), a.x(), a.y(), a.w(), a.h(), a.area(), a.iscrowd());
            annsById.put(g.id(), g);
            imgToAnns.computeIfAbsent(g.imageId(), x -> new ArrayList<>()).add(g);
        }
        List<Long> cats = Arrays.stream(catIds).boxed().toList();
        for (long img : imgIds) {
            for (Gt g : imgToAnns.getOrDefault(img, List.of())) {
                if (cats.contains(g.catId())) {
                    Gt loaded = annsById.get(g.id()); // loadAnns looks annotations up by id
                    gts.computeIfAbsent(List.of(loaded.imageId(), loaded.catId()), x -> new ArrayList<>()).add(loaded);
                }
            }
        }
        Map<Long, List<Dt>> imgToDts = new LinkedHashMap<>();
        for (int i = 0; i < dt.size(); i++) {
            CocoDetections.Detection d = dt.detection(i);
            imgToDts.computeIfAbsent(d.imageId(), x -> new ArrayList<>())
                    .add(new Dt(i + 1, d.imageId(), d.categoryId(), d.x(), d.y(), d.w(), d.h(), d.w() * d.h(), d.score()));
        }
        for (long img : imgIds) {
            for (Dt d : imgToDts.getOrDefault(img, List.of())) {
                if (cats.contains(d.catId())) {
                    dts.computeIfAbsent(List.of(d.imageId(), d.catId()), x -> new ArrayList<>()).add(d);
                }
            }
        }
    }

    private EvalImg evaluateImg(long img, long cat, double[] aRng, int maxDet) {
        List<Gt> gt = gts.getOrDefault(List.of(img, cat), List.of());
        List<Dt> dt = dts.getOrDefault(List.of(img, cat), List.of());
        if (gt.isEmpty() && dt.isEmpty()) {
            return null;
        }
        // _ignore and the gt order: not ignored first, file order kept.
        List<Gt> ordered = new ArrayList<>();
        List<Boolean> ig = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (Gt g : gt) {
                boolean ignore = g.iscrowd() != 0 || g.area() < aRng[0] || g.area() > aRng[1];
                if (ignore == (pass == 1)) {
                    ordered.add(g);
                    ig.add(ignore);
                }
            }
        }
        List<Dt> sorted = new ArrayList<>(dt);
        sorted.sort(SCORE_DESCENDING);
        List<Dt> kept = sorted.subList(0, Math.min(maxDet, sorted.size()));
        int T = iouThrs.length, G = ordered.size(), D = kept.size();
        double[][] dtm = new double[T][D];
        boolean[][] dtIg = new boolean[T][D];
        boolean[] gtIg = new boolean[G];
        for (int j = 0; j < G; j++) {
            gtIg[j] = ig.get(j);
        }
        if (G > 0 && D > 0) {
            for (int t = 0; t < T; t++) {
                long[] gtm = new long[G];
                for (int d = 0; d < D; d++) {
                    double best = Math.min(iouThrs[t], 1 - 1e-10);
                    int m = -1;
                    for (int j = 0; j < G; j++) {
                        boolean crowd = (long) ordered.get(j).iscrowd() != 0;
                        if (gtm[j] > 0 && !crowd) {
                            continue;
                        }
                        if (m > -1 && !gtIg[m] && gtIg[j]) {
                            break;
                        }
                        double v = iou(kept.get(d), ordered.get(j));
                        if (v < best) {
                            continue;
                        }
                        best = v;
                        m = j;
                    }
                    if (m == -1) {
                        continue;
                    }
                    dtIg[t][d] = gtIg[m];
                    dtm[t][d] = ordered.get(m).id();
                    gtm[m] = kept.get(d).id();
                }
            }
        }
        for (int t = 0; t < T; t++) {
            for (int d = 0; d < D; d++) {
                double area = kept.get(d).area();
                boolean outside = area < aRng[0] || area > aRng[1];
                dtIg[t][d] = dtIg[t][d] || (dtm[t][d] == 0 && outside);
            }
        }
        List<Double> scores = new ArrayList<>();
        for (Dt d : kept) {
            scores.add(d.score());
        }
        return new EvalImg(scores, dtm, dtIg, gtIg);
    }

    static double iou(Dt d, Gt g) {
        double iw = Math.min(d.x() + d.w(), g.x() + g.w()) - Math.max(d.x(), g.x());
        double ih = Math.min(d.y() + d.h(), g.y() + g.h()) - Math.max(d.y(), g.y());
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double da = d.w() * d.h(), ga = g.w() * g.h();
        double union = (long) g.iscrowd() != 0 ? da : da + ga - inter;
        return inter / union;
    }

    /** Descending score, ties equal (-0.0 ties 0.0), NaN last; used with the stable List.sort. */
    static final Comparator<Dt> SCORE_DESCENDING = (a, b) -> compareDescending(a.score(), b.score());

    static int compareDescending(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Boolean.compare(Double.isNaN(a), Double.isNaN(b));
        }
        return a > b ? -1 : a < b ? 1 : 0;
    }

    static List<Integer> stableArgsortDescending(List<Double> scores) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < scores.size(); i++) {
            idx.add(i);
        }
        idx.sort((i, j) -> compareDescending(scores.get(i), scores.get(j)));
        return idx;
    }

    private double summarize(boolean ap, Double iouThr, int a, int maxDet) {
        List<Double> vals = new ArrayList<>();
        int K = catIds.length;
        for (int t = 0; t < iouThrs.length; t++) {
            if (iouThr != null && iouThrs[t] != iouThr) {
                continue;
            }
            for (int r = 0; r < (ap ? recThrs.length : 1); r++) {
                for (int k = 0; k < K; k++) {
                    for (int m = 0; m < maxDets.length; m++) {
                        if (maxDets[m] != maxDet) {
                            continue;
                        }
                        double v = ap ? precision[t][r][k][a][m] : recall[t][k][a][m];
                        if (v > -1) {
                            vals.add(v);
                        }
                    }
                }
            }
        }
        return naiveMean(vals);
    }

    private static double naiveMean(List<Double> vals) {
        if (vals.isEmpty()) {
            return -1;
        }
        double s = 0;
        for (double v : vals) {
            s += v;
        }
        return s / vals.size();
    }
}

package io.freeanchor.eval.coco;

import java.util.Arrays;
import java.util.List;

/**
 * COCOeval's {@code Params} for iouType bbox (useCats = 1), immutable. Ids are kept sorted and de-duplicated and
 * maxDets sorted, as {@code COCOeval.evaluate()} makes them ({@code np.unique}, {@code sorted}), so the caller's
 * order never matters.
 *
 * <ul>
 *   <li>{@link #defaults}: pycocotools' defaults, maxDets [1, 10, 100];
 *   <li>{@link #cocoMetric}: MMDetection's CocoMetric, maxDets [100, 300, 1000], the same images, categories and
 *       thresholds.
 * </ul>
 */
public final class CocoEvalParams {
    /** Labels of the four area ranges, in order; {@code summarize()} selects ranges by these labels. */
    public static final List<String> AREA_LABELS = List.of("all", "small", "medium", "large");

    private final long[] imgIds;
    private final long[] catIds;
    private final double[] iouThrs;
    private final double[] recThrs;
    private final int[] maxDets;
    private final double[][] areaRng;

    private CocoEvalParams(long[] imgIds, long[] catIds, double[] iouThrs, double[] recThrs, int[] maxDets,
                           double[][] areaRng) {
        this.imgIds = CocoGroundTruth.sortedUnique(imgIds);
        this.catIds = CocoGroundTruth.sortedUnique(catIds);
        if (iouThrs.length == 0) {
            throw new IllegalArgumentException("iouThrs must not be empty");
        }
        if (recThrs.length == 0) {
            throw new IllegalArgumentException("recThrs must not be empty");
        }
        this.iouThrs = iouThrs.clone();
        this.recThrs = recThrs.clone();
        if (maxDets.length < 3) {
            throw new IllegalArgumentException("maxDets needs at least 3 values (summarize() reads maxDets[0..2]), got "
                    + Arrays.toString(maxDets));
        }
        int[] m = maxDets.clone();
        Arrays.sort(m);
        if (m[0] < 0) {
            throw new IllegalArgumentException("maxDets must not be negative: " + Arrays.toString(maxDets));
        }
        this.maxDets = m;
        if (areaRng.length != AREA_LABELS.size()) {
            throw new IllegalArgumentException("areaRng needs " + AREA_LABELS.size() + " ranges " + AREA_LABELS);
        }
        this.areaRng = new double[areaRng.length][];
        for (int i = 0; i < areaRng.length; i++) {
            if (areaRng[i].length != 2) {
                throw new IllegalArgumentException("areaRng[" + i + "] must be [lo, hi]");
            }
            this.areaRng[i] = areaRng[i].clone();
        }
    }

    /** {@code np.linspace(.5, .95, 10)}; entry 8 is 0.8999999999999999. */
    public static double[] defaultIouThrs() {
        return Numpy.linspace(.5, .95, 10);
    }

    /** {@code np.linspace(.0, 1.00, 101)}: entry r is the double {@code r * 0.01} (not {@code r / 100}). */
    public static double[] defaultRecThrs() {
        return Numpy.linspace(.0, 1.00, 101);
    }

    /** {@code [[0, 1e10], [0, 32^2], [32^2, 96^2], [96^2, 1e10]]} for all, small, medium, large. */
    public static double[][] defaultAreaRng() {
        return new double[][] {{0, 1e5 * 1e5}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e5 * 1e5}};
    }

    /** pycocotools: every image and category of the ground truth, maxDets [1, 10, 100]. */
    public static CocoEvalParams defaults(CocoGroundTruth gt) {
        return new CocoEvalParams(gt.imageIds(), gt.categoryIds(), defaultIouThrs(), defaultRecThrs(),
                new int[] {1, 10, 100}, defaultAreaRng());
    }

    /** MMDetection's CocoMetric: as {@link #defaults} but maxDets [100, 300, 1000]. */
    public static CocoEvalParams cocoMetric(CocoGroundTruth gt) {
        return defaults(gt).withMaxDets(100, 300, 1000);
    }

    public CocoEvalParams withImgIds(long... ids) {
        return new CocoEvalParams(ids, catIds, iouThrs, recThrs, maxDets, areaRng);
    }

    public CocoEvalParams withCatIds(long... ids) {
        return new CocoEvalParams(imgIds, ids, iouThrs, recThrs, maxDets, areaRng);
    }

    public CocoEvalParams withIouThrs(double... thrs) {
        return new CocoEvalParams(imgIds, catIds, thrs, recThrs, maxDets, areaRng);
    }

    public CocoEvalParams withRecThrs(double... thrs) {
        return new CocoEvalParams(imgIds, catIds, iouThrs, thrs, maxDets, areaRng);
    }

    /** At least three values, sorted here; summarize() reads the first three. */
    public CocoEvalParams withMaxDets(int... m) {
        return new CocoEvalParams(imgIds, catIds, iouThrs, recThrs, m, areaRng);
    }

    /** Ranges for all, small, medium, large (bounds inclusive on both sides). */
    public CocoEvalParams withAreaRng(double[][] ranges) {
        return new CocoEvalParams(imgIds, catIds, iouThrs, recThrs, maxDets, ranges);
    }

    /** Sorted, unique. */
    public long[] imgIds() {
        return imgIds.clone();
    }

    /** Sorted, unique; index k of precision/recall is {@code catIds()[k]}. */
    public long[] catIds() {
        return catIds.clone();
    }

    public double[] iouThrs() {
        return iouThrs.clone();
    }

    public double[] recThrs() {
        return recThrs.clone();
    }

    /** Sorted ascending. */
    public int[] maxDets() {
        return maxDets.clone();
    }

    public double[][] areaRng() {
        double[][] r = new double[areaRng.length][];
        for (int i = 0; i < r.length; i++) {
            r[i] = areaRng[i].clone();
        }
        return r;
    }

    // Unshared views for the evaluator (package-private, never modified).
    long[] imgIdsRef() {
        return imgIds;
    }

    long[] catIdsRef() {
        return catIds;
    }

    double[] iouThrsRef() {
        return iouThrs;
    }

    double[] recThrsRef() {
        return recThrs;
    }

    int[] maxDetsRef() {
        return maxDets;
    }

    double[][] areaRngRef() {
        return areaRng;
    }
}

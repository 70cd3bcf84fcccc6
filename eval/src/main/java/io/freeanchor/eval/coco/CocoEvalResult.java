package io.freeanchor.eval.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.freeanchor.eval.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * What {@code accumulate()} and {@code summarize()} produce: the precision (T x R x K x A x M) and recall
 * (T x K x A x M) arrays, the 12 stats, per-category AP, and their texts (pycocotools' summary lines, MMDetection's
 * copypaste line, a per-category table, JSON).
 */
public final class CocoEvalResult {
    /** Names of the 12 stats in {@code COCOeval.stats} order (also the JSON keys). */
    public static final List<String> STAT_NAMES =
            List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

    private final CocoEvalParams params;
    private final double[] precision, recall;
    private final int T, R, K, A, M;
    private final long[] catIds;
    private final String[] catNames;
    private final double[] stats = new double[12];
    private final String[] summaryLines = new String[12];
    private final double[] perCategoryAp;

    CocoEvalResult(CocoGroundTruth gt, CocoEvalParams params, double[] precision, double[] recall) {
        this.params = params;
        this.precision = precision;
        this.recall = recall;
        T = params.iouThrsRef().length;
        R = params.recThrsRef().length;
        catIds = params.catIds();
        K = catIds.length;
        A = params.areaRngRef().length;
        M = params.maxDetsRef().length;
        catNames = new String[K];
        for (int k = 0; k < K; k++) {
            String name = gt.categoryName(catIds[k]);
            catNames[k] = name != null ? name : String.valueOf(catIds[k]);
        }
        summarizeDets();
        perCategoryAp = new double[K];
        double[] buf = new double[T * R];
        for (int k = 0; k < K; k++) {
            int n = 0;
            for (int t = 0; t < T; t++) {
                for (int r = 0; r < R; r++) {
                    double v = precision(t, r, k, 0, M - 1);
                    if (v > -1) {
                        buf[n++] = v;
                    }
                }
            }
            perCategoryAp[k] = n == 0 ? -1 : Numpy.mean(buf, n);
        }
    }

    public CocoEvalParams params() {
        return params;
    }

    /** {@code eval['precision'][t, r, k, a, m]}; -1 where the category has no non-ignored ground truth. */
    public double precision(int t, int r, int k, int a, int m) {
        return precision[(((t * R + r) * K + k) * A + a) * M + m];
    }

    /** {@code eval['recall'][t, k, a, m]}. */
    public double recall(int t, int k, int a, int m) {
        return recall[((t * K + k) * A + a) * M + m];
    }

    /** The 12 numbers of {@code COCOeval.stats}, in {@link #STAT_NAMES} order; -1 where there is no ground truth. */
    public double[] stats() {
        return stats.clone();
    }

    public double stat(String name) {
        int i = STAT_NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no stat named " + name + "; names: " + STAT_NAMES);
        }
        return stats[i];
    }

    /** The evaluated category ids (sorted), index-aligned with {@link #perCategoryAp()}. */
    public long[] categoryIds() {
        return catIds.clone();
    }

    /** Category names aligned with {@link #categoryIds()} (the id as text for a category without a name). */
    public List<String> categoryNames() {
        return List.of(catNames);
    }

    /**
     * Per-category AP@[.5:.95], area all, the last maxDets (100 under the defaults): the mean of the entries > -1 of
     * {@code precision[:, :, k, 0, -1]}, or -1 if there are none.
     */
    public double[] perCategoryAp() {
        return perCategoryAp.clone();
    }

    /** The 12 lines {@code summarize()} prints, e.g. {@code " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.350"}. */
    public String summary() {
        return String.join("\n", summaryLines) + "\n";
    }

    /** MMDetection's log line: stats[0..5] with 3 decimals. */
    public String copypaste() {
        StringBuilder b = new StringBuilder("bbox_mAP_copypaste:");
        for (int i = 0; i < 6; i++) {
            b.append(' ').append(PyFormat.fixed(stats[i], 3));
        }
        return b.toString();
    }

    /** Category name and AP@[.5:.95] with 3 decimals, one category per line in id order (-1: no ground truth). */
    public String perCategoryTable() {
        int width = "category".length();
        for (String name : catNames) {
            width = Math.max(width, name.length());
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-" + width + "s  %6s%n", "category", "AP"));
        for (int k = 0; k < K; k++) {
            b.append(String.format(Locale.ROOT, "%-" + width + "s  %6s%n", catNames[k], PyFormat.fixed(perCategoryAp[k], 3)));
        }
        return b.toString();
    }

    /**
     * JSON: the 12 stats under their names (full double precision), {@code max_dets}, and {@code per_category}: an
     * object keyed by category id with {@code name} and {@code AP}.
     */
    public void writeJson(OutputStream out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            for (int i = 0; i < 12; i++) {
                g.writeNumberField(STAT_NAMES.get(i), stats[i]);
            }
            g.writeArrayFieldStart("max_dets");
            for (int m : params.maxDetsRef()) {
                g.writeNumber(m);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("per_category");
            for (int k = 0; k < K; k++) {
                g.writeObjectFieldStart(Long.toString(catIds[k]));
                g.writeStringField("name", catNames[k]);
                g.writeNumberField("AP", perCategoryAp[k]);
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    public String toJson() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            writeJson(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Writes {@link #writeJson} to {@code file} atomically: a temporary file beside it, then a move over it. */
    public void writeJson(Path file) throws IOException {
        AtomicFiles.write(file, this::writeJson);
    }

    // ---- summarize() ----

    private void summarizeDets() {
        int[] md = params.maxDetsRef();
        stats[0] = summarize(0, true, Double.NaN, "all", 100);
        stats[1] = summarize(1, true, .5, "all", md[2]);
        stats[2] = summarize(2, true, .75, "all", md[2]);
        stats[3] = summarize(3, true, Double.NaN, "small", md[2]);
        stats[4] = summarize(4, true, Double.NaN, "medium", md[2]);
        stats[5] = summarize(5, true, Double.NaN, "large", md[2]);
        stats[6] = summarize(6, false, Double.NaN, "all", md[0]);
        stats[7] = summarize(7, false, Double.NaN, "all", md[1]);
        stats[8] = summarize(8, false, Double.NaN, "all", md[2]);
        stats[9] = summarize(9, false, Double.NaN, "small", md[2]);
        stats[10] = summarize(10, false, Double.NaN, "medium", md[2]);
        stats[11] = summarize(11, false, Double.NaN, "large", md[2]);
    }

    /**
     * {@code _summarize}: thresholds selected by exact equality (NaN = all), the area range by label, maxDets by
     * value (none if absent: the result is then -1); the entries > -1 of the selection taken in C order and averaged
     * as {@code np.mean} does.
     */
    private double summarize(int line, boolean ap, double iouThr, String areaLabel, int maxDet) {
        double[] iouThrs = params.iouThrsRef();
        int[] tsel = select(T, t -> Double.isNaN(iouThr) || iouThrs[t] == iouThr);
        int[] msel = select(M, m -> params.maxDetsRef()[m] == maxDet);
        int a = CocoEvalParams.AREA_LABELS.indexOf(areaLabel);
        int rCount = ap ? R : 1;
        double[] buf = new double[Math.max(1, tsel.length * rCount * K * msel.length)];
        int n = 0;
        for (int t : tsel) {
            for (int r = 0; r < rCount; r++) {
                for (int k = 0; k < K; k++) {
                    for (int m : msel) {
                        double v = ap ? precision(t, r, k, a, m) : recall(t, k, a, m);
                        if (v > -1) {
                            buf[n++] = v;
                        }
                    }
                }
            }
        }
        double mean = n == 0 ? -1 : Numpy.mean(buf, n);
        String iouStr = Double.isNaN(iouThr)
                ? PyFormat.fixed(iouThrs[0], 2) + ":" + PyFormat.fixed(iouThrs[T - 1], 2)
                : PyFormat.fixed(iouThr, 2);
        summaryLines[line] = String.format(Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %s",
                ap ? "Average Precision" : "Average Recall", ap ? "(AP)" : "(AR)", iouStr, areaLabel, maxDet,
                PyFormat.fixed(mean, 3));
        return mean;
    }

    private static int[] select(int n, IntPredicate keep) {
        return IntStream.range(0, n).filter(keep).toArray();
    }
}

package io.freeanchor.eval.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random small scenes (tied scores, boxes on a coarse grid so IoUs land exactly on thresholds and tie between ground
 * truths, crowds, areas exactly on the 32^2 / 96^2 bounds, images and categories with nothing, unevaluated categories,
 * repeated and zero annotation ids, small maxDets that cut) evaluated by {@link CocoEvaluator} and by the plain
 * {@link SlowCocoEval}: precision and recall must be identical, stats and per-category AP within 1e-12. Every few
 * scenes also goes through JSON text and the streaming loaders, which must change nothing.
 */
class RandomScenesPropertyTest {
    private static final int SCENES = 400;
    private static final int[][] MAX_DETS = {{1, 10, 100}, {1, 2, 3}, {2, 5, 100}, {100, 300, 1000}, {3, 1, 2}};

    @Test
    void evaluatorAgreesWithTheSlowReimplementation() throws Exception {
        SplittableRandom rnd = new SplittableRandom(20240611);
        int nonTrivial = 0, withCrowd = 0, cut = 0;
        for (int s = 0; s < SCENES; s++) {
            Scene scene = Scene.random(rnd);
            CocoGroundTruth gt = scene.gt.build();
            CocoDetections dt;
            try {
                dt = CocoDetections.of(gt, scene.dets);
            } catch (NoDetectionsException e) {
                continue;
            }
            CocoEvalParams p = CocoEvalParams.defaults(gt).withMaxDets(MAX_DETS[rnd.nextInt(MAX_DETS.length)]);
            if (rnd.nextInt(6) == 0) {
                p = p.withImgIds(Arrays.stream(gt.imageIds()).filter(id -> rnd.nextBoolean()).toArray());
            }
            if (rnd.nextInt(6) == 0) {
                long[] cats = Arrays.stream(gt.categoryIds()).filter(id -> rnd.nextInt(3) > 0).toArray();
                p = p.withCatIds(cats);
            }
            String what = "scene " + s + " " + scene;
            CocoEvalResult fast = CocoEvaluator.evaluate(gt, dt, p);
            SlowCocoEval slow = new SlowCocoEval(gt, dt, p);
            compare(fast, slow, p, what);
            if (fast.stats()[0] > 0) {
                nonTrivial++;
            }
            withCrowd += scene.crowds > 0 ? 1 : 0;
            cut += scene.dets.size() > 2 * p.maxDets()[0] ? 1 : 0;
            if (s % 5 == 0) {
                CocoGroundTruth gt2 = CocoGroundTruth.parse(bytes(scene.gtJson()), "gt.json");
                CocoDetections dt2 = CocoDetections.parse(bytes(scene.dtJson()), "dt.json", gt2);
                CocoEvalResult viaJson = CocoEvaluator.evaluate(gt2, dt2, p);
                assertEquals(Arrays.toString(fast.stats()), Arrays.toString(viaJson.stats()), what + " via JSON");
                assertEquals(Arrays.toString(fast.perCategoryAp()), Arrays.toString(viaJson.perCategoryAp()), what + " via JSON");
            }
        }
        // The generator must actually produce interesting scenes.
        assertTrue(nonTrivial > SCENES / 3, "scenes with AP > 0: " + nonTrivial);
        assertTrue(withCrowd > SCENES / 4, "scenes with crowds: " + withCrowd);
        assertTrue(cut > SCENES / 4, "scenes where maxDets cuts: " + cut);
    }

    static void compare(CocoEvalResult fast, SlowCocoEval slow, CocoEvalParams p, String what) {
        int T = p.iouThrs().length, R = p.recThrs().length, K = p.catIds().length, A = 4, M = p.maxDets().length;
        for (int t = 0; t < T; t++) {
            for (int k = 0; k < K; k++) {
                for (int a = 0; a < A; a++) {
                    for (int m = 0; m < M; m++) {
                        if (Double.compare(fast.recall(t, k, a, m), slow.recall[t][k][a][m]) != 0) {
                            fail(what + ": recall[" + t + "," + k + "," + a + "," + m + "] " + fast.recall(t, k, a, m)
                                    + " != " + slow.recall[t][k][a][m]);
                        }
                        for (int r = 0; r < R; r++) {
                            if (Double.compare(fast.precision(t, r, k, a, m), slow.precision[t][r][k][a][m]) != 0) {
                                fail(what + ": precision[" + t + "," + r + "," + k + "," + a + "," + m + "] "
                                        + fast.precision(t, r, k, a, m) + " != " + slow.precision[t][r][k][a][m]);
                            }
                        }
                    }
                }
            }
        }
        double[] stats = fast.stats();
        for (int i = 0; i < 12; i++) {
            assertEquals(slow.stats[i], stats[i], 1e-12, what + ": " + CocoEvalResult.STAT_NAMES.get(i));
        }
        double[] ap = fast.perCategoryAp();
        for (int k = 0; k < K; k++) {
            assertEquals(slow.perCategoryAp[k], ap[k], 1e-12, what + ": AP of category " + p.catIds()[k]);
        }
    }

    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** One random scene, kept both as builders and as the data for its JSON text. */
    static final class Scene {
        final CocoGroundTruth.Builder gt = CocoGroundTruth.builder();
        final List<long[]> images = new ArrayList<>();
        final List<long[]> categories = new ArrayList<>();
        final List<double[]> anns = new ArrayList<>(); // id, image, cat, x, y, w, h, area, iscrowd
        final List<CocoDetections.Detection> dets = new ArrayList<>();
        int crowds;

        private static final ObjectMapper MAPPER = new ObjectMapper();
        private static final double[] SIDES = {8, 16, 24, 32, 40, 48, 64, 96, 100, 128};
        private static final double[] SCORES = {0.1, 0.3, 0.5, 0.5, 0.7, 0.9, 0.95};

        static Scene random(SplittableRandom rnd) {
            Scene sc = new Scene();
            int nImg = 1 + rnd.nextInt(5);
            List<Long> imgIds = distinct(rnd, nImg, 30);
            List<Long> catIds = distinct(rnd, 1 + rnd.nextInt(4), 12);
            for (long id : imgIds) {
                sc.gt.image(id, String.format("%012d.jpg", id), 640, 480);
                sc.images.add(new long[] {id});
            }
            for (long id : catIds) {
                sc.gt.category(id, "c" + id);
                sc.categories.add(new long[] {id});
            }
            long nextAnnId = rnd.nextInt(8) == 0 ? 0 : 1; // sometimes an annotation with id 0
            List<double[]> gtBoxes = new ArrayList<>();
            for (long img : imgIds) {
                int nGt = rnd.nextInt(7);
                for (int g = 0; g < nGt; g++) {
                    long cat = catIds.get(rnd.nextInt(catIds.size()));
                    double w = SIDES[rnd.nextInt(SIDES.length)], h = SIDES[rnd.nextInt(SIDES.length)];
                    double x = 8 * rnd.nextInt(20), y = 8 * rnd.nextInt(20);
                    double area = switch (rnd.nextInt(6)) {
                        case 0 -> 1024;
                        case 1 -> 9216;
                        case 2 -> w * h * (0.5 + rnd.nextDouble());
                        default -> w * h;
                    };
                    double crowd = rnd.nextInt(8) == 0 ? 1 : 0;
                    sc.crowds += (int) crowd;
                    long id = nextAnnId++;
                    if (rnd.nextInt(25) == 0 && !sc.anns.isEmpty()) {
                        id = (long) sc.anns.get(rnd.nextInt(sc.anns.size()))[0]; // a repeated id
                    }
                    double[] a = {id, img, cat, x, y, w, h, area, crowd};
                    sc.anns.add(a);
                    gtBoxes.add(a);
                    sc.gt.annotation(id, img, cat, x, y, w, h, area, crowd);
                }
            }
            long[] detCats = new long[catIds.size() + 1];
            for (int i = 0; i < catIds.size(); i++) {
                detCats[i] = catIds.get(i);
            }
            detCats[catIds.size()] = 99; // not a ground-truth category
            for (long img : imgIds) {
                int nDt = rnd.nextInt(14);
                for (int d = 0; d < nDt; d++) {
                    double x, y, w, h;
                    long cat;
                    if (!gtBoxes.isEmpty() && rnd.nextInt(3) > 0) {
                        double[] g = gtBoxes.get(rnd.nextInt(gtBoxes.size()));
                        cat = rnd.nextInt(6) == 0 ? detCats[rnd.nextInt(detCats.length)] : (long) g[2];
                        img = rnd.nextInt(5) == 0 ? img : (long) g[1];
                        x = g[3] + 2 * (rnd.nextInt(5) - 2);
                        y = g[4] + 2 * (rnd.nextInt(5) - 2);
                        w = g[5] + 4 * (rnd.nextInt(5) - 2);
                        h = g[6] + 4 * (rnd.nextInt(5) - 2);
                    } else {
                        cat = detCats[rnd.nextInt(detCats.length)];
                        x = 8 * rnd.nextInt(20) + rnd.nextDouble();
                        y = 8 * rnd.nextInt(20);
                        if (rnd.nextBoolean()) {
                            w = h = rnd.nextBoolean() ? 32 : 96; // exactly on an area bound
                        } else {
                            w = SIDES[rnd.nextInt(SIDES.length)];
                            h = SIDES[rnd.nextInt(SIDES.length)] * (0.75 + rnd.nextDouble() / 2);
                        }
                    }
                    double score = rnd.nextInt(4) == 0 ? rnd.nextDouble() : SCORES[rnd.nextInt(SCORES.length)];
                    sc.dets.add(new CocoDetections.Detection(img, cat, x, y, w, h, score));
                }
            }
            return sc;
        }

        private static List<Long> distinct(SplittableRandom rnd, int n, int bound) {
            List<Long> out = new ArrayList<>();
            while (out.size() < n) {
                long v = 1 + rnd.nextInt(bound);
                if (!out.contains(v)) {
                    out.add(v);
                }
            }
            return out;
        }

        String gtJson() throws Exception {
            ObjectMapper om = MAPPER;
            ObjectNode root = om.createObjectNode();
            root.putObject("info").put("description", "random scene");
            ArrayNode images = root.putArray("images");
            for (long[] i : this.images) {
                images.addObject().put("id", i[0]).put("file_name", String.format("%012d.jpg", i[0])).put("width", 640).put("height", 480);
            }
            ArrayNode anns = root.putArray("annotations");
            for (double[] a : this.anns) {
                ObjectNode o = anns.addObject();
                o.putArray("segmentation").addArray().add(a[3]).add(a[4]).add(a[3] + a[5]).add(a[4]);
                o.put("area", a[7]).put("iscrowd", (int) a[8]).put("image_id", (long) a[1]);
                o.putArray("bbox").add(a[3]).add(a[4]).add(a[5]).add(a[6]);
                o.put("category_id", (long) a[2]).put("id", (long) a[0]);
            }
            ArrayNode cats = root.putArray("categories");
            for (long[] c : categories) {
                cats.addObject().put("supercategory", "x").put("id", c[0]).put("name", "c" + c[0]);
            }
            return om.writeValueAsString(root);
        }

        String dtJson() throws Exception {
            CocoGroundTruth g = gt.build();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CocoDetections.of(g, dets).writeJson(out);
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return images.size() + " images, " + categories.size() + " categories, " + anns.size() + " gts, " + dets.size() + " dets";
        }
    }
}

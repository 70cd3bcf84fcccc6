package io.freeanchor.eval.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Agreement of two eval runs' detections (COCO results JSON), used to judge FP16 storage against
 * FP32: per image, the 100 highest-scoring detections of each run, each of the reference's matched
 * to a distinct one of the other run with the same category, every box coordinate within
 * {@code boxTolerance} px and the score within {@code scoreTolerance}.
 *
 * <p>A detection left without a counterpart is <em>explained</em> when a decision of the
 * post-processing sat within the score tolerance of its threshold, so that rounding the activations
 * could tip it either way, or when it follows from such a decision through NMS (see {@link Reason});
 * anything else is unexplained, which is what a real FP16 defect would produce.
 */
final class Top100 {
    private Top100() {}

    /** MMDetection's FreeAnchor test_cfg: score_thr and the NMS IoU threshold. */
    private static final double SCORE_THR = 0.05, NMS_IOU = 0.5;
    /** How close to the NMS threshold an IoU must be for rounding to tip it (boxes move by < 1 px). */
    private static final double IOU_TOLERANCE = 0.02;

    /** Why a detection without a counterpart is a near-tie, or a consequence of one, rather than a difference. */
    enum Reason {
        /**
         * The other run kept, instead, a detection of the same category whose score is within the
         * tolerance (NMS or the per-level top-k chose between near-equal candidates): a swapped pair.
         */
        SWAPPED,
        /** Its score is within the tolerance of the other run's 100th score (the max_per_img cut). */
        TOP100_CUT,
        /** Its score is within the tolerance of score_thr. */
        SCORE_THR,
        /**
         * Its score is within the tolerance of where a level's nms_pre cut falls on its image (the
         * 1000th best (anchor, class) score of the level; given by the caller, see {@link LevelCuts}).
         */
        LEVEL_TOPK,
        /**
         * The other run kept a same-category detection scoring at least as high (within the
         * tolerance) whose IoU with it is within {@link #IOU_TOLERANCE} of the NMS threshold.
         */
        NMS_IOU,
        /**
         * The other run kept a same-category detection scoring at least as high (within the
         * tolerance) that overlaps it beyond the NMS threshold and is itself explained without a
         * counterpart: NMS there suppressed this one with a box that a near-tie put only there (when
         * two anchors' scores tie, the box that wins decides which neighbours survive).
         */
        NMS_CHAIN
    }

    /**
     * How many reference detections were compared, how many detections (of both runs) found no
     * counterpart, the lowest score among those (1.0 when all matched), how many of them each
     * {@link Reason} explains, and the unexplained ones.
     */
    record Agreement(int compared, int unmatched, double lowestUnmatchedScore, Map<Reason, Integer> explained,
                     List<String> unexplained) {
        String summary() {
            return unmatched + " of " + compared + " top-100 detections without a counterpart, explained " + explained
                    + ", unexplained " + unexplained.size();
        }
    }

    /**
     * Compares every image either run has detections on; the other run's detections left over
     * count as unmatched too (a score near score_thr may fall on either side of it, so the per-image
     * counts may differ).
     */
    static Agreement compare(JsonNode reference, JsonNode other, double boxTolerance, double scoreTolerance) {
        return compare(reference, other, boxTolerance, scoreTolerance, Map.of());
    }

    /** {@link #compare(JsonNode, JsonNode, double, double)}, knowing where each image's per-level nms_pre cuts fall. */
    static Agreement compare(JsonNode reference, JsonNode other, double boxTolerance, double scoreTolerance,
                             Map<Long, double[]> levelCuts) {
        Map<Long, List<JsonNode>> ref = top100(reference), got = top100(other);
        Set<Long> images = new TreeSet<>(ref.keySet());
        images.addAll(got.keySet());
        int compared = 0, unmatched = 0;
        double lowest = 1.0;
        Map<Reason, Integer> explained = new TreeMap<>();
        List<String> unexplained = new ArrayList<>();
        for (long image : images) {
            List<JsonNode> a = ref.getOrDefault(image, List.of()), b = got.getOrDefault(image, List.of());
            List<JsonNode> leftA = new ArrayList<>(), leftB = new ArrayList<>(b);
            for (JsonNode d : a) {
                JsonNode match = null;
                for (JsonNode e : leftB) {
                    if (sameCategory(d, e) && maxBoxDiff(d, e) <= boxTolerance && scoreDiff(d, e) <= scoreTolerance) {
                        match = e;
                        break;
                    }
                }
                compared++;
                if (match == null) {
                    leftA.add(d);
                } else {
                    leftB.remove(match);
                }
            }
            unmatched += leftA.size() + leftB.size();
            for (JsonNode d : leftA) {
                lowest = Math.min(lowest, score(d));
            }
            for (JsonNode d : leftB) {
                lowest = Math.min(lowest, score(d));
            }
            Map<JsonNode, Reason> reasons = new IdentityHashMap<>();
            pairSwapped(leftA, leftB, scoreTolerance, reasons);
            double[] cuts = levelCuts.getOrDefault(image, new double[0]);
            explainNearTies(leftA, b, cuts, scoreTolerance, reasons);
            explainNearTies(leftB, a, cuts, scoreTolerance, reasons);
            explainChains(leftA, leftB, scoreTolerance, reasons);
            for (Reason r : reasons.values()) {
                explained.merge(r, 1, Integer::sum);
            }
            for (JsonNode d : leftA) {
                if (!reasons.containsKey(d)) {
                    unexplained.add("image " + image + ", reference run: " + d);
                }
            }
            for (JsonNode d : leftB) {
                if (!reasons.containsKey(d)) {
                    unexplained.add("image " + image + ", other run: " + d);
                }
            }
        }
        return new Agreement(compared, unmatched, lowest, explained, unexplained);
    }

    /** Pairs lone detections of the two runs by category and near-equal score, closest scores first. */
    private static void pairSwapped(List<JsonNode> loneA, List<JsonNode> loneB, double tolerance, Map<JsonNode, Reason> reasons) {
        for (JsonNode d : loneA) {
            JsonNode partner = null;
            for (JsonNode e : loneB) {
                if (!reasons.containsKey(e) && sameCategory(d, e) && scoreDiff(d, e) <= tolerance
                        && (partner == null || scoreDiff(d, e) < scoreDiff(d, partner))) {
                    partner = e;
                }
            }
            if (partner != null) {
                reasons.put(d, Reason.SWAPPED);
                reasons.put(partner, Reason.SWAPPED);
            }
        }
    }

    /** The threshold near-ties of one run's lone detections against the other run's top 100. */
    private static void explainNearTies(List<JsonNode> lone, List<JsonNode> otherTop100, double[] levelCuts,
                                        double tolerance, Map<JsonNode, Reason> reasons) {
        double cut = otherTop100.size() == 100 ? score(otherTop100.get(99)) : Double.NaN;
        for (JsonNode d : lone) {
            if (reasons.containsKey(d)) {
                continue;
            }
            if (Math.abs(score(d) - cut) <= tolerance) {
                reasons.put(d, Reason.TOP100_CUT);
            } else if (Math.abs(score(d) - SCORE_THR) <= tolerance) {
                reasons.put(d, Reason.SCORE_THR);
            } else if (nearAny(score(d), levelCuts, tolerance)) {
                reasons.put(d, Reason.LEVEL_TOPK);
            } else {
                for (JsonNode e : otherTop100) {
                    if (sameCategory(d, e) && score(e) >= score(d) - tolerance && Math.abs(iou(d, e) - NMS_IOU) <= IOU_TOLERANCE) {
                        reasons.put(d, Reason.NMS_IOU);
                        break;
                    }
                }
            }
        }
    }

    private static boolean nearAny(double score, double[] cuts, double tolerance) {
        for (double cut : cuts) {
            if (Math.abs(score - cut) <= tolerance) {
                return true;
            }
        }
        return false;
    }

    /** Explains, until nothing changes, lone detections suppressed in the other run by an explained lone one. */
    private static void explainChains(List<JsonNode> loneA, List<JsonNode> loneB, double tolerance, Map<JsonNode, Reason> reasons) {
        boolean changed = true;
        while (changed) {
            changed = explainChainStep(loneA, loneB, tolerance, reasons) | explainChainStep(loneB, loneA, tolerance, reasons);
        }
    }

    private static boolean explainChainStep(List<JsonNode> lone, List<JsonNode> otherLone, double tolerance,
                                            Map<JsonNode, Reason> reasons) {
        boolean changed = false;
        for (JsonNode d : lone) {
            if (reasons.containsKey(d)) {
                continue;
            }
            for (JsonNode e : otherLone) {
                if (reasons.containsKey(e) && sameCategory(d, e) && score(e) >= score(d) - tolerance
                        && iou(d, e) > NMS_IOU - IOU_TOLERANCE) {
                    reasons.put(d, Reason.NMS_CHAIN);
                    changed = true;
                    break;
                }
            }
        }
        return changed;
    }

    /** Per image, the 100 highest-scoring detections. */
    static Map<Long, List<JsonNode>> top100(JsonNode results) {
        Map<Long, List<JsonNode>> byImage = new TreeMap<>();
        for (JsonNode d : results) {
            byImage.computeIfAbsent(d.get("image_id").asLong(), k -> new ArrayList<>()).add(d);
        }
        byImage.replaceAll((k, v) -> v.stream().sorted(Comparator.comparingDouble((JsonNode d) -> -score(d)))
                .limit(100).toList());
        return byImage;
    }

    private static double score(JsonNode d) {
        return d.get("score").asDouble();
    }

    private static double scoreDiff(JsonNode a, JsonNode b) {
        return Math.abs(score(a) - score(b));
    }

    private static boolean sameCategory(JsonNode a, JsonNode b) {
        return a.get("category_id").asLong() == b.get("category_id").asLong();
    }

    private static double maxBoxDiff(JsonNode a, JsonNode b) {
        double m = 0;
        for (int k = 0; k < 4; k++) {
            m = Math.max(m, Math.abs(a.get("bbox").get(k).asDouble() - b.get("bbox").get(k).asDouble()));
        }
        return m;
    }

    /** IoU of two COCO [x, y, w, h] boxes. */
    static double iou(JsonNode a, JsonNode b) {
        JsonNode p = a.get("bbox"), q = b.get("bbox");
        double ax1 = p.get(0).asDouble(), ay1 = p.get(1).asDouble(), ax2 = ax1 + p.get(2).asDouble(), ay2 = ay1 + p.get(3).asDouble();
        double bx1 = q.get(0).asDouble(), by1 = q.get(1).asDouble(), bx2 = bx1 + q.get(2).asDouble(), by2 = by1 + q.get(3).asDouble();
        double w = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1)), h = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
        double inter = w * h, union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
        return union > 0 ? inter / union : 0;
    }
}

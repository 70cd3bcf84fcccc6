package io.freeanchor.eval.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Agreement of two eval runs' detections (COCO results JSON): per image, the 100 highest-scoring
 * detections of the reference each matched to a distinct one of the other run with the same
 * category, every box coordinate within {@code boxTolerance} px and the score within
 * {@code scoreTolerance}. Used to judge FP16 storage against FP32.
 */
final class Top100 {
    private Top100() {}

    /**
     * How many reference detections were compared, how many found no counterpart, and the lowest
     * score among those (1.0 when all matched).
     */
    record Agreement(int compared, int unmatched, double lowestUnmatchedScore) {}

    /**
     * Counts, over every image either run has detections on, the reference's top-100 detections
     * without a counterpart plus the other run's left over (a score near score_thr may fall on
     * either side of it, so the per-image counts may differ).
     */
    static Agreement compare(JsonNode reference, JsonNode other, double boxTolerance, double scoreTolerance) {
        Map<Long, List<JsonNode>> ref = top100(reference), got = top100(other);
        Set<Long> images = new TreeSet<>(ref.keySet());
        images.addAll(got.keySet());
        int compared = 0, unmatched = 0;
        double lowest = 1.0;
        for (long image : images) {
            List<JsonNode> a = ref.getOrDefault(image, List.of()), b = new ArrayList<>(got.getOrDefault(image, List.of()));
            for (JsonNode d : a) {
                JsonNode match = null;
                for (JsonNode e : b) {
                    if (e.get("category_id").asLong() == d.get("category_id").asLong() && maxBoxDiff(d, e) <= boxTolerance
                            && Math.abs(e.get("score").asDouble() - d.get("score").asDouble()) <= scoreTolerance) {
                        match = e;
                        break;
                    }
                }
                compared++;
                if (match == null) {
                    unmatched++;
                    lowest = Math.min(lowest, d.get("score").asDouble());
                } else {
                    b.remove(match);
                }
            }
            for (JsonNode e : b) {
                unmatched++;
                lowest = Math.min(lowest, e.get("score").asDouble());
            }
        }
        return new Agreement(compared, unmatched, lowest);
    }

    /** Per image, the 100 highest-scoring detections. */
    static Map<Long, List<JsonNode>> top100(JsonNode results) {
        Map<Long, List<JsonNode>> byImage = new TreeMap<>();
        for (JsonNode d : results) {
            byImage.computeIfAbsent(d.get("image_id").asLong(), k -> new ArrayList<>()).add(d);
        }
        byImage.replaceAll((k, v) -> v.stream().sorted(Comparator.comparingDouble((JsonNode d) -> -d.get("score").asDouble()))
                .limit(100).toList());
        return byImage;
    }

    private static double maxBoxDiff(JsonNode a, JsonNode b) {
        double m = 0;
        for (int k = 0; k < 4; k++) {
            m = Math.max(m, Math.abs(a.get("bbox").get(k).asDouble() - b.get("bbox").get(k).asDouble()));
        }
        return m;
    }
}

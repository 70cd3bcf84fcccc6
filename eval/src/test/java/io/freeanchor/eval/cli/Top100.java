package io.freeanchor.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    /** Asserts both runs have detections on the same images and equally many in each top 100; counts the rest. */
    static Agreement compare(JsonNode reference, JsonNode other, double boxTolerance, double scoreTolerance) {
        Map<Long, List<JsonNode>> ref = top100(reference), got = top100(other);
        assertEquals(ref.keySet(), got.keySet(), "images with detections");
        int compared = 0, unmatched = 0;
        double lowest = 1.0;
        for (long image : ref.keySet()) {
            List<JsonNode> a = ref.get(image), b = new ArrayList<>(got.get(image));
            assertEquals(a.size(), b.size(), "top-100 size of image " + image);
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

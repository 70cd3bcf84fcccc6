package io.freeanchor.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The near-tie rules of {@link Top100} on hand-made detections: each rule explains only what it names. */
class Top100Test {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ArrayNode run(double[]... detections) {
        ArrayNode results = JSON.createArrayNode();
        for (double[] d : detections) {
            results.addObject().put("image_id", 1).put("category_id", (int) d[0]).put("score", d[1])
                    .set("bbox", JSON.valueToTree(new double[] {d[2], d[3], d[4], d[5]}));
        }
        return results;
    }

    private static Top100.Agreement compare(JsonNode a, JsonNode b) {
        return Top100.compare(a, b, 1.0, 1e-2);
    }

    @Test
    void boxesWithinAPixelAndScoresWithinTheToleranceMatch() {
        Top100.Agreement a = compare(run(new double[] {1, 0.9, 10, 10, 20, 20}), run(new double[] {1, 0.895, 10.8, 10, 20, 20}));
        assertEquals(1, a.compared());
        assertEquals(0, a.unmatched(), a.summary());
    }

    @Test
    void aMovedBoxWithAChangedScoreIsUnexplained() {
        Top100.Agreement a = compare(run(new double[] {1, 0.9, 10, 10, 20, 20}), run(new double[] {1, 0.7, 40, 40, 20, 20}));
        assertEquals(2, a.unmatched());
        assertEquals(2, a.unexplained().size(), a.summary());
    }

    @Test
    void aChangedCategoryIsUnexplained() {
        Top100.Agreement a = compare(run(new double[] {1, 0.9, 10, 10, 20, 20}), run(new double[] {2, 0.9, 10, 10, 20, 20}));
        assertEquals(2, a.unexplained().size(), a.summary());
    }

    @Test
    void nearEqualScoresOfTheSameCategoryAreASwappedPair() {
        Top100.Agreement a = compare(run(new double[] {1, 0.6, 10, 10, 20, 20}), run(new double[] {1, 0.605, 14, 10, 20, 20}));
        assertEquals(Map.of(Top100.Reason.SWAPPED, 2), a.explained(), a.summary());
        assertEquals(0, a.unexplained().size());
    }

    @Test
    void aScoreAtScoreThrIsANearTie() {
        Top100.Agreement a = compare(run(new double[] {1, 0.9, 10, 10, 20, 20}, new double[] {3, 0.052, 50, 50, 5, 5}),
                run(new double[] {1, 0.9, 10, 10, 20, 20}));
        assertEquals(Map.of(Top100.Reason.SCORE_THR, 1), a.explained(), a.summary());
    }

    @Test
    void aScoreAtALevelsNmsPreCutIsANearTieOnlyWhenTheCutIsKnown() {
        ArrayNode reference = run(new double[] {1, 0.9, 10, 10, 20, 20}, new double[] {2, 0.117, 50, 50, 5, 5});
        ArrayNode other = run(new double[] {1, 0.9, 10, 10, 20, 20});
        assertEquals(1, compare(reference, other).unexplained().size());
        Top100.Agreement a = Top100.compare(reference, other, 1.0, 1e-2, Map.of(1L, new double[] {0.1171, Double.NaN}));
        assertEquals(Map.of(Top100.Reason.LEVEL_TOPK, 1), a.explained(), a.summary());
    }

    @Test
    void anOverlapAtTheNmsThresholdIsANearTie() {
        // 20x20 boxes 6.6 px apart: IoU = 13.4 / 26.6 = 0.504
        Top100.Agreement a = compare(run(new double[] {1, 0.9, 10, 10, 20, 20}, new double[] {1, 0.4, 16.6, 10, 20, 20}),
                run(new double[] {1, 0.9, 10, 10, 20, 20}));
        assertEquals(Map.of(Top100.Reason.NMS_IOU, 1), a.explained(), a.summary());
    }

    @Test
    void aBoxSuppressedByAnotherRunsSwappedWinnerIsAChain() {
        // Two anchors tie at 0.8: the reference keeps the left box, the other run the right one, which
        // overlaps the 0.4 box by IoU 0.6 and suppresses it there; the reference's left box does not.
        Top100.Agreement a = compare(
                run(new double[] {1, 0.8, 0, 0, 20, 20}, new double[] {1, 0.4, 10, 0, 20, 20}),
                run(new double[] {1, 0.801, 5, 0, 20, 20}));
        assertEquals(Map.of(Top100.Reason.SWAPPED, 2, Top100.Reason.NMS_CHAIN, 1), a.explained(), a.summary());
        assertEquals(0, a.unexplained().size());
    }

    @Test
    void aLoneBoxOverlappingNothingLoneIsNotAChain() {
        // The 0.4 box overlaps the other run's 0.8 box, but that one matched: nothing there explains its loss.
        Top100.Agreement a = compare(
                run(new double[] {1, 0.8, 0, 0, 20, 20}, new double[] {1, 0.4, 5, 0, 20, 20}),
                run(new double[] {1, 0.8, 0, 0, 20, 20}));
        assertEquals(1, a.unexplained().size(), a.summary());
    }
}

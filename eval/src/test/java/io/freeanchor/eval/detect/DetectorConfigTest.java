package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectorConfigTest {
    @Test
    void defaultsAreTheSpecs() {
        DetectorConfig d = DetectorConfig.defaults();
        assertEquals(1344, d.inputWidth());
        assertEquals(800, d.inputHeight());
        assertEquals(List.of(8, 16, 32, 64, 128), d.strides());
        assertEquals(4.0, d.octaveBaseScale());
        assertEquals(3, d.scalesPerOctave());
        assertEquals(List.of(0.5, 1.0, 2.0), d.ratios());
        assertEquals(80, d.numClasses());
        assertEquals(List.of(0.0, 0.0, 0.0, 0.0), d.targetMeans());
        assertEquals(List.of(0.1, 0.1, 0.2, 0.2), d.targetStds());
        assertEquals(16.0 / 1000, d.whRatioClip());
        assertEquals(0.05, d.scoreThr());
        assertEquals(1000, d.nmsPre());
        assertEquals(0.5, d.iouThreshold());
        assertEquals(100, d.maxPerImg());
        assertEquals(0.0, d.minBboxSize());
        assertEquals(9, d.numAnchors());
        assertEquals(36, d.regressionChannels());
        assertEquals(720, d.classificationChannels());
        assertEquals(80, d.classNames().size());
        assertEquals("person", d.classNames().get(0));
        assertEquals("toothbrush", d.classNames().get(79));
        assertEquals(1L, d.categoryId(0));
        assertEquals(13L, d.categoryId(11));
        assertEquals(90L, d.categoryId(79));
    }

    @Test
    void jsonRoundTripAndPartialOverrides() {
        DetectorConfig d = DetectorConfig.defaults();
        assertEquals(d, DetectorConfig.fromJson(d.toJson(), "round trip"));
        assertEquals(d, DetectorConfig.fromJson("{}", "empty"));
        DetectorConfig c = DetectorConfig.fromJson("""
                {"input_size": {"width": 160, "height": 96},
                 "test_cfg": {"score_thr": 0.3, "nms": {"iou_threshold": 0.6}, "min_bbox_size": -1}}""", "x");
        assertEquals(160, c.inputWidth());
        assertEquals(96, c.inputHeight());
        assertEquals(0.3, c.scoreThr());
        assertEquals(0.6, c.iouThreshold());
        assertEquals(-1.0, c.minBboxSize());
        assertEquals(1000, c.nmsPre());
        assertEquals(d.classNames(), c.classNames());
        DetectorConfig custom = DetectorConfig.fromJson("""
                {"num_classes": 2, "classes": ["cat", "dog"], "category_ids": [7, 3],
                 "anchor_generator": {"type": "AnchorGenerator", "strides": [8, 16, 32], "ratios": [1.0]},
                 "bbox_coder": {"type": "DeltaXYWHBBoxCoder", "target_stds": [1, 1, 1, 1]}}""", "x");
        assertEquals(3, custom.numAnchors());
        assertEquals(6, custom.classificationChannels());
        assertEquals(3L, custom.categoryId(1));
        assertEquals(custom, DetectorConfig.fromJson(custom.toJson(), "round trip"));
    }

    @Test
    void metadataAndSidecar(@TempDir Path tmp) throws Exception {
        assertSame(DetectorConfig.defaults(), DetectorConfig.fromMetadata(Map.of("other", "x")));
        DetectorConfig m = DetectorConfig.fromMetadata(Map.of(DetectorConfig.METADATA_KEY,
                "{\"test_cfg\": {\"max_per_img\": 300}}"));
        assertEquals(300, m.maxPerImg());
        Path side = tmp.resolve("model.json");
        Files.writeString(side, "{\"test_cfg\": {\"max_per_img\": 7}}");
        assertEquals(7, DetectorConfig.resolve(Map.of(DetectorConfig.METADATA_KEY,
                "{\"test_cfg\": {\"max_per_img\": 300}}"), side).maxPerImg(), "the sidecar wins");
        assertEquals(300, DetectorConfig.resolve(Map.of(DetectorConfig.METADATA_KEY,
                "{\"test_cfg\": {\"max_per_img\": 300}}"), null).maxPerImg());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectorConfig.fromMetadata(
                Map.of(DetectorConfig.METADATA_KEY, "{\"test_cfg\": {\"max_per_img\": 0}}")));
        assertEquals("ONNX metadata 'freeanchor.config': $.test_cfg.max_per_img: must be an integer >= 1, got 0",
                e.getMessage());
        Files.writeString(side, "{\"test_cfg\": {\"nms\": {\"iou_threshold\": \"high\"}}}");
        e = assertThrows(IllegalArgumentException.class, () -> DetectorConfig.fromJson(side));
        assertEquals(side + ": $.test_cfg.nms.iou_threshold: expected a number, got \"high\"", e.getMessage());
        assertThrows(UncheckedIOException.class, () -> DetectorConfig.fromJson(tmp.resolve("missing.json")));
    }

    @Test
    void errorsNameTheJsonPath() {
        error("{\"test_cfg\": {\"nms_pree\": 5}}", "$.test_cfg.nms_pree: unknown key (known here: max_per_img, "
                + "min_bbox_size, nms, nms_pre, score_thr)");
        error("{\"anchor_generator\": {\"strides\": [8, \"16\"]}}",
                "$.anchor_generator.strides[1]: expected an integer, got \"16\"");
        error("{\"anchor_generator\": {\"strides\": [8, 0]}}", "$.anchor_generator.strides[1]: must be an integer >= 1");
        error("{\"anchor_generator\": {\"strides\": []}}", "$.anchor_generator.strides: must list at least one level");
        error("{\"anchor_generator\": {\"ratios\": [1, -2]}}", "$.anchor_generator.ratios[1]: must be a finite number > 0");
        error("{\"anchor_generator\": {\"type\": \"SSDAnchorGenerator\"}}",
                "$.anchor_generator.type: only \"AnchorGenerator\" is supported");
        error("{\"anchor_generator\": {\"scales_per_octave\": 2.5}}",
                "$.anchor_generator.scales_per_octave: expected an integer, got 2.5");
        error("{\"test_cfg\": {\"score_thr\": 1.5}}", "$.test_cfg.score_thr: must be in [0, 1), got 1.5");
        error("{\"test_cfg\": {\"nms_pre\": -1}}", "$.test_cfg.nms_pre: must be an integer >= 1, got -1");
        error("{\"test_cfg\": {\"nms\": {\"type\": \"soft_nms\"}}}", "$.test_cfg.nms.type: only \"nms\" is supported");
        error("{\"test_cfg\": []}", "$.test_cfg: expected a JSON object, got []");
        error("{\"bbox_coder\": {\"target_stds\": [0.1, 0.1, 0.2]}}",
                "$.bbox_coder.target_stds: must have 4 numbers (dx, dy, dw, dh), got 3");
        error("{\"bbox_coder\": {\"target_stds\": [0.1, 0.1, 0.2, 0]}}",
                "$.bbox_coder.target_stds[3]: must be a finite number > 0");
        error("{\"bbox_coder\": {\"wh_ratio_clip\": 0}}", "$.bbox_coder.wh_ratio_clip: must be in (0, 1]");
        error("{\"input_size\": {\"width\": 0}}", "$.input_size.width: must be an integer >= 1, got 0");
        error("{\"num_classes\": 20}", "$.classes: is required when num_classes is 20");
        error("{\"num_classes\": 2, \"classes\": [\"a\", \"b\"]}",
                "$.category_ids: is required when the classes are not COCO's 80");
        error("{\"num_classes\": 2, \"classes\": [\"a\"], \"category_ids\": [1, 2]}",
                "$.classes: has 1 names but num_classes is 2");
        error("{\"num_classes\": 2, \"classes\": [\"a\", \"b\"], \"category_ids\": [4, 4]}",
                "$.category_ids[1]: repeats category id 4");
        error("{\"num_classes\": 2, \"classes\": [\"a\", 3], \"category_ids\": [1, 2]}",
                "$.classes[1]: expected a string, got 3");
        error("{\"num_clases\": 2}", "$.num_clases: unknown key");
        error("[1]", "$: expected a JSON object");
        error("{\"num_classes\": 80, \"num_classes\": 80}", "not valid JSON: Duplicate field 'num_classes'");
        error("{} {}", "not valid JSON");
    }

    private static void error(String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DetectorConfig.fromJson(json, "cfg.json"));
        assertTrue(e.getMessage().startsWith("cfg.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }
}

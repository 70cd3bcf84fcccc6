package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.head.Sigmoid;
import io.freeanchor.network.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full post-processing against {@code tools/reference_postprocess.py} (float32 torch/numpy
 * transcription of spec sections 6-10): the committed random-weight fixture outputs and full-size
 * synthetic outputs with planted edge cases. Agreement required: same detections in the same order
 * with bit-identical float32 boxes and scores, and identical COCO entries.
 */
class ReferenceAgreementTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RESOURCES = Fixtures.repoRoot().resolve("eval/src/test/resources/detect");

    @TempDir
    Path tmp;

    @Test
    void tinyFixtureWithDefaultTestCfg() throws Exception {
        Agreement a = compareOnDirectory(Fixtures.dir("tiny"), RESOURCES.resolve("tiny-config.json"),
                RESOURCES.resolve("tiny-images.json"), "tiny fixture, default test_cfg");
        assertEquals(200, a.detections, "the random-weight fixture gives 100 detections per image");
    }

    @Test
    void tinyFixtureWithOtherTestCfg() throws Exception {
        Agreement a = compareOnDirectory(Fixtures.dir("tiny"), RESOURCES.resolve("tiny-config-knobs.json"),
                RESOURCES.resolve("tiny-images.json"), "tiny fixture, nms_pre 50 / score_thr 0.3 / iou 0.3 / ...");
        assertEquals(40, a.detections);
    }

    @Test
    void syntheticFullSizeEdgeCases() throws Exception {
        Path dir = tmp.resolve("synth");
        PythonReference.run("synth", "--out", dir.toString());
        Agreement a = compareOnDirectory(dir, dir.resolve("config.json"), dir.resolve("images.json"),
                "synthetic 800x1344");
        JsonNode images = a.reference.get("images");

        // The planted cases really are exercised (numbers from the reference's own statistics).
        JsonNode s0 = images.get(0).get("stats");
        assertTrue(s0.get("levels").get(1).get("above_thr").asInt() > 1000, "P4 has more than nms_pre candidates");
        assertTrue(s0.get("levels").get(1).get("score_ties_in_kept").asInt() > 500, "the nms_pre cut is inside a tie");
        assertTrue(s0.get("after_min_size").asInt() < s0.get("candidates").asInt(), "min size filter removed boxes");
        assertTrue(s0.get("after_nms").asInt() > 100, "more than max_per_img boxes survive NMS");
        assertEquals(100, s0.get("final").asInt());
        JsonNode s1 = images.get(1).get("stats");
        assertTrue(s1.get("levels").get(0).get("above_thr").asInt() > 5_000_000, "random logits: millions of pairs");
        assertEquals(5000, s1.get("candidates").asInt());
        assertEquals(2, images.get(2).get("stats").get("final").asInt());
        JsonNode s3 = images.get(3).get("stats");
        assertTrue(s3.get("candidates").asInt() > 0);
        assertEquals(0, s3.get("after_min_size").asInt(), "every box clipped flat");

        // Threshold edge: the logit scoring exactly f32(0.05) is dropped, the next float up is kept.
        float x0 = (float) JSON.readTree(dir.resolve("planted.json").toFile()).get("threshold_logit").asDouble();
        assertEquals(0.05f, Sigmoid.of(x0));
        float above = Sigmoid.of(Math.nextUp(x0));
        assertTrue(above > 0.05f);
        List<Detection> image2 = a.ours.get(2);
        assertEquals(2, image2.size());
        assertEquals(1.0f, image2.get(0).score());
        assertEquals(above, image2.get(1).score());
        assertTrue(a.ours.get(3).isEmpty());
    }

    /** Result of one comparison. */
    record Agreement(JsonNode reference, List<List<Detection>> ours, int detections) {}

    private Agreement compareOnDirectory(Path outputsDir, Path configFile, Path imagesFile, String what)
            throws Exception {
        Path refFile = tmp.resolve("reference-" + Math.abs(what.hashCode()) + ".json");
        PythonReference.run("run", "--outputs", outputsDir.toString(), "--images", imagesFile.toString(), "--config",
                configFile.toString(), "--out", refFile.toString());
        JsonNode ref = JSON.readTree(refFile.toFile());

        DetectorConfig config = DetectorConfig.fromJson(configFile);
        HeadOutputs outputs = HeadOutputs.split(readOutputs(outputsDir), config);
        JsonNode images = JSON.readTree(imagesFile.toFile());
        PostProcessor post = new PostProcessor(config);
        List<List<Detection>> ours = new ArrayList<>();
        List<CocoDetection> ourCoco = new ArrayList<>();
        long t0 = System.nanoTime();
        PostProcessor.BatchCandidates candidates;
        try (JavaBackend java = new JavaBackend(1)) {
            candidates = post.candidates(java, outputs, config.inputHeight(), config.inputWidth());
        }
        for (int i = 0; i < images.size(); i++) {
            JsonNode im = images.get(i);
            List<Detection> dets = post.process(candidates, i, im.get("height").asInt(), im.get("width").asInt());
            ours.add(dets);
            ourCoco.addAll(CocoDetection.of(im.get("image_id").asLong(), dets, config));
        }
        double ms = (System.nanoTime() - t0) / 1e6;

        int count = 0;
        JsonNode refImages = ref.get("images");
        assertEquals(images.size(), refImages.size());
        for (int i = 0; i < images.size(); i++) {
            JsonNode r = refImages.get(i);
            List<Detection> dets = ours.get(i);
            String where = what + ", image " + i;
            assertEquals(r.get("scores").size(), dets.size(), where + ": number of detections");
            for (int k = 0; k < dets.size(); k++) {
                Detection d = dets.get(k);
                String at = where + ", detection " + k + " " + d;
                assertEquals(r.get("labels").get(k).asInt(), d.label(), at + ": label");
                assertFloatExact(r.get("scores").get(k), d.score(), 1e-5, at + ": score");
                JsonNode box = r.get("boxes").get(k);
                assertFloatExact(box.get(0), d.x1(), 1e-3, at + ": x1");
                assertFloatExact(box.get(1), d.y1(), 1e-3, at + ": y1");
                assertFloatExact(box.get(2), d.x2(), 1e-3, at + ": x2");
                assertFloatExact(box.get(3), d.y2(), 1e-3, at + ": y2");
                count++;
            }
        }
        JsonNode refCoco = ref.get("coco");
        assertEquals(refCoco.size(), ourCoco.size(), what + ": COCO entries");
        for (int k = 0; k < ourCoco.size(); k++) {
            JsonNode r = refCoco.get(k);
            CocoDetection c = ourCoco.get(k);
            String at = what + ", COCO entry " + k + " " + c;
            assertEquals(r.get("image_id").asLong(), c.imageId(), at);
            assertEquals(r.get("category_id").asLong(), c.categoryId(), at);
            assertEquals(r.get("score").asDouble(), c.score(), 0.0, at);
            for (int j = 0; j < 4; j++) {
                assertEquals(r.get("bbox").get(j).asDouble(), c.bbox()[j], 0.0, at + " bbox[" + j + "]");
            }
        }
        System.out.printf("[detect] %s: %d detections in %d images bit-identical to the reference (%.1f ms)%n",
                what, count, images.size(), ms);
        return new Agreement(ref, ours, count);
    }

    /** Exact float equality; on a mismatch, says whether it is within the tolerance. */
    private static void assertFloatExact(JsonNode refValue, float ours, double tolerance, String what) {
        double r = refValue.asDouble();
        if ((double) (float) r != r) {
            fail(what + ": reference value " + r + " is not a float32");
        }
        if (Float.floatToIntBits((float) r) != Float.floatToIntBits(ours) && !((float) r == 0f && ours == 0f)) {
            fail(what + ": ours " + ours + " vs reference " + (float) r + " (diff " + Math.abs(ours - r)
                    + (Math.abs(ours - r) <= tolerance ? ", within" : ", BEYOND") + " the tolerance " + tolerance + ")");
        }
    }

    /** output_NN.npy in order, under arbitrary names (names must not matter). */
    static Map<String, Tensor> readOutputs(Path dir) throws Exception {
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("output_\\d+\\.npy")).sorted().toList();
        }
        if (files.isEmpty()) {
            fail("no output_NN.npy files in " + dir);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        Random names = new Random(files.size());
        for (Path f : files) {
            out.put(Integer.toString(500 + names.nextInt(400)) + "_" + out.size(), Npy.read(f));
        }
        return out;
    }
}

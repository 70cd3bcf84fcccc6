package io.freeanchor.eval.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freeanchor.network.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval} end to end on a generated COCO-format data set (tools/make_coco_testset.py) with the
 * tiny fixture model, against the Python reference pipeline (tools/reference_pipeline.py: OpenCV
 * decode and resize, the PyTorch model with the fixture's weights, the reference post-processing).
 * Needs Debian's python3 with python3-torch, python3-opencv and python3-numpy; fails when missing.
 */
class EvalEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Input size of the tiny fixture model (its export fixes H and W). */
    private static final int WIDTH = 160, HEIGHT = 96;

    @TempDir
    static Path tmp;

    static Path data, config, reference;

    @BeforeAll
    static void generate() throws Exception {
        Path root = Fixtures.repoRoot();
        data = tmp.resolve("coco-mini");
        config = tmp.resolve("config.json");
        Files.writeString(config, "{\"input_size\": {\"width\": " + WIDTH + ", \"height\": " + HEIGHT + "}}");
        python(root, "tools/make_coco_testset.py", "--out", data.toString(), "--images", "14", "--seed", "3");
        reference = tmp.resolve("reference.json");
        python(root, "tools/reference_pipeline.py", "--fixture", "fixtures/tiny", "--data", data.toString(),
                "--config", config.toString(), "--batch", "3", "--out", reference.toString());
    }

    static void python(Path root, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), "failed (needs Debian python3-torch python3-opencv python3-numpy): " + cmd + "\n" + log);
    }

    private CliRunner eval(Path results, String... extra) {
        List<String> args = new ArrayList<>(List.of("eval", "--model", Fixtures.dir("tiny").resolve("model_dynamic.onnx").toString(),
                "--data", data.toString(), "--config", config.toString(), "--results", results.toString(),
                "--threads", "2", "--no-progress"));
        args.addAll(List.of(extra));
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err() + r.out());
        return r;
    }

    @Test
    void detectionsEqualTheReferencePipelineAndSoDoStatistics() throws Exception {
        Path ours = tmp.resolve("ours.json"), stats = tmp.resolve("stats.json");
        CliRunner r = eval(ours, "--batch", "4", "--stats-json", stats.toString());
        assertTrue(r.out().contains("bbox_mAP_copypaste: "), r.out());
        JsonNode ref = JSON.readTree(reference.toFile());
        JsonNode got = JSON.readTree(ours.toFile());
        JsonNode refCoco = ref.get("coco");
        assertEquals(refCoco.size(), got.size(), "number of detections");
        assertTrue(got.size() > 100, "the fixture model detects plenty: " + got.size());
        // Boxes within 1e-3 px in the network's input frame; rescaling to the original image multiplies
        // any difference by original/input (up to 8.4 here, for 1344-wide images fed at 160).
        double worstBox = 0, worstScore = 0;
        boolean[] used = new boolean[got.size()];
        for (int i = 0; i < got.size(); i++) {
            JsonNode b = refCoco.get(i);
            JsonNode a = got.get(tieMate(got, used, i, b));
            assertEquals(b.get("image_id").asLong(), a.get("image_id").asLong(), "image of detection " + i);
            assertEquals(b.get("category_id").asLong(), a.get("category_id").asLong(), "category of detection " + i);
            double scale = scaleOf(ref, b.get("image_id").asLong());
            for (int k = 0; k < 4; k++) {
                worstBox = Math.max(worstBox, Math.abs(a.get("bbox").get(k).asDouble() - b.get("bbox").get(k).asDouble()) / scale);
            }
            worstScore = Math.max(worstScore, Math.abs(a.get("score").asDouble() - b.get("score").asDouble()));
        }
        System.out.printf("eval vs reference pipeline: %d detections, worst box diff %.3g px (input frame), worst score diff %.3g%n",
                got.size(), worstBox, worstScore);
        assertTrue(worstBox <= 1e-3, "box difference " + worstBox);
        assertTrue(worstScore <= 1e-5, "score difference " + worstScore);

        // The evaluator gives the same statistics on the reference's results.
        Path refResults = tmp.resolve("reference-coco.json"), refStats = tmp.resolve("reference-stats.json");
        JSON.writeValue(refResults.toFile(), refCoco);
        Path gt = data.resolve("annotations").resolve("instances_val2017.json");
        CliRunner e = CliRunner.run("evaluate", "--gt", gt.toString(), "--results", refResults.toString(),
                "--max-dets", "100,300,1000", "--stats-json", refStats.toString());
        assertEquals(0, e.exitCode(), e.err());
        JsonNode s1 = JSON.readTree(stats.toFile()), s2 = JSON.readTree(refStats.toFile());
        for (String k : List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")) {
            assertEquals(s2.get(k).asDouble(), s1.get(k).asDouble(), 1e-12, k);
        }
    }

    /**
     * The detection of ours that stands for reference detection b at rank i: ours at rank i, unless
     * that one is another image or category and a detection of b's image and category whose score
     * ties with b's within the 1e-5 score tolerance sits at a nearby rank (detections whose scores
     * agree to float rounding may come out in either order; sigmoid scores near 1 tie often).
     */
    private static int tieMate(JsonNode got, boolean[] used, int i, JsonNode b) {
        int pick = i;
        if (!sameClass(got.get(i), b) || used[i]) {
            for (int d = 1; d <= 16; d++) {
                for (int j : new int[] {i - d, i + d}) {
                    if (pick == i && j >= 0 && j < got.size() && !used[j] && sameClass(got.get(j), b)
                            && Math.abs(got.get(j).get("score").asDouble() - b.get("score").asDouble()) <= 1e-5) {
                        pick = j;
                    }
                }
            }
        }
        used[pick] = true;
        return pick;
    }

    private static boolean sameClass(JsonNode a, JsonNode b) {
        return a.get("image_id").asLong() == b.get("image_id").asLong()
                && a.get("category_id").asLong() == b.get("category_id").asLong();
    }

    private static double scaleOf(JsonNode ref, long imageId) {
        for (JsonNode img : ref.get("images")) {
            if (img.get("image_id").asLong() == imageId) {
                double h = img.get("ori_shape").get(0).asDouble(), w = img.get("ori_shape").get(1).asDouble();
                return Math.max(1.0, Math.max(w / WIDTH, h / HEIGHT));
            }
        }
        throw new AssertionError("image " + imageId + " not in the reference");
    }

    @Test
    void killedRunResumesToByteIdenticalResults() throws Exception {
        Path whole = tmp.resolve("whole.json");
        eval(whole, "--batch", "2");
        Path resumed = tmp.resolve("resumed.json");
        Path partial = tmp.resolve("resumed.json.partial");
        // Kill a separate JVM running the same eval once a few batches are on disk.
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "eval",
                "--model", Fixtures.dir("tiny").resolve("model_dynamic.onnx").toString(), "--data", data.toString(),
                "--config", config.toString(), "--results", resumed.toString(), "--threads", "1", "--batch", "1",
                "--no-progress").redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (lines(partial) < 4 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the run ended before it could be killed: " + Files.readString(tmp.resolve("killed.log")));
        p.destroyForcibly().waitFor();
        int before = lines(partial) - 1;
        assertTrue(before >= 3 && before < 14, "images on disk when killed: " + before);
        CliRunner r = eval(resumed, "--batch", "3", "--resume");
        assertTrue(r.out().contains("resuming: " + before + " of 14 images already done"), r.out());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed), "resumed results differ");
        assertTrue(Files.notExists(partial), "checkpoint removed after success");
    }

    @Test
    void perfOnlyTimesBatchesWithoutEvaluating() {
        CliRunner r = eval(tmp.resolve("unused.json"), "--perf-only", "--perf-batches", "2", "--batch", "2");
        assertTrue(r.out().contains("perf: median "), r.out());
        assertTrue(r.out().contains("images/s"), r.out());
        assertTrue(!r.out().contains("Average Precision"), r.out());
    }

    @Test
    void aCorruptImageIsNamedOrSkipped() throws Exception {
        Path copy = tmp.resolve("coco-broken");
        Path images = copy.resolve("images").resolve("val2017");
        Files.createDirectories(images);
        Files.createDirectories(copy.resolve("annotations"));
        Files.copy(data.resolve("annotations").resolve("instances_val2017.json"),
                copy.resolve("annotations").resolve("instances_val2017.json"));
        try (var files = Files.list(data.resolve("images").resolve("val2017"))) {
            for (Path f : files.toList()) {
                Files.copy(f, images.resolve(f.getFileName()));
            }
        }
        Path victim = images.resolve("000000001001.jpg");
        byte[] bytes = Files.readAllBytes(victim);
        Files.write(victim, java.util.Arrays.copyOf(bytes, 200));
        String[] base = {"eval", "--model", Fixtures.dir("tiny").resolve("model_dynamic.onnx").toString(), "--data", copy.toString(),
                "--config", config.toString(), "--results", tmp.resolve("broken.json").toString(), "--threads", "2", "--no-progress"};
        CliRunner failed = CliRunner.run(base);
        CliTest.assertBadInput(failed, "000000001001.jpg");
        List<String> skipping = new ArrayList<>(List.of(base));
        skipping.add("--skip-bad-images");
        CliRunner skipped = CliRunner.run(skipping.toArray(String[]::new));
        assertEquals(0, skipped.exitCode(), skipped.err());
        assertTrue(skipped.out().contains("skipped 1 unreadable image(s)"), skipped.out());
        assertTrue(skipped.out().contains("000000001001.jpg"), skipped.out());
    }

    @Test
    void detectDrawsAndListsDetections() throws Exception {
        Path out = tmp.resolve("detect-out");
        Path jpg = data.resolve("images").resolve("val2017").resolve("000000001000.jpg");
        Path png = data.resolve("images").resolve("val2017").resolve("000000001003.png");
        CliRunner r = CliRunner.run("detect", "--model", Fixtures.dir("tiny").resolve("model_dynamic.onnx").toString(),
                "--config", config.toString(), "--out", out.toString(), "--score", "0.5", "--threads", "2",
                jpg.toString(), png.toString());
        assertEquals(0, r.exitCode(), r.err());
        for (Path src : List.of(jpg, png)) {
            String name = src.getFileName().toString().replaceAll("\\.[a-z]+$", ".png");
            var drawn = javax.imageio.ImageIO.read(out.resolve(name).toFile());
            var original = io.freeanchor.eval.image.ImageDecoder.decode(src);
            assertEquals(original.width(), drawn.getWidth());
            assertEquals(original.height(), drawn.getHeight());
        }
        JsonNode dets = JSON.readTree(out.resolve("detections.json").toFile());
        assertEquals(2, dets.size());
        for (JsonNode img : dets) {
            assertTrue(img.get("detections").size() > 0, "detections above 0.5 for " + img.get("file"));
            for (JsonNode d : img.get("detections")) {
                assertTrue(d.get("score").asDouble() >= 0.5);
                assertEquals(4, d.get("bbox_xyxy").size());
            }
        }
        CliTest.assertBadInput(CliRunner.run("detect", "--model", Fixtures.dir("tiny").resolve("model_dynamic.onnx").toString(),
                tmp.resolve("missing.jpg").toString()), "missing.jpg");
    }

    private static int lines(Path file) throws IOException {
        return Files.exists(file) ? (int) Files.readString(file).chars().filter(c -> c == '\n').count() : 0;
    }
}

package io.freeanchor.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freeanchor.eval.coco.CocoCases;
import io.freeanchor.eval.coco.CocoEvalResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code freeanchor evaluate} end to end on a reference case, and its one-line exit-2 errors. */
class EvaluateCommandTest {
    @TempDir
    Path tmp;

    private final Path basic = CocoCases.dir().resolve("basic");

    /**
     * Runs {@code freeanchor evaluate ...} through Main's wiring; adds the subcommand itself as long as Main does not
     * register it yet.
     */
    static CliRunner run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true), e = new PrintWriter(err, true);
        CommandLine probe = new CommandLine(new Main());
        int code;
        if (probe.getSubcommands().containsKey("evaluate")) {
            code = Main.execute(args, o, e);
        } else {
            probe.addSubcommand("evaluate", new EvaluateCommand());
            probe.setOut(o);
            probe.setErr(e);
            probe.setExecutionExceptionHandler((ex, cmd, parsed) -> Main.handle(ex, e));
            probe.setParameterExceptionHandler((ex, a) -> {
                e.println("error: " + ex.getMessage());
                return Main.EXIT_BAD_INPUT;
            });
            code = probe.execute(args);
        }
        return new CliRunner(code, out.toString(), err.toString());
    }

    @Test
    void basicCaseSummaryTableAndStatsJson() throws Exception {
        Path stats = tmp.resolve("stats.json");
        Files.writeString(stats, "old content, replaced atomically");
        CliRunner r = run("evaluate", "--gt", basic.resolve("gt.json").toString(), "--results",
                basic.resolve("dt.json").toString(), "--stats-json", stats.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        // pycocotools' exact layout for this case (its expected stats, formatted with {:0.3f}).
        assertEquals(List.of(
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.443",
                " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.933",
                " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.582",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.700",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.577",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.333",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 0.600",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.600",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.700",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.575"), lines.subList(0, 12));
        assertTrue(lines.contains("bbox_mAP_copypaste: 0.443 0.933 0.582 -1.000 0.700 0.577"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("person\\s+0\\.535")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("car\\s+0\\.350")), r.out());

        JsonNode json = new ObjectMapper().readTree(stats.toFile());
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertTrue(keys.containsAll(CocoEvalResult.STAT_NAMES), keys.toString());
        assertTrue(keys.contains("per_category"), keys.toString());
        CocoCases.Expected expected = CocoCases.Expected.read(basic);
        for (int i = 0; i < 12; i++) {
            assertEquals(expected.stats()[i], json.get(CocoEvalResult.STAT_NAMES.get(i)).doubleValue(), CocoCases.TOLERANCE,
                    CocoEvalResult.STAT_NAMES.get(i));
        }
        assertEquals(expected.perCategoryAp().get(1L), json.get("per_category").get("1").get("AP").doubleValue(), CocoCases.TOLERANCE);
        assertEquals("car", json.get("per_category").get("2").get("name").asText());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(stats), s.toList(), "no temporary file left behind");
        }
    }

    @Test
    void cocoMetricMaxDets() {
        CliRunner r = run("evaluate", "--gt", basic.resolve("gt.json").toString(), "--results",
                basic.resolve("dt.json").toString(), "--max-dets", "100,300,1000");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.443", lines.get(0));
        assertEquals(" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=1000 ] = 0.933", lines.get(1));
        assertEquals(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.600", lines.get(6));
        assertEquals(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=300 ] = 0.600", lines.get(7));
        assertEquals(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=1000 ] = 0.600", lines.get(8));
    }

    @Test
    void badGroundTruthFile() throws Exception {
        Path bad = tmp.resolve("instances.json");
        Files.writeString(bad, Files.readString(basic.resolve("gt.json")).replace("\"bbox\":[50,60,40,90]", "\"bbox\":[50,60,40]"));
        CliRunner r = run("evaluate", "--gt", bad.toString(), "--results", basic.resolve("dt.json").toString());
        assertBadInput(r, bad + ": $.annotations[2].bbox: expected an array of 4 numbers");
    }

    @Test
    void truncatedResultsFile() throws Exception {
        Path bad = tmp.resolve("results.json");
        String full = Files.readString(basic.resolve("dt.json"));
        Files.writeString(bad, full.substring(0, full.length() / 2));
        CliRunner r = run("evaluate", "--gt", basic.resolve("gt.json").toString(), "--results", bad.toString());
        assertBadInput(r, bad + ": $[");
        assertTrue(r.err().contains("invalid JSON"), r.err());
    }

    @Test
    void resultsOnAnImageOutsideTheGroundTruth() throws Exception {
        Path bad = tmp.resolve("results.json");
        Files.writeString(bad, "[{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,5,5],\"score\":0.5},"
                + "{\"image_id\":42,\"category_id\":1,\"bbox\":[0,0,5,5],\"score\":0.5}]");
        assertBadInput(run("evaluate", "--gt", basic.resolve("gt.json").toString(), "--results", bad.toString()),
                "$[1].image_id: image id 42 is not in the ground truth");
    }

    @Test
    void emptyResults() throws Exception {
        Path empty = tmp.resolve("empty.json");
        Files.writeString(empty, "[]\n");
        assertBadInput(run("evaluate", "--gt", basic.resolve("gt.json").toString(), "--results", empty.toString()),
                "the results list is empty");
    }

    @Test
    void missingFiles() {
        assertBadInput(run("evaluate", "--gt", tmp.resolve("nope.json").toString(), "--results", basic.resolve("dt.json").toString()),
                "nope.json: no such file");
        assertBadInput(run("evaluate", "--gt", basic.resolve("gt.json").toString(), "--results", tmp.resolve("none.json").toString()),
                "none.json: no such file");
    }

    @Test
    void resultsAndGroundTruthSwapped() {
        assertBadInput(run("evaluate", "--gt", basic.resolve("dt.json").toString(), "--results", basic.resolve("gt.json").toString()),
                "--results");
    }

    @Test
    void badMaxDets() {
        for (String m : new String[] {"1,10", "1,x,100", "0,10,100", "1,10,100,1000"}) {
            assertBadInput(run("evaluate", "--gt", basic.resolve("gt.json").toString(), "--results",
                    basic.resolve("dt.json").toString(), "--max-dets", m), "--max-dets '" + m + "'");
        }
    }

    @Test
    void statsJsonInAMissingDirectory() {
        Path s = tmp.resolve("no/such/dir/s.json");
        CliRunner r = run("evaluate", "--gt", basic.resolve("gt.json").toString(), "--results",
                basic.resolve("dt.json").toString(), "--stats-json", s.toString());
        assertBadInput(r, "--stats-json");
        assertFalse(r.out().contains("Average Precision"), "fails before evaluating: " + r.out());
    }

    static void assertBadInput(CliRunner r, String mentioned) {
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), "exit code; stderr: " + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(mentioned), "error should mention '" + mentioned + "': " + r.err());
        assertTrue(r.oneErrorLine(), "one line, no stack trace: " + r.err());
    }
}

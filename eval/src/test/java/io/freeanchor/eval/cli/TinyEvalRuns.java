package io.freeanchor.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.freeanchor.network.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code eval} runs of the tiny fixture model on the generated COCO-format test set (14 images,
 * tools/make_coco_testset.py, 160x96 input), for comparing backends and precisions.
 */
final class TinyEvalRuns {
    static final List<String> STATS = List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100",
            "ARs", "ARm", "ARl");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path tmp, data, config;

    private TinyEvalRuns(Path tmp, Path data, Path config) {
        this.tmp = tmp;
        this.data = data;
        this.config = config;
    }

    /** Generates the data set and the config under tmp. */
    static TinyEvalRuns generate(Path tmp) throws Exception {
        Path data = tmp.resolve("coco-mini"), config = tmp.resolve("config.json");
        Files.writeString(config, "{\"input_size\": {\"width\": 160, \"height\": 96}}");
        EvalEndToEndTest.python(Fixtures.repoRoot(), "tools/make_coco_testset.py", "--out", data.toString(), "--images", "14",
                "--seed", "3");
        return new TinyEvalRuns(tmp, data, config);
    }

    /** Runs eval with the extra options; returns {"stats": stats JSON, "results": results JSON}. */
    JsonNode eval(String name, String... extra) throws Exception {
        Path results = tmp.resolve(name + ".json"), stats = tmp.resolve(name + "-stats.json");
        List<String> args = new ArrayList<>(List.of("eval", "--model", Fixtures.dir("tiny").resolve("model_dynamic.onnx").toString(),
                "--data", data.toString(), "--config", config.toString(), "--results", results.toString(),
                "--stats-json", stats.toString(), "--threads", "2", "--no-progress", "--batch", "4"));
        args.addAll(List.of(extra));
        return run(args, results, stats);
    }

    /** Runs the CLI with args, which write results and stats; returns both as in {@link #eval}. */
    static JsonNode run(List<String> args, Path results, Path stats) throws Exception {
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err() + r.out());
        ObjectNode both = JSON.createObjectNode();
        both.set("stats", JSON.readTree(stats.toFile()));
        both.set("results", JSON.readTree(results.toFile()));
        return both;
    }
}

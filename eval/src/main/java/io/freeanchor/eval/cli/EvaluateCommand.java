package io.freeanchor.eval.cli;

import io.freeanchor.eval.coco.CocoDetections;
import io.freeanchor.eval.coco.CocoEvalParams;
import io.freeanchor.eval.coco.CocoEvalResult;
import io.freeanchor.eval.coco.CocoEvaluator;
import io.freeanchor.eval.coco.CocoGroundTruth;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code freeanchor evaluate}: COCO bbox evaluation of a results file, as pycocotools' COCOeval computes it. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"COCO bbox evaluation of a results file against ground truth, reproducing pycocotools' COCOeval"
                + " (evaluate, accumulate, summarize): prints the 12-line summary, MMDetection's bbox_mAP_copypaste line"
                + " and per-category AP@[.5:.95]."})
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--gt", required = true, paramLabel = "G.json", description = "COCO ground truth (instances_*.json).")
    Path gt;

    @Option(names = "--results", required = true, paramLabel = "R.json",
            description = "Detections: a JSON list of {image_id, category_id, bbox: [x, y, w, h], score}.")
    Path results;

    @Option(names = "--stats-json", paramLabel = "S.json",
            description = "Also write the 12 stats and per-category AP as JSON (written atomically).")
    Path statsJson;

    @Option(names = "--max-dets", paramLabel = "A,B,C", defaultValue = "1,10,100",
            description = "maxDets, three positive integers (default: ${DEFAULT-VALUE}, pycocotools'; MMDetection's CocoMetric uses 100,300,1000).")
    String maxDets;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int[] md = parseMaxDets(maxDets);
        if (statsJson != null) {
            Path dir = statsJson.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new UserInputException("--stats-json " + statsJson + ": directory " + dir + " does not exist");
            }
        }
        // A bad JSON file raises CocoFormatException, which Main reports as one line with exit code 2.
        CocoGroundTruth g = CocoGroundTruth.load(gt);
        CocoDetections d = CocoDetections.load(results, g);
        CocoEvalResult r = CocoEvaluator.evaluate(g, d, CocoEvalParams.defaults(g).withMaxDets(md));
        out.print(r.summary());
        out.println();
        out.println(r.copypaste());
        out.println();
        int[] sorted = r.params().maxDets();
        out.println("per-category AP @[ IoU=0.50:0.95 | area=all | maxDets=" + sorted[sorted.length - 1] + " ]");
        out.print(r.perCategoryTable());
        if (statsJson != null) {
            try {
                r.writeJson(statsJson);
            } catch (NoSuchFileException | AccessDeniedException e) {
                throw new UserInputException("--stats-json " + statsJson + ": cannot write (" + e.getClass().getSimpleName()
                        + " " + e.getMessage() + ")");
            } catch (IOException e) {
                throw new UserInputException("--stats-json " + statsJson + ": cannot write: " + e.getMessage());
            }
            out.println();
            out.println("stats written to " + statsJson);
        }
        out.flush();
        return 0;
    }

    static int[] parseMaxDets(String text) {
        String[] parts = text.split(",", -1);
        String usage = "--max-dets '" + text + "' must be three positive integers like 1,10,100";
        if (parts.length != 3) {
            throw new UserInputException(usage);
        }
        int[] m = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                m[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UserInputException(usage);
            }
            if (m[i] < 1) {
                throw new UserInputException(usage);
            }
        }
        return m;
    }
}

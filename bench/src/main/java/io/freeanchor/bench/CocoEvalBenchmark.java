package io.freeanchor.bench;

import io.freeanchor.eval.coco.CocoDetections;
import io.freeanchor.eval.coco.CocoEvalParams;
import io.freeanchor.eval.coco.CocoEvalResult;
import io.freeanchor.eval.coco.CocoEvaluator;
import io.freeanchor.eval.coco.CocoGroundTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The COCO evaluator on a val2017-sized problem: 5,000 images, 80 categories, ~36k ground truths and
 * 100k detections, loaded from JSON files and evaluated with CocoMetric's settings. pycocotools takes
 * on the order of a minute for this in Python; we want seconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class CocoEvalBenchmark {
    private Path gtFile;
    private Path dtFile;
    private CocoGroundTruth gt;
    private CocoDetections dt;

    @Setup
    public void setup() throws IOException {
        Path dir = Files.createTempDirectory("coco-bench");
        gtFile = dir.resolve("instances.json");
        dtFile = dir.resolve("results.json");
        SyntheticCoco.write(gtFile, dtFile, 5000, 20, new SplittableRandom(1));
        gt = CocoGroundTruth.load(gtFile);
        dt = CocoDetections.load(dtFile, gt);
    }

    @Benchmark
    public CocoGroundTruth loadGroundTruth() {
        return CocoGroundTruth.load(gtFile);
    }

    @Benchmark
    public CocoDetections loadResults() {
        return CocoDetections.load(dtFile, gt);
    }

    @Benchmark
    public CocoEvalResult evaluateCocoMetric() {
        return CocoEvaluator.evaluate(gt, dt, CocoEvalParams.cocoMetric(gt));
    }

    /** What {@code freeanchor evaluate} does after JVM start: both loads and the evaluation. */
    @Benchmark
    public CocoEvalResult loadAndEvaluate() {
        CocoGroundTruth g = CocoGroundTruth.load(gtFile);
        return CocoEvaluator.evaluate(g, CocoDetections.load(dtFile, g), CocoEvalParams.cocoMetric(g));
    }
}

package io.freeanchor.eval.cli;

import io.freeanchor.eval.coco.CocoDetections;
import io.freeanchor.eval.coco.CocoEvalParams;
import io.freeanchor.eval.coco.CocoEvalResult;
import io.freeanchor.eval.coco.CocoEvaluator;
import io.freeanchor.eval.coco.CocoGroundTruth;
import io.freeanchor.eval.detect.DetectorConfig;
import io.freeanchor.eval.io.AtomicFiles;
import io.freeanchor.eval.pipeline.Checkpoint;
import io.freeanchor.eval.pipeline.EvalPipeline;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code freeanchor eval}: the detector over a COCO-format data set, then COCO bbox evaluation. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Run the detector over a COCO-format data set (MMDetection's pre- and post-processing) and evaluate"
                + " the detections as MMDetection's CocoMetric does (pycocotools COCOeval, maxDets 100/300/1000)."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M.onnx", description = "ONNX detector (RetinaNet family).")
    Path model;

    @Option(names = "--demo", description = "Evaluate the demo model shipped in demo/ on its val split (no --model or --data needed).")
    boolean demo;

    @Option(names = "--data", paramLabel = "COCO_ROOT",
            description = "Data set root holding annotations/instances_val2017.json and images/val2017/.")
    Path data;

    @Option(names = "--ann", paramLabel = "ANN.json", description = "Annotation file (overrides --data's).")
    Path ann;

    @Option(names = "--images", paramLabel = "DIR", description = "Image directory (overrides --data's).")
    Path images;

    @Option(names = "--config", paramLabel = "CFG.json",
            description = "Detector settings (input size, thresholds, classes); default: the model's metadata, else MMDetection's FreeAnchor config.")
    Path config;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    BackendOptions backendOptions;

    @Option(names = "--decode-threads", paramLabel = "N", defaultValue = "2",
            description = "Threads decoding and resizing images ahead of the network (default: ${DEFAULT-VALUE}).")
    int decodeThreads;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N images of the annotation file.")
    Integer limit;

    @Option(names = "--results", paramLabel = "OUT.json", defaultValue = "results.bbox.json",
            description = "Where the COCO results JSON goes, written atomically (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--stats-json", paramLabel = "S.json", description = "Also write the COCO statistics as JSON.")
    Path statsJson;


    @Option(names = "--perf-only", description = "No evaluation: warm up, then time --perf-batches batches and report images/s.")
    boolean perfOnly;

    @Option(names = "--perf-batches", paramLabel = "N", defaultValue = "5", description = "Timed batches for --perf-only (default: ${DEFAULT-VALUE}).")
    int perfBatches;

    @Option(names = "--resume", description = "Continue a killed run from its checkpoint (OUT.json.partial).")
    boolean resume;

    @Option(names = "--skip-bad-images", description = "Count and list unreadable images instead of stopping.")
    boolean skipBadImages;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when attached to a terminal).")
    Boolean progress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (demo) {
            useDemo();
        }
        checkOptions();
        Path annFile = ann != null ? ann : data.resolve("annotations").resolve("instances_val2017.json");
        Path imageDir = images != null ? images : data.resolve("images").resolve("val2017");
        if (!Files.isRegularFile(annFile)) {
            throw new UserInputException("annotation file " + annFile + " does not exist");
        }
        if (!Files.isDirectory(imageDir)) {
            throw new UserInputException("image directory " + imageDir + " does not exist");
        }
        CocoGroundTruth gt = CocoGroundTruth.load(annFile);
        OnnxModel m = OnnxLoader.load(model);
        DetectorConfig cfg = DetectorConfig.resolve(m.metadata(), config);
        List<EvalPipeline.InputImage> all = new ArrayList<>();
        for (CocoGroundTruth.Image img : gt.images()) {
            if (limit != null && all.size() >= limit) {
                break;
            }
            all.add(new EvalPipeline.InputImage(all.size(), img.id(), imageDir.resolve(img.fileName())));
        }
        try (Backend backend = backendOptions.open();
             EvalPipeline pipeline = new EvalPipeline(m, cfg, backend, batch, decodeThreads, skipBadImages)) {
            if (perfOnly) {
                return perf(out, pipeline, all);
            }
            return evaluate(out, gt, cfg, pipeline, all, annFile);
        }
    }

    private void useDemo() {
        if (model != null || data != null || ann != null || images != null) {
            throw new UserInputException("--demo brings its own model and data; leave out --model, --data, --ann and --images");
        }
        DemoFiles files = DemoFiles.locate();
        model = files.model();
        data = files.data();
    }

    private void checkOptions() {
        if (model == null) {
            throw new UserInputException("give --model M.onnx (or --demo for the shipped demo model and data)");
        }
        if (data == null && (ann == null || images == null)) {
            throw new UserInputException("give --data COCO_ROOT, or both --ann and --images");
        }
        if (batch < 1) {
            throw new UserInputException("--batch must be >= 1, got " + batch);
        }
        if (limit != null && limit < 1) {
            throw new UserInputException("--limit must be >= 1, got " + limit);
        }
        if (decodeThreads < 1 || perfBatches < 1) {
            throw new UserInputException("--decode-threads and --perf-batches must be >= 1");
        }
    }

    private int perf(PrintWriter out, EvalPipeline pipeline, List<EvalPipeline.InputImage> all) {
        if (all.isEmpty()) {
            throw new UserInputException("the annotation file lists no images to time");
        }
        Tensor input = pipeline.syntheticBatch(batch, all.getFirst());
        out.printf("perf: batch %d, input %s, warm-up...%n", batch, input);
        out.flush();
        pipeline.timeBatches(input, 1, s -> {});
        double[] seconds = new double[perfBatches];
        int[] done = {0};
        pipeline.timeBatches(input, perfBatches, s -> {
            seconds[done[0]++] = s;
            out.printf("  batch %d: %.3f s (%.2f images/s)%n", done[0], s, batch / s);
            out.flush();
        });
        Arrays.sort(seconds);
        double median = seconds.length % 2 == 1 ? seconds[seconds.length / 2]
                : (seconds[seconds.length / 2 - 1] + seconds[seconds.length / 2]) / 2;
        out.printf("perf: median %.3f s per batch of %d = %.2f images/s (network and head candidates, no decoding;"
                + " %d timed batches back to back, as eval runs them)%n",
                median, batch, batch / median, perfBatches);
        return 0;
    }

    private int evaluate(PrintWriter out, CocoGroundTruth gt, DetectorConfig cfg, EvalPipeline pipeline,
                         List<EvalPipeline.InputImage> all, Path annFile) throws Exception {
        Path partial = results.resolveSibling(results.getFileName() + ".partial");
        String fingerprint = fingerprint(annFile, cfg, all.size());
        List<Checkpoint.ImageResult> finished = new ArrayList<>();
        List<String> skipped;
        try (Checkpoint checkpoint = Checkpoint.open(partial, fingerprint, resume)) {
            finished.addAll(checkpoint.done());
            Set<Integer> doneIndices = new HashSet<>();
            finished.forEach(r -> doneIndices.add(r.index()));
            List<EvalPipeline.InputImage> todo = all.stream().filter(i -> !doneIndices.contains(i.index())).toList();
            if (resume && !finished.isEmpty()) {
                out.printf("resuming: %d of %d images already done (%s)%n", finished.size(), all.size(), partial);
            }
            long start = System.nanoTime();
            EvalPipeline.Outcome outcome;
            try (ProgressBar bar = progressBar(all.size(), finished.size())) {
                outcome = pipeline.run(todo, batchResults -> {
                    checkpoint.append(batchResults);
                    finished.addAll(batchResults);
                    if (bar != null) {
                        bar.stepBy(batchResults.size());
                    }
                });
            }
            double wall = (System.nanoTime() - start) / 1e9;
            skipped = outcome.skipped();
            out.printf("ran %d images in %.1f s (%.2f images/s end to end; network %.1f s)%n",
                    todo.size(), wall, todo.size() / Math.max(wall, 1e-9), outcome.inferenceSeconds());
            finished.sort(Comparator.comparingInt(Checkpoint.ImageResult::index));
            CocoDetections dets = toCoco(gt, cfg, finished);
            AtomicFiles.write(results, dets::writeJson);
            checkpoint.delete();
            out.printf("results: %d detections written to %s%n", dets.size(), results);
            if (!skipped.isEmpty()) {
                out.printf("skipped %d unreadable image(s):%n", skipped.size());
                skipped.forEach(s -> out.println("  " + s));
            }
            if (dets.size() == 0) {
                out.println("no detections: nothing to evaluate (CocoMetric reports nothing for an empty result list)");
                return 0;
            }
            long[] imgIds = all.stream().mapToLong(EvalPipeline.InputImage::imageId).toArray();
            long[] catIds = LongStream.range(0, cfg.numClasses()).map(l -> cfg.categoryId((int) l)).toArray();
            CocoEvalResult r = CocoEvaluator.evaluate(gt, dets, CocoEvalParams.cocoMetric(gt).withImgIds(imgIds).withCatIds(catIds));
            out.print(r.summary());
            out.println(r.copypaste());
            out.println();
            out.println("per-category AP @[ IoU=0.50:0.95 | area=all | maxDets=100 ]");
            out.print(r.perCategoryTable());
            if (statsJson != null) {
                r.writeJson(statsJson);
                out.println("stats written to " + statsJson);
            }
        }
        return 0;
    }

    private static CocoDetections toCoco(CocoGroundTruth gt, DetectorConfig cfg, List<Checkpoint.ImageResult> finished) {
        CocoDetections.Builder b = CocoDetections.builder(gt);
        for (Checkpoint.ImageResult r : finished) {
            float[] box = r.boxes();
            for (int k = 0; k < r.count(); k++) {
                b.addXyxy(r.imageId(), cfg.categoryId(r.labels()[k]), box[4 * k], box[4 * k + 1], box[4 * k + 2],
                        box[4 * k + 3], r.scores()[k]);
            }
        }
        return b.build();
    }

    /** What must not change between a killed run and its resumption. */
    private String fingerprint(Path annFile, DetectorConfig cfg, int images) throws java.io.IOException {
        return String.format("model=%s:%d ann=%s:%d images=%d device=%s config=%08x",
                model.toAbsolutePath().normalize(), Files.size(model), annFile.toAbsolutePath().normalize(),
                Files.size(annFile), images, backendOptions.device, cfg.toJson().hashCode())
                + (backendOptions.precision.equals("fp32") ? "" : " precision=" + backendOptions.precision);
    }

    private ProgressBar progressBar(int total, int done) {
        boolean show = progress != null ? progress : System.console() != null;
        if (!show) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("eval").setInitialMax(total).startsFrom(done, java.time.Duration.ZERO)
                .setUnit(" img", 1).showSpeed().setStyle(ProgressBarStyle.ASCII).build();
    }
}

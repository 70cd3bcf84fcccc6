package io.freeanchor.eval.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.freeanchor.eval.detect.DetectorConfig;
import io.freeanchor.eval.image.BgrImage;
import io.freeanchor.eval.image.ImageDecoder;
import io.freeanchor.eval.io.AtomicFiles;
import io.freeanchor.eval.pipeline.BoxPainter;
import io.freeanchor.eval.pipeline.Checkpoint;
import io.freeanchor.eval.pipeline.EvalPipeline;
import io.freeanchor.kernels.Backend;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code freeanchor detect}: detections drawn onto the images, and written as JSON. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Detect objects in images: writes DIR/<image>.png with boxes, class names and scores, and DIR/detections.json.")
final class DetectCommand implements Callable<Integer> {
    /** Images {@code detect --demo} draws when given none. */
    static final int DEMO_IMAGES = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M.onnx", description = "ONNX detector (RetinaNet family).")
    Path model;

    @Option(names = "--demo", description = "Use the demo model shipped in demo/; without IMAGE, its first "
            + DEMO_IMAGES + " val images.")
    boolean demo;

    @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "JPEG or PNG files.")
    List<Path> imageFiles = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "detections", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--score", paramLabel = "S", defaultValue = "0.3",
            description = "Draw and list detections scoring at least this (default: ${DEFAULT-VALUE}).")
    float score;

    @Option(names = "--config", paramLabel = "CFG.json", description = "Detector settings; default: the model's metadata, else MMDetection's FreeAnchor config.")
    Path config;

    @Mixin
    BackendOptions backendOptions;


    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (!(score >= 0 && score <= 1)) {
            throw new UserInputException("--score must be in [0, 1], got " + score);
        }
        if (demo) {
            useDemo();
        }
        if (model == null) {
            throw new UserInputException("give --model M.onnx (or --demo for the shipped demo model)");
        }
        if (imageFiles.isEmpty()) {
            throw new UserInputException("give at least one IMAGE file");
        }
        List<EvalPipeline.InputImage> inputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path f : imageFiles) {
            if (!Files.isRegularFile(f)) {
                throw new UserInputException(f + ": no such image file");
            }
            if (!names.add(pngName(f))) {
                throw new UserInputException(f + ": another image has the same base name, and the outputs would collide");
            }
            inputs.add(new EvalPipeline.InputImage(inputs.size(), inputs.size(), f));
        }
        OnnxModel m = OnnxLoader.load(model);
        DetectorConfig cfg = DetectorConfig.resolve(m.metadata(), config);
        Files.createDirectories(out);
        List<Checkpoint.ImageResult> results = new ArrayList<>();
        try (Backend backend = backendOptions.open();
             EvalPipeline pipeline = new EvalPipeline(m, cfg, backend, 1, 1, false)) {
            pipeline.run(inputs, results::addAll);
        }
        BoxPainter painter = new BoxPainter(cfg.classNames());
        for (Checkpoint.ImageResult r : results) {
            Path file = inputs.get(r.index()).file();
            BgrImage img = ImageDecoder.decode(file);
            Path png = out.resolve(pngName(file));
            painter.write(img, r, score, png);
            w.printf("%s: %d detections >= %.2f -> %s%n", file, countAbove(r, score), score, png);
        }
        Path json = out.resolve("detections.json");
        AtomicFiles.write(json, o -> writeJson(o, inputs, results, cfg));
        w.println("detections written to " + json);
        return 0;
    }

    private void useDemo() throws java.io.IOException {
        if (model != null) {
            throw new UserInputException("--demo brings its own model; leave out --model");
        }
        DemoFiles files = DemoFiles.locate();
        model = files.model();
        if (imageFiles.isEmpty()) {
            try (var listing = Files.list(files.images())) {
                imageFiles = new ArrayList<>(listing.filter(p -> p.getFileName().toString().endsWith(".jpg"))
                        .sorted().limit(DEMO_IMAGES).toList());
            }
        }
    }

    private static String pngName(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + ".png";
    }

    private static int countAbove(Checkpoint.ImageResult r, float min) {
        int c = 0;
        for (float s : r.scores()) {
            c += s >= min ? 1 : 0;
        }
        return c;
    }

    private void writeJson(java.io.OutputStream o, List<EvalPipeline.InputImage> inputs, List<Checkpoint.ImageResult> results,
                           DetectorConfig cfg) throws java.io.IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(o, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (Checkpoint.ImageResult r : results) {
                g.writeStartObject();
                g.writeStringField("file", inputs.get(r.index()).file().toString());
                g.writeArrayFieldStart("detections");
                for (int k = 0; k < r.count(); k++) {
                    if (r.scores()[k] < score) {
                        continue;
                    }
                    g.writeStartObject();
                    g.writeArrayFieldStart("bbox_xyxy");
                    for (int j = 0; j < 4; j++) {
                        g.writeNumber(r.boxes()[4 * k + j]);
                    }
                    g.writeEndArray();
                    g.writeNumberField("score", r.scores()[k]);
                    g.writeNumberField("label", r.labels()[k]);
                    g.writeStringField("class", cfg.classNames().get(r.labels()[k]));
                    g.writeNumberField("category_id", cfg.categoryId(r.labels()[k]));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }
}

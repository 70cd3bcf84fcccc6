package io.freeanchor.eval.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo model and data set that ship in the repository under {@code demo/}: {@code model.onnx} (its
 * detector config, input size and class names in its metadata) and a COCO-format val split in
 * {@code data/}. The repository root is the system property {@code freeanchor.home} (the launcher
 * sets it), else the first of the working directory and its parents that holds {@code demo/model.onnx}.
 */
record DemoFiles(Path root) {
    static final String HOME_PROPERTY = "freeanchor.home";

    Path model() {
        return root.resolve("model.onnx");
    }

    Path data() {
        return root.resolve("data");
    }

    Path annotations() {
        return data().resolve("annotations").resolve("instances_val2017.json");
    }

    Path images() {
        return data().resolve("images").resolve("val2017");
    }

    /** The demo files, or a one-line user error naming where they were looked for. */
    static DemoFiles locate() {
        String home = System.getProperty(HOME_PROPERTY);
        Path dir;
        if (home != null && !home.isBlank()) {
            dir = Path.of(home).toAbsolutePath().resolve("demo");
        } else {
            dir = Path.of("").toAbsolutePath().resolve("demo");
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("demo").resolve("model.onnx"))) {
                    dir = p.resolve("demo");
                    break;
                }
            }
        }
        DemoFiles demo = new DemoFiles(dir);
        for (Path required : new Path[] {demo.model(), demo.annotations()}) {
            if (!Files.isRegularFile(required)) {
                throw new UserInputException("--demo: " + required + " is missing (the demo model and data ship in the"
                        + " repository's demo/ folder; run ./freeanchor from a complete checkout, or give --model and --data)");
            }
        }
        if (!Files.isDirectory(demo.images())) {
            throw new UserInputException("--demo: " + demo.images() + " is missing (the demo model and data ship in the"
                    + " repository's demo/ folder; run ./freeanchor from a complete checkout, or give --model and --data)");
        }
        return demo;
    }
}

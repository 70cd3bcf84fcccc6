package io.freeanchor.eval.cli;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.Network;
import io.freeanchor.network.PlanOptions;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code freeanchor run}: one forward pass on .npy inputs, every output written as .npy. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the model once on .npy inputs and write every graph output as DIR/<output name>.npy.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "ONNX model file.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "NAME=X.npy",
            description = "Graph input and the .npy file holding it (float32, float16 or int64, C order); repeat per input.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = ".", description = "Where outputs go (default: ${DEFAULT-VALUE}).")
    Path outputDir;

    @Mixin
    BackendOptions backendOptions;


    @Override
    public Integer call() {
        OnnxModel m = OnnxLoader.load(model);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        ShapeArgs.pairs(inputs, "--input").forEach((name, file) -> {
            Tensor t = Npy.read(Path.of(file));
            feeds.put(name, t);
            shapes.put(name, t.shape());
        });
        List<String> declaredNames = m.graph().inputs().stream().map(v -> v.name()).toList();
        for (String given : feeds.keySet()) {
            if (!declaredNames.contains(given)) {
                throw new UserInputException("--input " + given + ": the model has no input of that name (inputs: " + declaredNames + ")");
            }
        }
        for (var declared : m.graph().inputs()) {
            if (!feeds.containsKey(declared.name())) {
                throw new UserInputException("missing --input " + declared.name() + "=FILE.npy for graph input " + declared);
            }
        }
        try (Backend backend = backendOptions.open()) {
            Network net = Network.compile(m, shapes, backend, PlanOptions.defaults());
            Map<String, Tensor> outputs = net.run(feeds);
            for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                Path file = outputDir.resolve(fileNameFor(e.getKey()) + ".npy");
                Npy.write(file, e.getValue());
                spec.commandLine().getOut().println(e.getKey() + " " + e.getValue() + " -> " + file);
            }
        }
        return 0;
    }

    /** Output names are arbitrary strings; keep them readable but safe as file names. */
    static String fileNameFor(String outputName) {
        String s = outputName.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}

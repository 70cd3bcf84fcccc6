package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole FreeAnchor-topology graphs (small widths, made by tools/make_fixtures.py) against PyTorch's
 * own outputs and against ONNX Runtime. Graph outputs are matched by position: cls P3..P7, then box
 * deltas P3..P7, as the real export orders them. Tolerance: max|ours - ref| / max|ref| <= 1e-4.
 */
class FixtureModelsTest {
    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> fixtures() {
        Stream<Arguments> variants = Stream.of("micro", "odd", "tiny").flatMap(f -> Stream.of("dynamic", "static", "bn")
                .map(v -> Arguments.of(f, v)));
        // The ends of the opset range we support (PyTorch emits Unsqueeze axes as an attribute at 11).
        return Stream.concat(variants, Stream.of(Arguments.of("micro", "dynamic_opset11"), Arguments.of("micro", "dynamic_opset17")));
    }

    @ParameterizedTest(name = "{0}/{1} on java vs PyTorch and ONNX Runtime")
    @MethodSource("fixtures")
    void matchesPyTorchAndOrt(String fixture, String variant) throws Exception {
        Path dir = Fixtures.dir(fixture);
        Path modelFile = dir.resolve("model_" + variant + ".onnx");
        Tensor input = Npy.read(dir.resolve("input.npy"));
        OnnxModel model = OnnxLoader.load(modelFile);
        Map<String, Tensor> ours;
        try (Backend backend = new JavaBackend(2)) {
            ours = Network.compile(model, Map.of("input", input.shape()), backend, PlanOptions.defaults())
                    .run(Map.of("input", input));
        }
        List<String> names = List.copyOf(ours.keySet());
        assertEquals(10, names.size(), "FreeAnchor exports have 10 outputs");
        Map<String, Tensor> ort = OrtReference.run(modelFile, Map.of("input", input), 2);
        for (int i = 0; i < names.size(); i++) {
            Tensor torch = Npy.read(dir.resolve(String.format("output_%02d.npy", i)));
            Tolerance.assertClose(ours.get(names.get(i)), torch, TOLERANCE, fixture + "/" + variant + " output " + i + " vs PyTorch");
            Tolerance.assertClose(ours.get(names.get(i)), ort.get(names.get(i)), TOLERANCE, fixture + "/" + variant + " output " + i + " vs ORT");
        }
    }

    /** The rewrites (BN folding, Conv fusions) and the memory plan leave the results unchanged. */
    @ParameterizedTest(name = "{0}: optimized java == unoptimized reference")
    @MethodSource("smallBn")
    void optimizationsPreserveResults(String fixture) {
        Path dir = Fixtures.dir(fixture);
        Tensor input = Npy.read(dir.resolve("input.npy"));
        OnnxModel model = OnnxLoader.load(dir.resolve("model_bn.onnx"));
        Map<String, Tensor> optimized, plain;
        try (Backend fast = new JavaBackend(2); Backend ref = new ReferenceBackend()) {
            Network a = Network.compile(model, Map.of("input", input.shape()), fast, PlanOptions.defaults());
            Network b = Network.compile(model, Map.of("input", input.shape()), ref, PlanOptions.none());
            assertEquals(0, a.plan().histogramAfter().getOrDefault("BatchNormalization", 0), "BN folded");
            assertEquals(53, b.plan().histogramAfter().get("BatchNormalization"), "BN kept without folding");
            optimized = a.run(Map.of("input", input));
            // Run twice: reused buffers must not leak state between runs.
            optimized = a.run(Map.of("input", input));
            plain = b.run(Map.of("input", input));
        }
        for (String name : plain.keySet()) {
            Tolerance.assertClose(optimized.get(name), plain.get(name), TOLERANCE, fixture + " output " + name);
        }
    }

    static Stream<String> smallBn() {
        return Stream.of("micro");
    }
}

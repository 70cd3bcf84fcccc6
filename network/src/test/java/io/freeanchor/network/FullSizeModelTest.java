package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The full-width FreeAnchor graph at 2x3x800x1344 against PyTorch, within 1e-4 per output. Runs only
 * under {@code -Pfull}; generates fixtures-full/ with tools/make_fixtures.py when it is missing.
 */
@Tag("full")
class FullSizeModelTest {
    @Test
    void fullSizeMatchesPyTorch() throws Exception {
        Path dir = Fixtures.repoRoot().resolve("fixtures-full");
        if (!Files.exists(dir.resolve("output_09.npy"))) {
            generate(dir);
        }
        Tensor input = Npy.read(dir.resolve("input.npy"));
        assertEquals(List.of(2, 3, 800, 1344), java.util.Arrays.stream(input.shape()).boxed().toList());
        OnnxModel model = OnnxLoader.load(dir.resolve("model_dynamic.onnx"));
        Map<String, Tensor> ours;
        try (Backend backend = new JavaBackend(Runtime.getRuntime().availableProcessors())) {
            ours = Network.compile(model, Map.of("input", input.shape()), backend, PlanOptions.defaults())
                    .run(Map.of("input", input));
        }
        List<String> names = List.copyOf(ours.keySet());
        for (int i = 0; i < names.size(); i++) {
            Tensor ref = Npy.read(dir.resolve(String.format("output_%02d.npy", i)));
            Tolerance.assertClose(ours.get(names.get(i)), ref, 1e-4, "full-size output " + i);
        }
    }

    static void generate(Path dir) throws Exception {
        Path root = Fixtures.repoRoot();
        Process p = new ProcessBuilder("/usr/bin/python3", "tools/make_fixtures.py", "--preset", "full",
                "--out", dir.toString()).directory(root.toFile()).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.MINUTES), "fixture generation timed out");
        assertEquals(0, p.exitValue(), "tools/make_fixtures.py --preset full failed (needs Debian python3-torch, python3-onnx)");
    }
}

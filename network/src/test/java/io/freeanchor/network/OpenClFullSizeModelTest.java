package io.freeanchor.network;

import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.opencl.ClDevice;
import io.freeanchor.kernels.opencl.OpenClBackend;
import io.freeanchor.kernels.opencl.OpenClBackend.Precision;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The full-width FreeAnchor graph at 2x3x800x1344 on OpenCL device 0 against PyTorch: FP32 within
 * 1e-4, FP16 storage within 1e-2 per output. Only under {@code -Pfull} (slow on a CPU device).
 */
@Tag("full")
class OpenClFullSizeModelTest {
    @Test
    void fullSizeOnOpenClMatchesPyTorch() throws Exception {
        ClDevice device = OpenClTesting.device();
        Path dir = Fixtures.repoRoot().resolve("fixtures-full");
        if (!Files.exists(dir.resolve("output_09.npy"))) {
            FullSizeModelTest.generate(dir);
        }
        Tensor input = Npy.read(dir.resolve("input.npy"));
        OnnxModel model = OnnxLoader.load(dir.resolve("model_dynamic.onnx"));
        Plan plan = Planner.plan(model, Map.of("input", input.shape()), PlanOptions.defaults());
        for (Precision precision : Precision.values()) {
            double tolerance = precision == Precision.FP32 ? 1e-4 : 1e-2;
            try (OpenClBackend backend = new OpenClBackend(device, precision, null)) {
                Map<String, Tensor> ours = Network.bind(plan, backend).run(Map.of("input", input));
                List<String> names = List.copyOf(ours.keySet());
                for (int i = 0; i < names.size(); i++) {
                    Tensor ref = Npy.read(dir.resolve(String.format("output_%02d.npy", i)));
                    Tolerance.assertClose(ours.get(names.get(i)), ref, tolerance, "full-size " + precision + " output " + i);
                }
            }
        }
    }
}

package io.freeanchor.network;

import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.opencl.ClDevice;
import io.freeanchor.kernels.opencl.OpenClBackend;
import io.freeanchor.kernels.opencl.OpenClBackend.Precision;
import io.freeanchor.kernels.opencl.TileConfig;
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
 * 1e-4 with the implicit GEMM everywhere and again with Winograd F(2x2,3x3) on every eligible layer,
 * FP16 storage within 1e-2, per output. Tiles are fixed to the device's default (tuning a full-size
 * model takes far longer than running it on a CPU device; {@code OpenClBackendTest} and
 * {@code OpenClWinogradTest} cover every tile configuration on small shapes). Only under {@code -Pfull}:
 * 929 s for the three passes on PoCL with 2 cores (measured).
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
        check(plan, input, device, Precision.FP32, "off", dir);
        check(plan, input, device, Precision.FP32, "on", dir);
        check(plan, input, device, Precision.FP16, "off", dir);
    }

    private static void check(Plan plan, Tensor input, ClDevice device, Precision precision, String winograd, Path dir)
            throws Exception {
        double tolerance = precision == Precision.FP32 ? 1e-4 : 1e-2;
        String was = System.setProperty("freeanchor.opencl.winograd", winograd); // read when the backend is made
        try (OpenClBackend backend = new OpenClBackend(device, precision, TileConfig.defaultFor(device, false))) {
            Map<String, Tensor> ours = Network.bind(plan, backend).run(Map.of("input", input));
            List<String> names = List.copyOf(ours.keySet());
            double worst = 0;
            for (int i = 0; i < names.size(); i++) {
                Tensor ref = Npy.read(dir.resolve(String.format("output_%02d.npy", i)));
                String what = "full-size " + precision + " (winograd " + winograd + ") output " + i;
                worst = Math.max(worst, Tolerance.compare(ours.get(names.get(i)), ref, what).error());
                Tolerance.assertClose(ours.get(names.get(i)), ref, tolerance, what);
            }
            System.out.printf("opencl full size %s, winograd %s, default tiles: worst output error %.3e of max|PyTorch|%n",
                    precision, winograd, worst);
        } finally {
            if (was == null) {
                System.clearProperty("freeanchor.opencl.winograd");
            } else {
                System.setProperty("freeanchor.opencl.winograd", was);
            }
        }
    }
}

package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.util.Collection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Binding a plan to {@link JavaBackend} prepares every convolution with constant weights once,
 * choosing Winograd for the big stride-1 3x3 layers and GEMM for the rest; the prepared network
 * (run twice, so scratch and prepared weights are reused) matches the reference backend within 1e-4.
 */
class PreparedConvsTest {
    @Test
    void tinyFixtureUsesBothAlgorithmsAndMatchesReference() throws Exception {
        OnnxModel model = OnnxLoader.load(Fixtures.dir("tiny").resolve("model_dynamic.onnx"));
        Tensor input = Npy.read(Fixtures.dir("tiny").resolve("input.npy"));
        Map<String, int[]> shapes = Map.of("input", input.shape());
        try (Backend fast = new JavaBackend(2); Backend ref = new ReferenceBackend()) {
            Network net = Network.compile(model, shapes, fast, PlanOptions.defaults());
            Collection<String> algorithms = net.preparedConvs().values();
            long convSteps = net.plan().steps().stream().filter(e -> e.getValue().startsWith("Conv")).count();
            assertEquals(convSteps, algorithms.size(), "every conv has constant weights and is prepared");
            assertTrue(algorithms.contains("winograd-f4x4"), "some layers run Winograd: " + net.preparedConvs());
            assertTrue(algorithms.contains("gemm"), "1x1 and strided layers run GEMM: " + net.preparedConvs());
            Map<String, Tensor> expected = Network.compile(model, shapes, ref, PlanOptions.defaults()).run(Map.of("input", input));
            for (int round = 0; round < 2; round++) {
                Map<String, Tensor> ours = net.run(Map.of("input", input));
                for (String name : expected.keySet()) {
                    Tolerance.assertClose(ours.get(name), expected.get(name), 1e-4, "output " + name + " round " + round);
                }
            }
        }
    }
}

package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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

    /**
     * The raw weights of prepared convolutions are not kept: neither the network nor the plan holds
     * them once bound (they become garbage), only the biases stay. The same plan bound again to the
     * reference backend gets its constants back (re-planned) and the two networks agree within 1e-4.
     */
    @Test
    void boundNetworkDropsRawWeightsOfPreparedConvs() throws Exception {
        OnnxModel model = OnnxLoader.load(Fixtures.dir("tiny").resolve("model_dynamic.onnx"));
        Tensor input = Npy.read(Fixtures.dir("tiny").resolve("input.npy"));
        Plan plan = Planner.plan(model, Map.of("input", input.shape()), PlanOptions.defaults());
        List<String> weights = plan.stepInfos().stream().filter(s -> s.opType().startsWith("Conv"))
                .map(s -> s.inputs().get(1)).distinct().toList();
        List<WeakReference<float[]>> raw = rawStores(plan, weights);
        try (Backend fast = new JavaBackend(2); Backend ref = new ReferenceBackend()) {
            Network net = Network.bind(plan, fast);
            for (String w : weights) {
                assertFalse(net.retainsConstant(w), "network keeps raw " + w);
                assertFalse(plan.constantStore().holds(w), "plan keeps raw " + w);
            }
            long weightBytes = weights.stream().mapToLong(w -> plan.type(w).bytes()).sum();
            assertEquals(plan.constantBytes() - weightBytes, net.retainedConstantBytes(), "only the biases are kept");
            for (int i = 0; i < 20 && raw.stream().anyMatch(r -> r.get() != null); i++) {
                System.gc();
                Thread.sleep(10);
            }
            for (WeakReference<float[]> r : raw) {
                assertTrue(r.get() == null, "a raw weight array is still reachable after binding");
            }

            Network reference = Network.bind(plan, ref); // remakes the constants, keeps them all
            assertEquals(plan.constantBytes(), reference.retainedConstantBytes());
            assertTrue(weights.stream().allMatch(reference::retainsConstant));
            Map<String, Tensor> expected = reference.run(Map.of("input", input));
            Map<String, Tensor> ours = net.run(Map.of("input", input));
            for (String name : expected.keySet()) {
                Tolerance.assertClose(ours.get(name), expected.get(name), 1e-4, "output " + name);
            }
        }
    }

    /** Weak references to the plan's current weight arrays (a helper, so no local keeps them). */
    private static List<WeakReference<float[]>> rawStores(Plan plan, List<String> names) {
        List<WeakReference<float[]>> out = new ArrayList<>();
        Map<String, Tensor> constants = plan.constants();
        for (String n : names) {
            out.add(new WeakReference<>(constants.get(n).floats()));
        }
        return out;
    }
}

package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.opencl.ClDevice;
import io.freeanchor.kernels.opencl.OpenClBackend;
import io.freeanchor.kernels.opencl.OpenClBackend.Precision;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole fixture graphs on the OpenCL backend: FP32 within 1e-4 (max|ours - ref| / max|ref|) of the
 * Java backend and of PyTorch's outputs; FP16 storage within 1e-2 of the Java backend. Each network
 * runs twice, the second time on a different input written into the same array (device buffers are
 * reused, and the host write must reach the device).
 */
class OpenClFixtureModelsTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"micro", "odd", "tiny"})
    void fixtureOnOpenCl(String fixture) {
        ClDevice device = OpenClTesting.device();
        Path dir = Fixtures.dir(fixture);
        Tensor input = Npy.read(dir.resolve("input.npy"));
        OnnxModel model = OnnxLoader.load(dir.resolve("model_dynamic.onnx"));
        Map<String, int[]> shapes = Map.of("input", input.shape());
        Plan plan = Planner.plan(model, shapes, PlanOptions.defaults());
        try (Backend java = new JavaBackend(2);
             OpenClBackend fp32 = new OpenClBackend(device, Precision.FP32, null);
             OpenClBackend fp16 = new OpenClBackend(device, Precision.FP16, null)) {
            Network javaNet = Network.bind(plan, java), net32 = Network.bind(plan, fp32), net16 = Network.bind(plan, fp16);
            Tensor in = input.copy();
            for (int round = 0; round < 2; round++) {
                if (round == 1) {
                    float[] x = in.floats();
                    for (int i = 0; i < in.size(); i++) {
                        x[i] = -0.5f * x[i] + 0.1f;
                    }
                }
                Map<String, Tensor> ref = javaNet.run(Map.of("input", in));
                Map<String, Tensor> ours = net32.run(Map.of("input", in));
                Map<String, Tensor> half = net16.run(Map.of("input", in));
                List<String> names = List.copyOf(ref.keySet());
                assertEquals(10, names.size());
                for (int i = 0; i < names.size(); i++) {
                    String what = fixture + " round " + round + " output " + i;
                    Tolerance.assertClose(ours.get(names.get(i)), ref.get(names.get(i)), 1e-4, what + " fp32 vs java");
                    Tolerance.assertClose(half.get(names.get(i)), ref.get(names.get(i)), 1e-2, what + " fp16 vs java");
                    if (round == 0) {
                        Tensor torch = Npy.read(dir.resolve(String.format("output_%02d.npy", i)));
                        Tolerance.assertClose(ours.get(names.get(i)), torch, 1e-4, what + " fp32 vs PyTorch");
                    }
                }
            }
        }
    }
}

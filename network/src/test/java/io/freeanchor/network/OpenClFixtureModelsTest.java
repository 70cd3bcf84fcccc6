package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.opencl.ClDevice;
import io.freeanchor.kernels.opencl.OpenClBackend;
import io.freeanchor.kernels.opencl.OpenClBackend.HalfArithmetic;
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
 * reused, and the host write must reach the device). FP16 with the convolutions' half arithmetic
 * emulated (the numerics of a cl_khr_fp16 device, which the test machines lack) within 1e-2 too.
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

    /**
     * FP16 storage with conv_gemm's half arithmetic emulated ({@code
     * -Dfreeanchor.opencl.halfArithmetic=emulate}) against the FP32 Java backend; prints the worst
     * error over the outputs next to FP16 storage with FP32 arithmetic's, and fails if the two runs
     * are identical (the half arithmetic would not be on).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"micro", "odd", "tiny"})
    void fixtureWithEmulatedHalfArithmetic(String fixture) {
        ClDevice device = OpenClTesting.device();
        Path dir = Fixtures.dir(fixture);
        Tensor input = Npy.read(dir.resolve("input.npy"));
        Plan plan = Planner.plan(OnnxLoader.load(dir.resolve("model_dynamic.onnx")), Map.of("input", input.shape()),
                PlanOptions.defaults());
        try (Backend java = new JavaBackend(2); OpenClBackend emulated = fp16(device, "emulate");
             OpenClBackend storage = fp16(device, "off")) {
            assertEquals(HalfArithmetic.EMULATED, emulated.halfArithmetic());
            assertEquals(HalfArithmetic.OFF, storage.halfArithmetic());
            Map<String, Tensor> ref = Network.bind(plan, java).run(Map.of("input", input));
            Map<String, Tensor> ours = Network.bind(plan, emulated).run(Map.of("input", input));
            Map<String, Tensor> fp32Arithmetic = Network.bind(plan, storage).run(Map.of("input", input));
            double worst = 0, worstFp32Arithmetic = 0;
            boolean differ = false;
            for (String name : ref.keySet()) {
                Tolerance.assertClose(ours.get(name), ref.get(name), 1e-2, fixture + " " + name + " fp16 half arithmetic vs java");
                worst = Math.max(worst, Tolerance.maxRelativeError(ours.get(name), ref.get(name)));
                worstFp32Arithmetic = Math.max(worstFp32Arithmetic, Tolerance.maxRelativeError(fp32Arithmetic.get(name), ref.get(name)));
                differ |= Tolerance.maxRelativeError(ours.get(name), fp32Arithmetic.get(name)) > 0;
            }
            System.out.printf("%s fp16 + half arithmetic (emulated) vs java fp32: worst max relative error %.3e over %d outputs"
                    + " (fp16 storage, fp32 arithmetic: %.3e)%n", fixture, worst, ref.size(), worstFp32Arithmetic);
            assertTrue(differ, fixture + ": emulated half arithmetic gave exactly the fp32-arithmetic outputs: is it on?");
        }
    }

    /** An FP16 backend with -Dfreeanchor.opencl.halfArithmetic set to the given value. */
    private static OpenClBackend fp16(ClDevice device, String halfArithmetic) {
        String property = "freeanchor.opencl.halfArithmetic", before = System.getProperty(property);
        System.setProperty(property, halfArithmetic);
        try {
            return new OpenClBackend(device, Precision.FP16, null);
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }
}

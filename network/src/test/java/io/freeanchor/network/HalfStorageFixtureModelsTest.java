package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.HalfStorageBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whole fixture graphs on the Java backend with FP16 storage ({@code --device java --precision fp16})
 * against the FP32 reference backend: every output within 1e-2 of max|ref|, returned as FLOAT32,
 * with activation buffers of half the plan's FP32 bytes. Each network runs twice, the second time
 * on another input written into the same array (the half buffers are reused). The "bn" variant runs
 * unoptimized, so BatchNormalization and the unfused Add/Relu go through the half path too.
 */
class HalfStorageFixtureModelsTest {
    private static final double TOLERANCE = 1e-2;

    @ParameterizedTest(name = "{0}/{1} fp16 storage vs fp32 reference")
    @CsvSource({"micro,dynamic", "odd,dynamic", "tiny,dynamic", "micro,bn"})
    void fp16StorageStaysWithinOnePercent(String fixture, String variant) {
        Path dir = Fixtures.dir(fixture);
        Tensor input = Npy.read(dir.resolve("input.npy"));
        OnnxModel model = OnnxLoader.load(dir.resolve("model_" + variant + ".onnx"));
        PlanOptions options = variant.equals("bn") ? PlanOptions.none() : PlanOptions.defaults();
        Plan plan = Planner.plan(model, Map.of("input", input.shape()), options);
        try (ReferenceBackend fp32 = new ReferenceBackend(); HalfStorageBackend fp16 = new HalfStorageBackend(2)) {
            Network ref = Network.bind(plan, fp32), half = Network.bind(plan, fp16);
            assertEquals(plan.memory().peakBytes(DType.FLOAT16), half.activationBytes(), "half buffers as planned");
            assertTrue(half.activationBytes() <= 0.55 * ref.activationBytes(),
                    "activations " + half.activationBytes() + " B at fp16 vs " + ref.activationBytes() + " B at fp32");
            Tensor in = input.copy();
            for (int round = 0; round < 2; round++) {
                if (round == 1) {
                    float[] x = in.floats();
                    for (int i = 0; i < in.size(); i++) {
                        x[i] = -0.5f * x[i] + 0.1f;
                    }
                }
                Map<String, Tensor> want = ref.run(Map.of("input", in)), got = half.run(Map.of("input", in));
                assertEquals(want.keySet(), got.keySet());
                double worst = 0;
                for (String name : want.keySet()) {
                    assertEquals(DType.FLOAT32, got.get(name).dtype(), "graph outputs stay FP32");
                    String what = fixture + "/" + variant + " round " + round + " output " + name;
                    Tolerance.assertClose(got.get(name), want.get(name), TOLERANCE, what);
                    worst = Math.max(worst, Tolerance.maxRelativeError(got.get(name), want.get(name)));
                }
                System.out.printf("fp16 storage %s/%s round %d: worst output max|fp16 - fp32| / max|fp32| = %.2e%n",
                        fixture, variant, round, worst);
            }
        }
    }
}

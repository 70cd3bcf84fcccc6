package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.opencl.OpenClBackend;
import io.freeanchor.kernels.opencl.TileConfig;
import io.freeanchor.network.Fixtures;
import io.freeanchor.network.Network;
import io.freeanchor.network.OpenClTesting;
import io.freeanchor.network.PlanOptions;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tiny fixture model on OpenCL, post-processed as EvalPipeline does ({@code runOnDevice}, then
 * {@code headCandidates} on the device): the raw head outputs are never copied to the host (the
 * backend's read-back counter sees only the candidates), and the detections equal the Java
 * backend's for the same head outputs.
 */
class OpenClHeadCandidatesEvalTest {
    private static final DetectorConfig TINY = DetectorConfig.defaults().withInputSize(160, 96);

    @Test
    void rawHeadOutputsStayOnTheDevice() throws Exception {
        OnnxModel model = OnnxLoader.load(Fixtures.dir("tiny").resolve("model_dynamic.onnx"));
        Tensor input = Npy.read(Fixtures.dir("tiny").resolve("input.npy"));
        String name = model.graph().inputs().getFirst().name();
        PostProcessor post = new PostProcessor(TINY);
        // A fixed tile configuration: both runs below compute bit-identical head outputs.
        try (OpenClBackend ocl = new OpenClBackend(OpenClTesting.device(), OpenClBackend.Precision.FP32,
                TileConfig.CANDIDATES.getFirst())) {
            Network net = Network.compile(model, Map.of(name, input.shape()), ocl, PlanOptions.defaults());
            long before = ocl.bytesRead();
            Map<String, Tensor> outputs = net.runOnDevice(Map.of(name, input));
            long rawBytes = outputs.values().stream().mapToLong(t -> 4L * t.size()).sum();
            assertEquals(before, ocl.bytesRead(), "running the network read nothing back");
            HeadOutputs head = HeadOutputs.split(outputs, TINY);
            PostProcessor.BatchCandidates onDevice = post.candidates(ocl, head, 96, 160);
            long read = ocl.bytesRead() - before;
            int n = input.dim(0), levels = TINY.numLevels(), k = TINY.nmsPre();
            assertEquals((long) levels * (4L * n + 24L * n * k), read, "only counts and top-k rows came back");
            assertTrue(read < rawBytes, read + " bytes read back, raw head outputs are " + rawBytes);
            outputs.values().forEach(ocl::discard);

            // The same outputs on the host (a second run, synced), through the Java backend's op.
            Map<String, Tensor> host = net.run(Map.of(name, input));
            assertTrue(ocl.bytesRead() - before - read >= rawBytes, "run() does copy the outputs back");
            PostProcessor.BatchCandidates onHost;
            try (JavaBackend java = new JavaBackend(1)) {
                onHost = post.candidates(java, HeadOutputs.split(host, TINY), 96, 160);
            }
            for (int i = 0; i < n; i++) {
                List<Detection> want = post.process(onHost, i, 480, 640);
                List<Detection> got = post.process(onDevice, i, 480, 640);
                assertEquals(want, got, "image " + i + ": detections from the device candidates");
                assertTrue(!want.isEmpty());
            }
        }
    }
}

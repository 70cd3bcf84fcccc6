package io.freeanchor.eval.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.freeanchor.eval.detect.DetectorConfig;
import io.freeanchor.kernels.opencl.OpenClBackend;
import io.freeanchor.network.Fixtures;
import io.freeanchor.network.OpenClTesting;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The eval pipeline on OpenCL uploads each batch's input beside the previous batch's work (two input
 * buffers in turn): 11 demo val images through the tiny fixture model in batches of 3 (3, 3, 3, then
 * a short 2 with its own plan) give bit for bit the detections of each batch run on its own, and every
 * full batch after the first was prefetched.
 */
class OpenClPipelineTest {
    private static final int IMAGES = 11, BATCH = 3;

    @Test
    void prefetchedBatchesGiveTheDetectionsOfBatchesRunAlone() {
        OnnxModel model = OnnxLoader.load(Fixtures.dir("tiny").resolve("model_dynamic.onnx"));
        DetectorConfig config = DetectorConfig.defaults().withInputSize(160, 96);
        Path dir = Fixtures.repoRoot().resolve("demo/data/images/val2017");
        List<EvalPipeline.InputImage> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            images.add(new EvalPipeline.InputImage(i, i + 1, dir.resolve(String.format("%06d.jpg", i + 1))));
        }
        try (OpenClBackend backend = new OpenClBackend(OpenClTesting.device(), OpenClBackend.Precision.FP32, null)) {
            List<Checkpoint.ImageResult> together = new ArrayList<>(), alone = new ArrayList<>();
            try (EvalPipeline p = new EvalPipeline(model, config, backend, BATCH, 2, false)) {
                p.run(images, together::addAll);
            }
            long inputBytes = 4L * BATCH * 3 * 96 * 160;
            assertEquals(2 * inputBytes, backend.bytesPrefetched(), "batches 2 and 3 uploaded beside the batch before");
            for (int from = 0; from < IMAGES; from += BATCH) {
                try (EvalPipeline p = new EvalPipeline(model, config, backend, BATCH, 2, false)) {
                    p.run(images.subList(from, Math.min(IMAGES, from + BATCH)), alone::addAll);
                }
            }
            assertEquals(2 * inputBytes, backend.bytesPrefetched(), "a single batch prefetches nothing");
            assertEquals(alone.size(), together.size());
            for (int i = 0; i < alone.size(); i++) {
                Checkpoint.ImageResult a = alone.get(i), t = together.get(i);
                assertEquals(a.imageId(), t.imageId());
                assertArrayEquals(a.labels(), t.labels(), "labels of image " + a.imageId());
                assertArrayEquals(a.scores(), t.scores(), "scores of image " + a.imageId());
                assertArrayEquals(a.boxes(), t.boxes(), "boxes of image " + a.imageId());
            }
        }
    }
}

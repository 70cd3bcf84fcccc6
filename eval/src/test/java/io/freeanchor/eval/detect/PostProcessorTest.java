package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PostProcessorTest {
    private static final DetectorConfig TINY = DetectorConfig.defaults().withInputSize(160, 96);

    private static HeadOutputs tiny() throws Exception {
        return HeadOutputs.split(ReferenceAgreementTest.readOutputs(Fixtures.dir("tiny")), TINY);
    }

    @Test
    void sharedInstanceIsThreadSafe() throws Exception {
        HeadOutputs out = tiny();
        PostProcessor post = new PostProcessor(TINY);
        List<List<Detection>> expected = post.processBatch(out, new int[][] {{426, 640}, {640, 586}});
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Detection>>> fs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int img = i % 2;
                fs.add(pool.submit(() -> post.process(out, img, img == 0 ? 426 : 640, img == 0 ? 640 : 586)));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertEquals(expected.get(i % 2), fs.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void candidateStage() throws Exception {
        HeadOutputs out = tiny();
        PostProcessor post = new PostProcessor(TINY);
        PostProcessor.Candidates c = post.candidates(new ReferenceBackend(), out, 96, 160).image(1);
        PostProcessor.Candidates fast;
        try (JavaBackend java = new JavaBackend(1)) {
            fast = post.candidates(java, out, 96, 160).image(1);
        }
        assertEquals(c.n, fast.n);
        for (int i = 0; i < c.n; i++) {
            assertEquals(c.scores[i], fast.scores[i], 0f);
            assertEquals(c.labels[i], fast.labels[i]);
            for (int q = 0; q < 4; q++) {
                assertEquals(c.boxes[4 * i + q], fast.boxes[4 * i + q], 0f);
            }
        }
        assertEquals(5000, c.n, "every level of the random-weight model has > nms_pre candidates");
        for (int i = 0; i < c.n; i++) {
            assertTrue(c.scores[i] > 0.05f);
            assertTrue(c.boxes[4 * i] >= 0 && c.boxes[4 * i + 2] <= 160f && c.boxes[4 * i + 1] >= 0
                    && c.boxes[4 * i + 3] <= 96f, "clipped to the resized image");
            if (i % 1000 != 0) {
                assertTrue(c.scores[i] <= c.scores[i - 1], "sorted within a level");
            }
        }
    }

    @Test
    void minSizeFilterAndRescaleStages() {
        PostProcessor.Candidates c = new PostProcessor.Candidates();
        c.boxes = new float[] {0, 0, 0, 5, 1, 1, 3, 3, 2, 2, 2.4f, 9, 4, 4, 8, 8};
        c.scores = new float[] {0.9f, 0.8f, 0.7f, 0.6f};
        c.labels = new int[] {0, 1, 2, 3};
        c.n = 4;
        PostProcessor.rescale(c, 2f, 0.5f);
        assertEquals(6f, c.boxes[6]);
        assertEquals(1.5f, c.boxes[7]);
        PostProcessor.filterMinSize(c, 0.9f);
        assertEquals(2, c.n, "zero width removed, widths/heights must exceed the minimum");
        assertEquals(1, c.labels[0]);
        assertEquals(3, c.labels[1]);
        assertEquals(0.6f, c.scores[1]);
        assertEquals(8f, c.boxes[4]);
    }

    @Test
    void disabledMinSizeKeepsFlatBoxes() {
        DetectorConfig keepAll = DetectorConfig.fromJson("{\"test_cfg\": {\"min_bbox_size\": -1}}", "t");
        DetectorConfig dflt = DetectorConfig.defaults();
        List<Tensor> t = WorkedExampleTest.fullSizeOutputs();
        // push the worked example's box off the left edge: x1 = x2 = 0 after the clip
        Tensor reg = t.get(6);
        int hw = 50 * 84;
        reg.floats()[(5 * 4) * hw + 3 * 84 + 7] = -50f;
        assertEquals(0, new PostProcessor(dflt).process(HeadOutputs.split(t, dflt), 0, 480, 640).size());
        List<Detection> flat = new PostProcessor(keepAll).process(HeadOutputs.split(t, keepAll), 0, 480, 640);
        assertEquals(1, flat.size());
        assertEquals(0f, flat.get(0).x1());
        assertEquals(0f, flat.get(0).x2());
    }

    @Test
    void identityRescaleWhenTheImageIsAlreadyInputSized() {
        DetectorConfig cfg = DetectorConfig.defaults();
        HeadOutputs out = HeadOutputs.split(WorkedExampleTest.fullSizeOutputs(), cfg);
        Detection d = new PostProcessor(cfg).process(out, 0, 800, 1344).get(0);
        assertEquals(new Detection(65.25668334960938f, 0f, 168.90267944335938f, 94.26521301269531f,
                0.8175744414329529f, WorkedExampleTest.LABEL), d);
        Detection other = new PostProcessor(cfg).process(out, 0, 400, 672, 800, 1344).get(0);
        assertEquals(65.25668334960938f * 0.5f, other.x1());
    }

    @Test
    void argumentErrors() throws Exception {
        HeadOutputs out = tiny();
        PostProcessor post = new PostProcessor(TINY);
        assertThrows(IndexOutOfBoundsException.class, () -> post.process(out, 2, 10, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> post.process(out, 0, 0, 10));
        assertTrue(e.getMessage().contains("image sizes must be >= 1"));
        e = assertThrows(IllegalArgumentException.class, () -> post.processBatch(out, new int[][] {{1, 1}}));
        assertTrue(e.getMessage().contains("1 image sizes for a batch of 2"));
        DetectorConfig fewer = DetectorConfig.fromJson("{\"anchor_generator\": {\"strides\": [8, 16, 32, 64]}}", "t");
        e = assertThrows(IllegalArgumentException.class, () -> new PostProcessor(fewer).process(out, 0, 10, 10));
        assertTrue(e.getMessage().contains("5 output levels, the config has 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PostProcessor(DetectorConfig.defaults()).process(out, 0, 480, 640));
        assertTrue(e.getMessage().contains("level 0 map is 12x20 but a 800x1344 (h x w) input gives at least 100x168"
                + " at stride 8: is the detector config's input_size the size the network ran at?"), e.getMessage());
    }
}

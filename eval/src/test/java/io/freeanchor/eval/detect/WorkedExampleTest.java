package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.head.Sigmoid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Spec section 12: a 640x480 image, level P4 location (y 3, x 7), anchor 5, deltas
 * (0.5, -0.25, 0.1, -0.2), logit 1.5. Every value is the exact float32 (or double) result of a
 * float32 torch transcription. The spec prints two intermediate values wrongly (gh = 97.60943 and
 * y1 = -3.344555; the float32 results are 97.610115 and -3.3448982, consistent with its y2 = 94.265213);
 * its final values are right.
 */
class WorkedExampleTest {
    static final int LEVEL = 1;
    static final int Y = 3;
    static final int X = 7;
    static final int A = 5;
    static final int LABEL = 17; // horse, COCO category 19

    @Test
    void anchorRowAndValue() {
        AnchorGenerator gen = new AnchorGenerator(DetectorConfig.defaults());
        int row = (Y * 84 + X) * 9 + A;
        assertEquals(2336, row);
        assertEquals(153536, 151200 + row);
        float[] base = gen.baseAnchors(LEVEL);
        assertArrayEquals(new float[] {-50.79683303833008f, -50.79683303833008f, 50.79683303833008f, 50.79683303833008f},
                Arrays.copyOfRange(base, A * 4, A * 4 + 4));
        float[] anchor = new float[4];
        gen.anchor(LEVEL, 84, row, anchor, 0);
        assertArrayEquals(new float[] {61.20316696166992f, -2.796833038330078f, 162.7968292236328f, 98.79682922363281f},
                anchor);
    }

    @Test
    void decodeClipAndRescale() {
        BoxCoder coder = new BoxCoder(DetectorConfig.defaults());
        float[] anchor = {61.20316696166992f, -2.796833038330078f, 162.7968292236328f, 98.79682922363281f};
        float pw = 162.7968292236328f - 61.20316696166992f;
        float gh = pw * (float) StrictMath.exp(-0.2f * 0.2f);
        assertEquals(97.61011505126953f, gh, "spec prints 97.60943");
        float gy = (-2.796833038330078f + 98.79682922363281f) * 0.5f + pw * (-0.25f * 0.1f);
        assertEquals(45.46015930175781f, gy);
        assertEquals(-3.344898223876953f, gy - gh * 0.5f, "spec prints -3.344555");

        float[] box = new float[4];
        coder.decode(anchor, 0, 0.5f, -0.25f, 0.1f, -0.2f, 1344f, 800f, box, 0);
        assertArrayEquals(new float[] {65.25668334960938f, 0.0f, 168.90267944335938f, 94.26521301269531f}, box);

        float rw = (float) (1.0 / (1344.0 / 640));
        float rh = (float) (1.0 / (800.0 / 480));
        assertEquals(0.4761904776096344f, rw);
        assertEquals(0.6000000238418579f, rh);
        PostProcessor.Candidates c = new PostProcessor.Candidates();
        c.boxes = box;
        c.scores = new float[] {0.8f};
        c.labels = new int[] {0};
        c.n = 1;
        PostProcessor.rescale(c, rw, rh);
        assertArrayEquals(new float[] {31.07461166381836f, 0.0f, 80.42984771728516f, 56.55913162231445f}, c.boxes);
    }

    @Test
    void scoreOfLogit() {
        assertEquals(0.8175744414329529, (double) Sigmoid.of(1.5f), 0.0);
    }

    /** The whole pipeline on full-size outputs where only the example's pair scores above 0.05. */
    @Test
    void endToEnd() {
        DetectorConfig config = DetectorConfig.defaults();
        HeadOutputs outputs = HeadOutputs.split(fullSizeOutputs(), config);
        List<Detection> dets = new PostProcessor(config).process(outputs, 0, 480, 640);
        assertEquals(List.of(new Detection(31.07461166381836f, 0.0f, 80.42984771728516f, 56.55913162231445f,
                0.8175744414329529f, LABEL)), dets);
        CocoDetection coco = CocoDetection.of(42, dets.get(0), config);
        assertEquals(new CocoDetection(42, 19, new double[] {31.07461166381836, 0.0, 49.3552360534668,
                56.55913162231445}, 0.8175744414329529), coco);
    }

    static List<Tensor> fullSizeOutputs() {
        int[][] sizes = {{100, 168}, {50, 84}, {25, 42}, {13, 21}, {7, 11}};
        List<Tensor> cls = new ArrayList<>();
        List<Tensor> reg = new ArrayList<>();
        for (int l = 0; l < 5; l++) {
            int h = sizes[l][0];
            int w = sizes[l][1];
            float[] c = new float[720 * h * w];
            Arrays.fill(c, -20f);
            float[] r = new float[36 * h * w];
            if (l == LEVEL) {
                int s = Y * w + X;
                c[(A * 80 + LABEL) * h * w + s] = 1.5f;
                float[] d = {0.5f, -0.25f, 0.1f, -0.2f};
                for (int j = 0; j < 4; j++) {
                    r[(A * 4 + j) * h * w + s] = d[j];
                }
            }
            cls.add(Tensor.ofFloats(new int[] {1, 720, h, w}, c));
            reg.add(Tensor.ofFloats(new int[] {1, 36, h, w}, r));
        }
        List<Tensor> all = new ArrayList<>(cls);
        all.addAll(reg);
        return all;
    }
}

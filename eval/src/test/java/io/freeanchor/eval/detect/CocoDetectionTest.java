package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CocoDetectionTest {
    @Test
    void widenBeforeSubtracting() {
        // float32 corners whose float32 difference would round: the width is computed in double
        Detection d = new Detection(0.1f, 1000.3f, 16777.217f, 1001.1f, 0.3f, 79);
        CocoDetection c = CocoDetection.of(5, d, DetectorConfig.defaults());
        assertEquals(5, c.imageId());
        assertEquals(90, c.categoryId());
        assertArrayEquals(new double[] {0.1f, 1000.3f, (double) 16777.217f - (double) 0.1f,
            (double) 1001.1f - (double) 1000.3f}, c.bbox());
        assertNotEquals((double) (16777.217f - 0.1f), c.bbox()[2]);
        assertEquals((double) 0.3f, c.score());
        assertEquals(0.30000001192092896, c.score());
    }

    @Test
    void valueSemantics() {
        CocoDetection a = new CocoDetection(1, 2, new double[] {1, 2, 3, 4}, 0.5);
        CocoDetection b = new CocoDetection(1, 2, new double[] {1, 2, 3, 4}, 0.5);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new CocoDetection(1, 2, new double[] {1, 2, 3, 5}, 0.5));
        double[] box = a.bbox();
        box[0] = 99;
        assertEquals(1.0, a.bbox()[0], "defensive copies");
        assertEquals("CocoDetection[imageId=1, categoryId=2, bbox=[1.0, 2.0, 3.0, 4.0], score=0.5]", a.toString());
    }

    @Test
    void listInResultOrder() {
        DetectorConfig cfg = DetectorConfig.defaults();
        List<Detection> dets = List.of(new Detection(0, 0, 1, 1, 0.9f, 11), new Detection(0, 0, 2, 2, 0.8f, 0));
        List<CocoDetection> c = CocoDetection.of(7, dets, cfg);
        assertEquals(13, c.get(0).categoryId());
        assertEquals(1, c.get(1).categoryId());
    }
}

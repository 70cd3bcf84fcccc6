package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadOutputsTest {
    private static final DetectorConfig CFG = DetectorConfig.defaults();
    private static final int[][] SIZES = {{12, 20}, {6, 10}, {3, 5}, {2, 3}, {1, 2}};

    static List<Tensor> graphOrder(int batch) {
        List<Tensor> out = new ArrayList<>();
        for (int[] s : SIZES) {
            out.add(Tensor.zeros(DType.FLOAT32, new int[] {batch, 720, s[0], s[1]}));
        }
        for (int[] s : SIZES) {
            out.add(Tensor.zeros(DType.FLOAT32, new int[] {batch, 36, s[0], s[1]}));
        }
        return out;
    }

    @Test
    void splitsByChannelCountKeepingOrder() {
        List<Tensor> t = graphOrder(2);
        HeadOutputs h = HeadOutputs.split(t, CFG);
        assertEquals(2, h.batch());
        assertEquals(5, h.levels());
        for (int l = 0; l < 5; l++) {
            assertSame(t.get(l), h.scores(l));
            assertSame(t.get(5 + l), h.deltas(l));
            assertEquals(SIZES[l][0], h.height(l));
            assertEquals(SIZES[l][1], h.width(l));
        }
    }

    @Test
    void namesCarryNoMeaningAndGroupsMayInterleave() {
        List<Tensor> t = graphOrder(1);
        Map<String, Tensor> m = new LinkedHashMap<>();
        // interleaved: reg P3, cls P3, reg P4, cls P4, ... under misleading names
        for (int l = 0; l < 5; l++) {
            m.put("cls_" + l, t.get(5 + l));
            m.put("reg_" + (4 - l), t.get(l));
        }
        HeadOutputs h = HeadOutputs.split(m, CFG);
        for (int l = 0; l < 5; l++) {
            assertSame(t.get(l), h.scores(l));
            assertSame(t.get(5 + l), h.deltas(l));
        }
    }

    @Test
    void fourClassesAreSplitByPosition() {
        DetectorConfig four = DetectorConfig.fromJson("""
                {"num_classes": 4, "classes": ["a", "b", "c", "d"], "category_ids": [1, 2, 3, 4]}""", "test");
        List<Tensor> t = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int[] s = SIZES[i % 5];
            t.add(Tensor.zeros(DType.FLOAT32, new int[] {1, 36, s[0], s[1]}));
        }
        HeadOutputs h = HeadOutputs.split(t, four);
        assertSame(t.get(0), h.scores(0));
        assertSame(t.get(5), h.deltas(0));
    }

    @Test
    void errorsSayWhatIsWrong() {
        List<Tensor> t = graphOrder(2);
        assertMessage(t.subList(0, 9), "expected 10 head outputs");

        List<Tensor> badChannels = new ArrayList<>(t);
        badChannels.set(3, Tensor.zeros(DType.FLOAT32, new int[] {2, 719, 2, 3}));
        assertMessage(badChannels, "output #3 [2, 719, 2, 3] has 719 channels; a score map has 720");

        List<Tensor> threeReg = new ArrayList<>(t);
        threeReg.set(0, Tensor.zeros(DType.FLOAT32, new int[] {2, 36, 12, 20}));
        assertMessage(threeReg, "expected 5 score maps (720 channels) and 5 box maps (36 channels), got 4 and 6");

        List<Tensor> batch = new ArrayList<>(t);
        batch.set(7, Tensor.zeros(DType.FLOAT32, new int[] {1, 36, 3, 5}));
        assertMessage(batch, "batch sizes differ");

        List<Tensor> spatial = new ArrayList<>(t);
        spatial.set(6, Tensor.zeros(DType.FLOAT32, new int[] {2, 36, 6, 11}));
        assertMessage(spatial, "level 1: score map output #1 [2, 720, 6, 10] and box map output #6 [2, 36, 6, 11]");

        List<Tensor> reversed = new ArrayList<>();
        for (int l = 4; l >= 0; l--) {
            reversed.add(t.get(l));
        }
        for (int l = 9; l >= 5; l--) {
            reversed.add(t.get(l));
        }
        assertMessage(reversed, "must run from the largest map (stride 8) to the smallest");

        List<Tensor> rank = new ArrayList<>(t);
        rank.set(2, Tensor.zeros(DType.FLOAT32, new int[] {2, 720, 15}));
        assertMessage(rank, "output #2 [2, 720, 15] has rank 3");

        List<Tensor> dtype = new ArrayList<>(t);
        dtype.set(2, Tensor.zeros(DType.INT64, new int[] {2, 720, 3, 5}));
        assertMessage(dtype, "output #2 [2, 720, 3, 5] is INT64");

        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            named.put("out" + i, badChannels.get(i));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadOutputs.split(named, CFG));
        assertTrue(e.getMessage().contains("output #3 'out3'"), e.getMessage());
    }

    private static void assertMessage(List<Tensor> outputs, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadOutputs.split(outputs, CFG));
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }
}

package io.freeanchor.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.freeanchor.network.Plan;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConvShapesTest {
    private static final Path REPO = Path.of(System.getProperty("freeanchor.repo", "..")).toAbsolutePath();

    /**
     * Expected numbers from an independent count with ONNX's own shape inference (onnx 1.12) on
     * fixtures/micro/model_static.onnx (1x3x64x64): for every Conv node the key (input C, H, W, weight shape,
     * strides, pads, dilations, group; the batch is 1 throughout, though ONNX's inference loses it after
     * Resize); 37 distinct keys over 111 Conv nodes, 13,086,848 MACs, the most frequent key 16 times.
     */
    @Test
    void listsTheDistinctConvShapesOfMicro() {
        Plan plan = ConvShapeLister.plan(REPO.resolve("fixtures/micro/model_dynamic.onnx"), List.of("input=1,3,64,64"));
        List<ConvShapes.Entry> entries = ConvShapes.distinct(plan);
        assertEquals(37, entries.size());
        assertEquals(111, entries.stream().mapToInt(ConvShapes.Entry::count).sum());
        assertEquals(13_086_848L, entries.stream().mapToLong(ConvShapes.Entry::totalMacs).sum());
        assertEquals(16, entries.stream().mapToInt(ConvShapes.Entry::count).max().orElseThrow());
        assertEquals(plan.totalMacs(), 13_086_848L, "every MAC of this model is a convolution's");
        assertEquals(1.0, entries.stream().mapToDouble(ConvShapes.Entry::macShare).sum(), 1e-9);
        for (int i = 1; i < entries.size(); i++) {
            assertEquals(true, entries.get(i - 1).totalMacs() >= entries.get(i).totalMacs(), "sorted by total MACs");
        }
        // The stem: 3 -> 64/16 channels, 7x7 stride 2 pad 3 on the 64x64 input.
        assertEquals(1, entries.stream().filter(e -> e.shape().token().equals("n1c3h64w64m4k7s2p3")).count(), entries::toString);
    }

    @Test
    void tokensRoundTrip() {
        for (String t : List.of("n1c256h100w168m256k3s1p1", "n2c3h800w1344m64k7s2p3", "n1c8h5w7m4k3x1s2x1p1x0x0x1g2d2x1",
                "n1c1h1w1m1k1s1p0")) {
            assertEquals(t, ConvShape.parse(t).token());
        }
        ConvShape s = ConvShape.parse("n1c8h5w7m4k3x1s2x1p1x0x0x1g2d2x1");
        assertEquals(3, s.kh());
        assertEquals(1, s.kw());
        assertEquals(2, s.strideH());
        assertEquals(1, s.strideW());
        assertEquals(1, s.padTop());
        assertEquals(0, s.padLeft());
        assertEquals(0, s.padBottom());
        assertEquals(1, s.padRight());
        assertEquals(2, s.group());
        assertEquals(2, s.dilationH());
        assertEquals(1, s.dilationW());
        assertEquals("3x1/s2x1/g2/d2x1", s.layerClass());
    }

    @Test
    void macsAndOutputShape() {
        ConvShape s = ConvShape.parse("n2c16h10w12m8k3s2p1");
        assertArrayEquals(new int[] {2, 8, 5, 6}, s.outputShape());
        assertEquals(2L * 8 * 5 * 6 * 16 * 9, s.macs());
        assertEquals("3x3/s2", s.layerClass());
    }

    @Test
    void rejectsBadTokens() {
        assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("c256h100"));
        assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("n1c0h5w5m1k1s1p0"));
        assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("n1c3h2w2m1k5s1p0"), "empty output");
        assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("n1c3h5w5m1k1s1p0g2"), "group must divide c");
        assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("n99999999999c3h5w5m1k1s1p0"));
    }
}

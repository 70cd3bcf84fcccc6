package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BoxCoderTest {
    private final BoxCoder coder = new BoxCoder(DetectorConfig.defaults());
    private static final float[] ANCHOR = {-16f, -16f, 16f, 16f};

    private float[] decode(float d0, float d1, float d2, float d3) {
        float[] out = new float[4];
        coder.decode(ANCHOR, 0, d0, d1, d2, d3, 1344f, 800f, out, 0);
        return out;
    }

    @Test
    void clampBoundIsTheFloat32OfLnRatio() {
        assertEquals(4.1351666f, coder.maxRatio());
        assertEquals((float) 4.135166556742356, coder.maxRatio());
    }

    @Test
    void widthAndHeightDeltasAreClamped() {
        // anchor centred at the origin: half the box is clipped away, so move it inside first
        float[] anchor = {600f, 300f, 632f, 332f};
        float[] big = new float[4];
        float[] huge = new float[4];
        float[] inf = new float[4];
        float[] below = new float[4];
        coder.decode(anchor, 0, 0f, 0f, 40f, -40f, 1e9f, 1e9f, big, 0);
        coder.decode(anchor, 0, 0f, 0f, 1e6f, -1e6f, 1e9f, 1e9f, huge, 0);
        coder.decode(anchor, 0, 0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e9f, 1e9f, inf, 0);
        coder.decode(anchor, 0, 0f, 0f, 20f, -20f, 1e9f, 1e9f, below, 0);
        assertArrayEquals(big, huge);
        assertArrayEquals(big, inf);
        assertNotEquals(big[2], below[2]);
        float gw = 32f * (float) StrictMath.exp(4.1351666f);
        assertEquals(616f + gw * 0.5f, big[2]);
        float gh = 32f * (float) StrictMath.exp(-4.1351666f);
        assertEquals(316f + gh * 0.5f, big[3]);
    }

    @Test
    void clipsToTheResizedImage() {
        assertArrayEquals(new float[] {0f, 0f, 16f, 16f}, decode(0, 0, 0, 0));
        float[] left = decode(-30f, 0f, 0f, 0f); // centre -96: flat at x = 0
        assertEquals(0f, left[0]);
        assertEquals(0f, left[2]);
        float[] out = new float[4];
        coder.decode(new float[] {1330f, 790f, 1362f, 822f}, 0, 0f, 0f, 0f, 0f, 1344f, 800f, out, 0);
        assertArrayEquals(new float[] {1330f, 790f, 1344f, 800f}, out);
    }

    @Test
    void nonFiniteDeltas() {
        float[] nan = decode(Float.NaN, 0f, 0f, 0f);
        assertTrue(Float.isNaN(nan[0]) && Float.isNaN(nan[2]), "NaN stays NaN through the clip (torch.clamp)");
        assertEquals(0f, nan[1]);
        float[] inf = decode(Float.POSITIVE_INFINITY, 0f, 0f, 0f);
        assertEquals(1344f, inf[0]);
        assertEquals(1344f, inf[2]);
    }

    @Test
    void meansAndStdsFromTheConfig() {
        DetectorConfig c = DetectorConfig.fromJson("""
                {"bbox_coder": {"target_means": [0.5, 0, 0, 0], "target_stds": [1, 1, 1, 1]}}""", "test");
        BoxCoder plain = new BoxCoder(c);
        float[] out = new float[4];
        plain.decode(new float[] {100f, 100f, 200f, 200f}, 0, 0.25f, 0f, 0f, 0f, 1344f, 800f, out, 0);
        assertArrayEquals(new float[] {175f, 100f, 275f, 200f}, out); // dx = 0.25 * 1 + 0.5
    }
}

package io.freeanchor.kernels.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SigmoidTest {
    @Test
    void projectRuleValues() {
        assertEquals(0.8175744414329529f, Sigmoid.of(1.5f));
        assertEquals(0.5f, Sigmoid.of(0f));
        assertEquals(1f, Sigmoid.of(Float.POSITIVE_INFINITY));
        assertEquals(0f, Sigmoid.of(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Sigmoid.of(Float.NaN)));
        // 1f + e rounds to 1 once e < 2^-24: every logit above about 16.64 scores exactly 1
        assertEquals(1f, Sigmoid.of(16.7f));
        assertTrue(Sigmoid.of(16.6f) < 1f);
        // 1 / (1 + f32(exp(-x))): the float32 add and divide after the rounded exp
        float x = -2.5f;
        float e = (float) Math.exp(2.5);
        assertEquals(1f / (1f + e), Sigmoid.of(x));
    }

    @Test
    void gateIsExactlyTheThreshold() {
        float thr = 0.05f;
        float gate = Sigmoid.minLogitAbove(thr);
        assertTrue(Sigmoid.of(gate) > thr);
        assertTrue(Sigmoid.of(Math.nextDown(gate)) <= thr);
        assertEquals(thr, Sigmoid.of(Math.nextDown(gate)), "a logit scores exactly f32(0.05)");
        assertEquals(-2.944439f, gate, 1e-5f);
        // every float within 2^21 ulps of the gate
        float lo = gate;
        for (int i = 0; i < 1 << 21; i++) {
            lo = Math.nextDown(lo);
        }
        for (float v = lo; v < gate + 0.5f; v = Math.nextUp(v)) {
            if ((v >= gate) != (Sigmoid.of(v) > thr)) {
                throw new AssertionError("gate disagrees at " + v);
            }
        }
        assertEquals(Float.NEGATIVE_INFINITY, Sigmoid.minLogitAbove(-1f));
        assertEquals(Float.POSITIVE_INFINITY, Sigmoid.minLogitAbove(1f));
        assertTrue(Sigmoid.of(Sigmoid.minLogitAbove(0f)) > 0f);
        assertEquals(0f, Sigmoid.of(Math.nextDown(Sigmoid.minLogitAbove(0f))));
    }

    @Test
    void monotoneOverRandomLogits() {
        Random r = new Random(1);
        float[] v = new float[2_000_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * (i % 2 == 0 ? 120 : 6));
        }
        Arrays.sort(v);
        float prev = Sigmoid.of(v[0]);
        for (float x : v) {
            float s = Sigmoid.of(x);
            assertTrue(s >= prev, "not monotone at " + x);
            prev = s;
        }
    }

    @Test
    void smallestLogitWithAtLeastAScore() {
        for (float s : new float[] {0.5f, 0.9f, 0.99999994f, 1f, 0.0500001f}) {
            float g = Sigmoid.minLogitAtLeast(s, -200f, 200f);
            assertTrue(Sigmoid.of(g) >= s);
            assertTrue(Sigmoid.of(Math.nextDown(g)) < s, "at " + s);
        }
        assertEquals(-5f, Sigmoid.minLogitAtLeast(0.001f, -5f, 10f), "lo already scores enough");
    }

    @Test
    void orderedIntMapping() {
        float[] v = {Float.NEGATIVE_INFINITY, -3e38f, -1f, -Float.MIN_VALUE, 0f, Float.MIN_VALUE, 1f, 3e38f,
            Float.POSITIVE_INFINITY};
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], Sigmoid.fromOrd(Sigmoid.ord(v[i])));
            if (i > 0) {
                assertTrue(Sigmoid.ord(v[i - 1]) < Sigmoid.ord(v[i]));
            }
        }
        assertEquals(0, Sigmoid.ord(-0f));
    }
}

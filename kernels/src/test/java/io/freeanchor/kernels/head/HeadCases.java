package io.freeanchor.kernels.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.TestTensors;
import io.freeanchor.kernels.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Awkward inputs for {@code Backend.headCandidates} and the comparison of two backends' results:
 * levels smaller than topK, many equal scores (logits from a few values, saturated ones scoring
 * 1.0f), nothing above the threshold, logits exactly at the threshold's gate, NaNs, batch > 1.
 */
public final class HeadCases {
    private HeadCases() {}

    /** One call: params and inputs. */
    public record Case(String name, HeadParams p, Tensor cls, Tensor reg, Tensor anchors) {
        @Override
        public String toString() {
            return name + " cls " + cls + " k " + p.topK();
        }
    }

    /** The outputs of one call. */
    public record Result(Tensor scores, Tensor pairs, Tensor boxes, Tensor counts) {}

    public static Result run(Backend b, Case c) {
        int n = c.cls.dim(0), k = c.p.topK();
        Result r = new Result(TestTensors.output(DType.FLOAT32, n, k), TestTensors.output(DType.INT64, n, k),
                TestTensors.output(DType.FLOAT32, n, k, 4), TestTensors.output(DType.INT64, n));
        b.headCandidates(c.p, c.cls, c.reg, c.anchors, r.scores, r.pairs, r.boxes, r.counts);
        return r;
    }

    public static HeadParams params(int classes, float thr, int k, float stride, int h, int w) {
        return new HeadParams(classes, thr, k, stride, new float[] {0, 0, 0, 0}, new float[] {0.1f, 0.1f, 0.2f, 0.2f},
                (float) Math.abs(StrictMath.log(16.0 / 1000)), w * stride, h * stride);
    }

    public static Tensor anchors(int a, float stride) {
        float[] v = new float[4 * a];
        for (int i = 0; i < a; i++) {
            float half = stride * (1 + i) * 0.75f;
            v[4 * i] = -half;
            v[4 * i + 1] = -half * (i % 3 + 1) / 2f;
            v[4 * i + 2] = half;
            v[4 * i + 3] = half * (i % 3 + 1) / 2f;
        }
        return Tensor.ofFloats(new int[] {a, 4}, v);
    }

    /** Gaussian logits * scale + shift, deltas Gaussian * 2 (some clamped). */
    public static Case gaussian(String name, long seed, int n, int a, int classes, int h, int w, int k, float scale,
            float shift) {
        Random rnd = new Random(seed);
        Tensor cls = TestTensors.random(rnd, n, a * classes, h, w);
        float[] c = cls.floats();
        for (int i = 0; i < cls.size(); i++) {
            c[i] = c[i] * scale + shift;
        }
        Tensor reg = TestTensors.random(rnd, n, 4 * a, h, w);
        float[] r = reg.floats();
        for (int i = 0; i < reg.size(); i++) {
            r[i] *= 2f;
        }
        float stride = 8 << (seed & 3);
        return new Case(name, params(classes, 0.05f, k, stride, h, w), cls, reg, anchors(a, stride));
    }

    /** Logits drawn from a few values (heavy ties, saturated scores, the gate itself and below). */
    public static Case ties(String name, long seed, int n, int a, int classes, int h, int w, int k) {
        Case g = gaussian(name, seed, n, a, classes, h, w, k, 1f, 0f);
        float gate = g.p.logitGate();
        float[] values = {-4f, Math.nextDown(gate), gate, 0.5f, 0.5f, 3f, 17f, 18f, 25f, 40f, Float.POSITIVE_INFINITY,
                Float.NaN, -0f, 0f};
        Random rnd = new Random(seed + 1);
        float[] c = g.cls.floats();
        for (int i = 0; i < g.cls.size(); i++) {
            c[i] = values[rnd.nextInt(values.length)];
        }
        return g;
    }

    public static List<Case> all(boolean large) {
        List<Case> out = new ArrayList<>();
        out.add(gaussian("level smaller than k", 1, 2, 9, 4, 3, 5, 1000, 3f, 0f));
        out.add(gaussian("one pair", 2, 1, 1, 1, 1, 1, 1, 3f, 2f));
        out.add(gaussian("k = 1", 3, 3, 3, 7, 5, 9, 1, 3f, 0f));
        out.add(gaussian("nothing above threshold", 4, 2, 9, 4, 6, 7, 100, 0.5f, -6f));
        out.add(ties("ties", 5, 3, 3, 5, 7, 11, 50));
        out.add(ties("ties, k > survivors", 6, 2, 2, 3, 3, 4, 70));
        out.add(ties("ties, odd k", 7, 2, 9, 80, 13, 21, 333));
        out.add(gaussian("gaussian, batch 3", 8, 3, 9, 80, 13, 21, 1000, 3f, -2f));
        out.add(gaussian("non-power-of-two k", 9, 2, 9, 6, 17, 23, 777, 2f, 0f));
        if (large) {
            out.add(gaussian("P4-sized level", 10, 1, 9, 80, 50, 84, 1000, 3f, -3f));
        }
        return out;
    }

    /**
     * Same counts and pairs; scores within scoreTol (0: bit-exact) and boxes within boxTol, over the
     * kept rows; the rows past the count untouched (still the output's NaN fill).
     */
    public static void assertSame(Case c, Result want, Result got, float scoreTol, float boxTol) {
        int n = c.cls.dim(0), k = c.p.topK();
        for (int i = 0; i < n; i++) {
            long m = want.counts.longs()[i];
            assertEquals(m, got.counts.longs()[i], c + ": count of image " + i);
            for (int j = 0; j < k; j++) {
                int o = i * k + j;
                if (j >= m) {
                    assertEquals(Long.MIN_VALUE, got.pairs.longs()[o], c + ": pair row " + j + " past the count");
                    continue;
                }
                String at = c + ": image " + i + " row " + j;
                assertEquals(want.pairs.longs()[o], got.pairs.longs()[o], at + " pair");
                assertEquals(want.scores.floats()[o], got.scores.floats()[o], scoreTol, at + " score");
                for (int q = 0; q < 4; q++) {
                    assertEquals(want.boxes.floats()[4 * o + q], got.boxes.floats()[4 * o + q], boxTol, at + " box " + q);
                }
            }
        }
    }
}

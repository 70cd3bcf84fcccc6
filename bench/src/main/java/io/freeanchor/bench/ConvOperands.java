package io.freeanchor.bench;

import io.freeanchor.kernels.Tensor;
import java.util.SplittableRandom;

/**
 * Seeded random operands of one convolution: input ~ U(-1, 1), weights ~ U(-1, 1) / sqrt(fan-in) so
 * outputs stay O(1) whatever the shape, bias ~ U(-0.1, 0.1). The same seed gives the same operands to
 * every implementation being compared.
 */
record ConvOperands(Tensor x, Tensor w, Tensor bias) {
    static ConvOperands random(ConvShape s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int fanIn = s.c() / s.group() * s.kh() * s.kw();
        return new ConvOperands(uniform(s.inputShape(), 1, r), uniform(s.weightShape(), (float) (1 / Math.sqrt(fanIn)), r),
                uniform(new int[] {s.m()}, 0.1f, r));
    }

    private static Tensor uniform(int[] shape, float scale, SplittableRandom r) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble(-1, 1) * scale);
        }
        return Tensor.ofFloats(shape, v);
    }
}

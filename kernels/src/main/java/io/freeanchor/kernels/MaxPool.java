package io.freeanchor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling over [N, C, H, W] for {@link JavaBackend}, separably and on vectors: per output row,
 * the window's valid input rows are maxed column by column into a row buffer padded with -infinity
 * on both sides (so padding and the ceil-mode overhang need no bounds tests), then the window's
 * taps are maxed at every start column of that buffer, and the output columns are taken from it at
 * the stride. Each max is {@code if (v > max) max = v} lane by lane from -infinity, as the
 * reference loops do: NaNs never win and a window with no valid input gives -infinity. (Only the
 * sign of a zero may differ from the reference's row-major tap order when +0 and -0 tie.)
 */
final class MaxPool {
    private static final VectorSpecies<Float> SPECIES = Vectors.FLOATS;
    private static final int VL = SPECIES.length();

    private MaxPool() {}

    /** Per-worker row buffers, grown on demand and reused across calls. */
    static final class Scratch {
        float[] rows = new float[0];
        float[] starts = new float[0];
    }

    /** Runs the pooling on the pool, a task per (image, channel) plane. Arguments are validated. */
    static void run(WorkerPool pool, Scratch[] scratch, Pool2dParams p, Tensor x, Tensor y) {
        final int planes = x.dim(0) * x.dim(1);
        final int inH = x.dim(2), inW = x.dim(3), outH = y.dim(2), outW = y.dim(3);
        if (planes == 0 || outH == 0 || outW == 0) {
            return;
        }
        final int padL = p.padLeft(), kW = p.kernelW(), dW = p.dilationW(), sW = p.strideW();
        // starts[s] is the window max of the columns rows[s + kw * dW]: s = ow * sW for output ow.
        final int startCount = Math.ceilDiv((outW - 1) * sW + 1, VL) * VL;
        final int rowLength = Math.max(padL + inW, startCount + (kW - 1) * dW) + VL;
        final float[] xs = x.floats(), ys = y.floats();
        pool.parallelFor(planes, (plane, worker) -> {
            Scratch s = scratch[worker];
            if (s.rows.length < rowLength) {
                s.rows = new float[rowLength];
            }
            if (s.starts.length < startCount) {
                s.starts = new float[startCount];
            }
            float[] rows = s.rows, starts = s.starts;
            java.util.Arrays.fill(rows, 0, rowLength, Float.NEGATIVE_INFINITY);
            int xb = plane * inH * inW, yb = plane * outH * outW;
            for (int oh = 0; oh < outH; oh++) {
                int startH = oh * p.strideH() - p.padTop();
                java.util.Arrays.fill(rows, padL, padL + inW, Float.NEGATIVE_INFINITY);
                for (int kh = 0; kh < p.kernelH(); kh++) {
                    int ih = startH + kh * p.dilationH();
                    if (ih >= 0 && ih < inH) {
                        maxInto(rows, padL, xs, xb + ih * inW, inW);
                    }
                }
                windowMax(rows, starts, startCount, kW, dW);
                int yRow = yb + oh * outW;
                if (sW == 1) {
                    System.arraycopy(starts, 0, ys, yRow, outW);
                } else {
                    for (int ow = 0, at = 0; ow < outW; ow++, at += sW) {
                        ys[yRow + ow] = starts[at];
                    }
                }
            }
        });
    }

    /** acc[at + i] = x[from + i] if it is greater, for i < n. */
    private static void maxInto(float[] acc, int at, float[] x, int from, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += VL) {
            FloatVector a = FloatVector.fromArray(SPECIES, acc, at + i);
            FloatVector v = FloatVector.fromArray(SPECIES, x, from + i);
            a.blend(v, v.compare(VectorOperators.GT, a)).intoArray(acc, at + i);
        }
        for (; i < n; i++) {
            float v = x[from + i];
            if (v > acc[at + i]) {
                acc[at + i] = v;
            }
        }
    }

    /** starts[s] = max over kw < kW of rows[s + kw * dW], from -infinity, for s < count (a multiple of VL). */
    private static void windowMax(float[] rows, float[] starts, int count, int kW, int dW) {
        for (int s = 0; s < count; s += VL) {
            FloatVector m = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (int kw = 0; kw < kW; kw++) {
                FloatVector v = FloatVector.fromArray(SPECIES, rows, s + kw * dW);
                m = m.blend(v, v.compare(VectorOperators.GT, m));
            }
            m.intoArray(starts, s);
        }
    }
}

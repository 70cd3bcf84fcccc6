package io.freeanchor.bench;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.head.HeadParams;
import io.freeanchor.kernels.opencl.ClDevices;
import io.freeanchor.kernels.opencl.OpenClBackend;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Backend.headCandidates} over the five RetinaNet levels of an 800x1344 input (P3..P7 maps
 * 100x168 .. 7x11, 9 anchors x 80 classes, nms_pre 1000, score_thr 0.05), one batch of {@code batch}
 * images: ms per batch. {@code impl} = opencl (device {@code -Dfreeanchor.opencl.device=N}, maps
 * resident on the device, only the candidates read back) or java (the JavaBackend's gated selection,
 * one thread). Logits are Gaussian around RetinaNet's prior bias (-4.6, sd 1.5: ~13% of the pairs
 * score above 0.05), deltas Gaussian. {@code main} prints the same as a table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1)
public class HeadCandidatesBenchmark {
    static final int[][] LEVELS = {{100, 168}, {50, 84}, {25, 42}, {13, 21}, {7, 11}};
    static final int[] STRIDES = {8, 16, 32, 64, 128};
    static final int ANCHORS = 9, CLASSES = 80, TOP_K = 1000;

    @Param({"opencl", "java"})
    public String impl;

    @Param({"2"})
    public int batch;

    private Backend backend;
    private Tensor[] cls, reg, scores, pairs, boxes, counts;
    private HeadParams[] params;
    private Tensor anchors;

    @Setup(Level.Trial)
    public void setup() {
        backend = impl.equals("opencl")
                ? new OpenClBackend(ClDevices.get(Integer.getInteger("freeanchor.opencl.device", 0)),
                        OpenClBackend.Precision.FP32, null)
                : new JavaBackend(1);
        Random rnd = new Random(1);
        int l = LEVELS.length;
        cls = new Tensor[l];
        reg = new Tensor[l];
        scores = new Tensor[l];
        pairs = new Tensor[l];
        boxes = new Tensor[l];
        counts = new Tensor[l];
        params = new HeadParams[l];
        for (int i = 0; i < l; i++) {
            int h = LEVELS[i][0], w = LEVELS[i][1];
            cls[i] = gaussian(rnd, -4.6f, 1.5f, batch, ANCHORS * CLASSES, h, w);
            reg[i] = gaussian(rnd, 0f, 1f, batch, 4 * ANCHORS, h, w);
            scores[i] = Tensor.zeros(DType.FLOAT32, new int[] {batch, TOP_K});
            pairs[i] = Tensor.zeros(DType.INT64, new int[] {batch, TOP_K});
            boxes[i] = Tensor.zeros(DType.FLOAT32, new int[] {batch, TOP_K, 4});
            counts[i] = Tensor.zeros(DType.INT64, new int[] {batch});
            params[i] = new HeadParams(CLASSES, 0.05f, TOP_K, STRIDES[i], new float[4],
                    new float[] {0.1f, 0.1f, 0.2f, 0.2f}, (float) Math.abs(StrictMath.log(0.016)), 1344f, 800f);
        }
        float[] a = new float[4 * ANCHORS];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 4 < 2 ? -1 : 1) * (16 + 4 * (i / 4));
        }
        anchors = Tensor.ofFloats(new int[] {ANCHORS, 4}, a);
        run(); // uploads (opencl) and builds the kernels
    }

    private static Tensor gaussian(Random rnd, float mean, float sd, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT32, shape);
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] = mean + sd * (float) rnd.nextGaussian();
        }
        return t;
    }

    /** All five levels of the batch; returns the candidates kept (so the work is not dead code). */
    @Benchmark
    public long run() {
        long kept = 0;
        for (int i = 0; i < LEVELS.length; i++) {
            backend.headCandidates(params[i], cls[i], reg[i], anchors, scores[i], pairs[i], boxes[i], counts[i]);
            kept += counts[i].longs()[0];
        }
        return kept;
    }

    @TearDown(Level.Trial)
    public void close() {
        backend.close();
    }

    /** Prints ms per batch for each impl: median of {@code runs} after one warm-up. Args: batch runs. */
    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("device: " + ClDevices.get(Integer.getInteger("freeanchor.opencl.device", 0)).describe());
        for (String impl : new String[] {"opencl", "java"}) {
            HeadCandidatesBenchmark b = new HeadCandidatesBenchmark();
            b.impl = impl;
            b.batch = batch;
            b.setup();
            double[] ms = new double[runs];
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                b.run();
                ms[r] = (System.nanoTime() - t0) / 1e6;
            }
            b.close();
            Arrays.sort(ms);
            System.out.printf("%-7s batch %d: median %.1f ms per batch (%.1f ms per image), runs %s%n", impl, batch,
                    ms[runs / 2], ms[runs / 2] / batch, Arrays.toString(ms));
        }
    }
}

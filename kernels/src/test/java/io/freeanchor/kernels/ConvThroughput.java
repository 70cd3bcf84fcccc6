package io.freeanchor.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hand-run throughput check of {@link JavaBackend#conv2d} (not a unit test; nothing runs it
 * automatically). After {@code ./mvnw -q -pl kernels test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp kernels/target/classes:kernels/target/test-classes \
 *      io.freeanchor.kernels.ConvThroughput [threads [repeats [filter | net]]]
 * </pre>
 * With {@code -Dcpu} (and 1 thread) times are the thread's CPU time, steadier on a busy machine.
 * Prints best and mean time and GFLOP/s (2 flops per multiply-accumulate of the convolution) per
 * shape; {@code filter} keeps shapes whose name contains it. {@code net} instead runs every conv of
 * ResNet-50-FPN RetinaNet at 1x3x800x1344 twice (the first pass includes JIT warm-up) and prints the
 * totals; add {@code -Dverbose} to the java command for a line per conv. {@code errors} instead
 * prints each algorithm's error against the reference per stride-1 3x3 layer shape.
 */
public final class ConvThroughput {
    private ConvThroughput() {}

    /** name, N, C, H, W, M, k, stride, pad, residual */
    private record Shape(String name, int n, int c, int h, int w, int m, int k, int stride, int pad, boolean residual) {
        double flops() {
            Conv2dParams p = params();
            return 2.0 * n * m * p.outHeight(h, k) * p.outWidth(w, k) * c * k * k;
        }

        Conv2dParams params() {
            return new Conv2dParams(stride, stride, pad, pad, pad, pad, 1, 1, 1, Activation.RELU);
        }
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String filter = args.length > 2 ? args[2] : "";
        System.out.printf("threads=%d vector=%d floats%n", threads, JavaBackend.vectorLength());
        try (JavaBackend backend = new JavaBackend(threads)) {
            if (filter.equals("net")) {
                network(backend);
                return;
            }
            if (filter.equals("errors")) {
                errors(backend);
                return;
            }
            List<Shape> shapes = List.of(
                    new Shape("3x3 s1 256->256 @100x168", 1, 256, 100, 168, 256, 3, 1, 1, false),
                    new Shape("1x1 s1 256->64 @200x336", 1, 256, 200, 336, 64, 1, 1, 0, false),
                    new Shape("7x7 s2 3->64 @800x1344", 1, 3, 800, 1344, 64, 7, 2, 3, false),
                    new Shape("1x1 s1 64->256 @200x336 +res", 1, 64, 200, 336, 256, 1, 1, 0, true),
                    new Shape("3x3 s1 64->64 @200x336", 1, 64, 200, 336, 64, 3, 1, 1, false),
                    new Shape("3x3 s2 256->256 @50x84", 1, 256, 50, 84, 256, 3, 2, 1, false),
                    new Shape("3x3 s1 512->512 @25x42", 1, 512, 25, 42, 512, 3, 1, 1, false),
                    new Shape("3x3 s1 256->720 @13x21", 1, 256, 13, 21, 720, 3, 1, 1, false),
                    // smaller layers, for the Winograd/GEMM rule
                    new Shape("3x3 s1 256->256 @7x11", 1, 256, 7, 11, 256, 3, 1, 1, false),
                    new Shape("3x3 s1 256->36 @7x11", 1, 256, 7, 11, 36, 3, 1, 1, false),
                    new Shape("3x3 s1 256->36 @100x168", 1, 256, 100, 168, 36, 3, 1, 1, false),
                    new Shape("3x3 s1 128->128 @100x168 b2", 2, 128, 100, 168, 128, 3, 1, 1, false),
                    new Shape("3x3 s1 32->32 @50x84", 1, 32, 50, 84, 32, 3, 1, 1, false),
                    new Shape("3x3 s1 16->16 @50x84", 1, 16, 50, 84, 16, 3, 1, 1, false),
                    new Shape("3x3 s1 8->8 @50x84", 1, 8, 50, 84, 8, 3, 1, 1, false),
                    new Shape("3x3 s1 3->64 @50x84", 1, 3, 50, 84, 64, 3, 1, 1, false),
                    new Shape("3x3 s1 64->4 @50x84", 1, 64, 50, 84, 4, 3, 1, 1, false),
                    new Shape("3x3 s1 256->256 @2x2", 1, 256, 2, 2, 256, 3, 1, 1, false));
            for (Shape s : shapes) {
                if (s.name().contains(filter)) {
                    run(backend, repeats, s);
                }
            }
        }
    }

    /** Times the shape with every algorithm that supports it. */
    private static void run(JavaBackend backend, int repeats, Shape s) {
        Random rnd = new Random(1);
        Conv2dParams p = s.params();
        int oh = p.outHeight(s.h(), s.k()), ow = p.outWidth(s.w(), s.k());
        Tensor x = random(rnd, s.n(), s.c(), s.h(), s.w());
        Tensor wt = random(rnd, s.m(), s.c(), s.k(), s.k());
        Tensor b = random(rnd, s.m());
        Tensor res = s.residual() ? random(rnd, s.n(), s.m(), oh, ow) : null;
        Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {s.n(), s.m(), oh, ow});
        for (ConvAlgorithm algorithm : ConvAlgorithm.values()) {
            if (!algorithm.supports(p, wt.shape())) {
                continue;
            }
            PreparedConv prepared = backend.prepareConv(p, x.shape(), wt, algorithm);
            backend.conv2dPrepared(prepared, p, x, wt, b, res, y); // warms up
            backend.conv2dPrepared(prepared, p, x, wt, b, res, y);
            double best = Double.MAX_VALUE, total = 0;
            for (int i = 0; i < repeats; i++) {
                long t0 = now();
                backend.conv2dPrepared(prepared, p, x, wt, b, res, y);
                double sec = (now() - t0) / 1e9;
                best = Math.min(best, sec);
                total += sec;
            }
            String chosen = ConvAlgorithm.choose(p, x.shape(), wt.shape()) == algorithm ? "*" : " ";
            System.out.printf("%-32s %-14s%s %8.2f ms best %8.2f ms mean  %6.1f GFLOP/s best  %6.1f GFLOP/s mean%n",
                    s.name(), algorithm.label(), chosen, best * 1e3, total / repeats * 1e3, s.flops() / best / 1e9,
                    s.flops() / (total / repeats) / 1e9);
        }
    }

    /**
     * Wall time, or with {@code -Dcpu} the calling thread's CPU time: on a shared machine that is the
     * steadier figure for comparing kernels, and with one thread the calling thread does all the work.
     */
    private static long now() {
        return System.getProperty("cpu") != null
                ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Every conv of ResNet-50-FPN RetinaNet (9 anchors, 80 classes) at 800x1344. */
    private static List<Shape> networkConvs() {
        List<Shape> l = new ArrayList<>();
        l.add(new Shape("stem", 1, 3, 800, 1344, 64, 7, 2, 3, false));
        int[] blocks = {3, 4, 6, 3};
        int in = 64, h = 200, w = 336;
        for (int stage = 0; stage < 4; stage++) {
            int mid = 64 << stage, out = mid * 4;
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                String n = "layer" + (stage + 1) + "." + b;
                l.add(new Shape(n + ".conv1", 1, in, h, w, mid, 1, 1, 0, false));
                l.add(new Shape(n + ".conv2", 1, mid, h, w, mid, 3, stride, 1, false));
                int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
                if (b == 0) {
                    l.add(new Shape(n + ".downsample", 1, in, h, w, out, 1, stride, 0, false));
                }
                l.add(new Shape(n + ".conv3", 1, mid, oh, ow, out, 1, 1, 0, true));
                in = out;
                h = oh;
                w = ow;
            }
        }
        int[][] levels = {{512, 100, 168}, {1024, 50, 84}, {2048, 25, 42}};
        for (int[] lv : levels) {
            l.add(new Shape("fpn.lateral" + lv[0], 1, lv[0], lv[1], lv[2], 256, 1, 1, 0, false));
            l.add(new Shape("fpn.out" + lv[0], 1, 256, lv[1], lv[2], 256, 3, 1, 1, false));
        }
        l.add(new Shape("fpn.p6", 1, 2048, 25, 42, 256, 3, 2, 1, false));
        l.add(new Shape("fpn.p7", 1, 256, 13, 21, 256, 3, 2, 1, false));
        int[][] maps = {{100, 168}, {50, 84}, {25, 42}, {13, 21}, {7, 11}};
        for (int[] m : maps) {
            for (int i = 0; i < 4; i++) {
                l.add(new Shape("head.cls" + i + "@" + m[0], 1, 256, m[0], m[1], 256, 3, 1, 1, false));
                l.add(new Shape("head.reg" + i + "@" + m[0], 1, 256, m[0], m[1], 256, 3, 1, 1, false));
            }
            l.add(new Shape("head.cls_out@" + m[0], 1, 256, m[0], m[1], 720, 3, 1, 1, false));
            l.add(new Shape("head.reg_out@" + m[0], 1, 256, m[0], m[1], 36, 3, 1, 1, false));
        }
        return l;
    }

    private static void network(JavaBackend backend) {
        List<Shape> convs = networkConvs();
        Random rnd = new Random(2);
        List<Tensor[]> tensors = new ArrayList<>();
        double flops = 0;
        for (Shape s : convs) {
            Conv2dParams p = s.params();
            int oh = p.outHeight(s.h(), s.k()), ow = p.outWidth(s.w(), s.k());
            tensors.add(new Tensor[] {random(rnd, s.n(), s.c(), s.h(), s.w()), random(rnd, s.m(), s.c(), s.k(), s.k()),
                    random(rnd, s.m()), s.residual() ? random(rnd, s.n(), s.m(), oh, ow) : null,
                    Tensor.zeros(DType.FLOAT32, new int[] {s.n(), s.m(), oh, ow})});
            flops += s.flops();
        }
        long p0 = System.nanoTime();
        for (Tensor[] t : tensors) {
            backend.prepareConvWeights(t[1], 1);
        }
        System.out.printf("packing all weights: %.2f s%n", (System.nanoTime() - p0) / 1e9);
        for (int pass = 0; pass < 2; pass++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < convs.size(); i++) {
                Tensor[] t = tensors.get(i);
                long c0 = System.nanoTime();
                backend.conv2d(convs.get(i).params(), t[0], t[1], t[2], t[3], t[4]);
                if (System.getProperty("verbose") != null) {
                    double cs = (System.nanoTime() - c0) / 1e9;
                    System.out.printf("  %-24s %7.1f ms %6.1f GFLOP/s%n", convs.get(i).name(), cs * 1e3,
                            convs.get(i).flops() / cs / 1e9);
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: %d convs, %.1f GMAC, %.2f s, %.1f GFLOP/s%n", pass == 0 ? "first pass"
                    : "second pass", convs.size(), flops / 2e9, sec, flops / sec / 1e9);
        }
    }

    /**
     * Per distinct stride-1 3x3 layer of the network (real channel counts; maps cropped to at most
     * 25x42 so that the reference loops finish), max |ours - ref| / max |ref| of each algorithm
     * against {@link ReferenceBackend}, with Gaussian inputs and weights.
     */
    private static void errors(JavaBackend backend) {
        ReferenceBackend ref = new ReferenceBackend();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Shape s : networkConvs()) {
            if (s.k() != 3 || s.stride() != 1) {
                continue;
            }
            int h = Math.min(s.h(), 25), w = Math.min(s.w(), 42);
            String key = s.c() + "->" + s.m() + " @" + h + "x" + w;
            if (!seen.add(key)) {
                continue;
            }
            Random rnd = new Random(key.hashCode());
            Conv2dParams p = s.params();
            Tensor x = random(rnd, 1, s.c(), h, w);
            Tensor wt = random(rnd, s.m(), s.c(), 3, 3);
            Tensor b = random(rnd, s.m());
            Tensor expected = Tensor.zeros(DType.FLOAT32, new int[] {1, s.m(), h, w});
            ref.conv2d(p, x, wt, b, null, expected);
            StringBuilder line = new StringBuilder(String.format("%-24s", key));
            for (ConvAlgorithm algorithm : ConvAlgorithm.values()) {
                Tensor y = Tensor.zeros(DType.FLOAT32, new int[] {1, s.m(), h, w});
                backend.conv2dPrepared(backend.prepareConv(p, x.shape(), wt, algorithm), p, x, wt, b, null, y);
                double maxRef = 0, maxErr = 0;
                for (int i = 0; i < y.size(); i++) {
                    maxRef = Math.max(maxRef, Math.abs(expected.floats()[i]));
                    maxErr = Math.max(maxErr, Math.abs((double) y.floats()[i] - expected.floats()[i]));
                }
                line.append(String.format("  %s %.2e", algorithm.label(), maxErr / maxRef));
            }
            System.out.println(line);
        }
    }

    private static Tensor random(Random rnd, int... shape) {
        float[] d = new float[Shapes.size(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rnd.nextGaussian();
        }
        return Tensor.ofFloats(shape, d);
    }
}

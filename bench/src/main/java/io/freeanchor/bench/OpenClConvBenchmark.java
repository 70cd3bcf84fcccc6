package io.freeanchor.bench;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.kernels.opencl.ClDevices;
import io.freeanchor.kernels.opencl.OpenClBackend;
import io.freeanchor.kernels.opencl.TileConfig;
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
 * One fused convolution (bias + ReLU) of ResNet-50-FPN RetinaNet's shapes on OpenCL device
 * {@code -Dfreeanchor.opencl.device=N} (default 0), tensors resident on the device, timed to
 * completion (clFinish). {@code tiles} is a tile configuration (tm,tn,tk,rm,rn,local|global) or
 * "auto" (the autotuner's choice); {@code winograd} is {@code -Dfreeanchor.opencl.winograd} for the
 * backend: auto, on (Winograd F(2x2,3x3) with the given tiles for its batched GEMM, on the 3x3
 * stride-1 shapes) or off. GFLOP/s = {@link #gflop(String)} / (ms/op) * 1000, the direct
 * convolution's FLOPs also for Winograd (which does 2.25x fewer multiplies); {@code main} prints it
 * directly per shape and configuration, GEMM and Winograd, and what the tuner picks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1)
public class OpenClConvBenchmark {
    /** name: N, C, H, W, M, kernel, stride (pad = kernel / 2). */
    @Param({"3x3 256-256 @50x84", "1x1 256-64 @100x168", "3x3 64-64 @100x168", "7x7s2 3-64 @400x672",
            "3x3 256-720 @13x21", "3x3 512-512 @25x42", "3x3 256-36 @100x168"})
    public String shape;

    @Param({"auto"})
    public String winograd;

    @Param({"auto"})
    public String tiles;

    @Param({"fp32"})
    public String precision;

    private static final String WINOGRAD = "freeanchor.opencl.winograd";
    private static final String[] SHAPES = {"3x3 256-256 @50x84", "1x1 256-64 @100x168", "3x3 64-64 @100x168",
            "7x7s2 3-64 @400x672", "3x3 256-720 @13x21", "3x3 512-512 @25x42", "3x3 256-36 @100x168"};

    private OpenClBackend backend;
    private Conv2dParams params;
    private Tensor x, w, bias, y;

    static int[] dims(String shape) {
        return switch (shape) {
            case "3x3 256-256 @50x84" -> new int[] {1, 256, 50, 84, 256, 3, 1};
            case "1x1 256-64 @100x168" -> new int[] {1, 256, 100, 168, 64, 1, 1};
            case "3x3 64-64 @100x168" -> new int[] {1, 64, 100, 168, 64, 3, 1};
            case "7x7s2 3-64 @400x672" -> new int[] {1, 3, 400, 672, 64, 7, 2};
            case "3x3 256-720 @13x21" -> new int[] {1, 256, 13, 21, 720, 3, 1};
            case "3x3 512-512 @25x42" -> new int[] {1, 512, 25, 42, 512, 3, 1};
            case "3x3 256-36 @100x168" -> new int[] {1, 256, 100, 168, 36, 3, 1};
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    }

    /** GFLOP of one convolution (2 flops per multiply-accumulate). */
    static double gflop(String shape) {
        int[] d = dims(shape);
        Conv2dParams p = params(d);
        return 2.0 * d[0] * d[4] * p.outHeight(d[2], d[5]) * p.outWidth(d[3], d[5]) * d[1] * d[5] * d[5] / 1e9;
    }

    static Conv2dParams params(int[] d) {
        int pad = d[5] / 2;
        return new Conv2dParams(d[6], d[6], pad, pad, pad, pad, 1, 1, 1, Activation.RELU);
    }

    @Setup(Level.Trial)
    public void setup() {
        int[] d = dims(shape);
        params = params(d);
        TileConfig forced = tiles.equals("auto") ? null : TileConfig.CANDIDATES.stream().filter(c -> c.id().equals(tiles))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown tiles " + tiles));
        String before = System.getProperty(WINOGRAD);
        System.setProperty(WINOGRAD, winograd); // read when the backend is made
        try {
            backend = new OpenClBackend(ClDevices.get(Integer.getInteger("freeanchor.opencl.device", 0)),
                    OpenClBackend.Precision.parse(precision), forced);
        } finally {
            if (before == null) {
                System.clearProperty(WINOGRAD);
            } else {
                System.setProperty(WINOGRAD, before);
            }
        }
        Random rnd = new Random(1);
        x = random(rnd, d[0], d[1], d[2], d[3]);
        w = random(rnd, d[4], d[1], d[5], d[5]);
        bias = random(rnd, d[4]);
        y = Tensor.zeros(DType.FLOAT32, new int[] {d[0], d[4], params.outHeight(d[2], d[5]), params.outWidth(d[3], d[5])});
        conv(); // uploads and, with "auto", tunes
    }

    private static Tensor random(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = (float) rnd.nextGaussian();
        }
        return t;
    }

    @Benchmark
    public void conv() {
        backend.conv2d(params, x, w, bias, null, y);
        backend.finish();
    }

    @TearDown(Level.Trial)
    public void close() {
        backend.close();
    }

    /**
     * Prints GFLOP/s per shape and configuration (GEMM, then Winograd F(2x2,3x3) on the 3x3 stride-1
     * shapes), best of {@code repeats} runs after one warm-up, and the autotuner's pick.
     * Arguments: repeats (3), precision (fp32), then optionally the shapes to run (default all).
     */
    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String precision = args.length > 1 ? args[1] : "fp32";
        System.out.println("device: " + ClDevices.get(Integer.getInteger("freeanchor.opencl.device", 0)).describe());
        System.out.println("GFLOP/s = direct convolution FLOPs / time, for Winograd too");
        String[] shapes = args.length > 2 ? java.util.Arrays.copyOfRange(args, 2, args.length) : SHAPES;
        for (String s : shapes) {
            int[] d = dims(s);
            boolean eligible = d[5] == 3 && d[6] == 1;
            System.out.println(String.format("%-22s %6.2f GFLOP", s, gflop(s)));
            for (String mode : eligible ? new String[] {"off", "on"} : new String[] {"off"}) {
                StringBuilder line = new StringBuilder(mode.equals("on") ? "  winograd" : "  gemm    ");
                for (TileConfig c : TileConfig.CANDIDATES) {
                    line.append(String.format("  [%s] %6.1f", c.id(), gflop(s) / (bestSeconds(s, c.id(), mode, precision,
                            repeats))));
                }
                System.out.println(line);
            }
            OpenClConvBenchmark tuned = make(s, "auto", "auto", precision); // its setup ran (and tuned) the conv
            System.out.println("  tuner picks: " + tuned.backend.lastConvolution());
            tuned.close();
        }
    }

    private static OpenClConvBenchmark make(String shape, String tiles, String winograd, String precision) {
        OpenClConvBenchmark b = new OpenClConvBenchmark();
        b.shape = shape;
        b.tiles = tiles;
        b.winograd = winograd;
        b.precision = precision;
        b.setup();
        return b;
    }

    private static double bestSeconds(String shape, String tiles, String winograd, String precision, int repeats) {
        OpenClConvBenchmark b = make(shape, tiles, winograd, precision);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            b.conv();
            best = Math.min(best, System.nanoTime() - t0);
        }
        b.close();
        return best / 1e9;
    }
}

package io.freeanchor.bench;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Backends;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.ResizeParams;
import io.freeanchor.kernels.ResizeParams.CoordinateTransform;
import io.freeanchor.kernels.ResizeParams.NearestRounding;
import io.freeanchor.kernels.Tensor;
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
 * The FPN's top-down step at 1x3x800x1344, P_i = Conv1x1(C_i) + Resize(nearest, x2)(P_i+1), as the
 * plan ran it before ({@code fused=false}: resizeNearest into a full-size map, then the conv with that
 * residual) and as {@code Conv+UpsampleAdd} runs it ({@code fused=true}: the conv reads the small map
 * at (oh / 2, ow / 2)). {@code level}: p3 (512 -> 256 channels at 100x168) or p4 (1024 -> 256 at 50x84).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xmx4g"})
public class UpsampleAddBenchmark {
    @Param({"p3", "p4"})
    public String level;

    @Param({"true", "false"})
    public boolean fused;

    @Param({"java"})
    public String impl;

    @Param({"0"})
    public int threads;

    private Backend backend;
    private Conv2dParams params, fusedParams;
    private ResizeParams resize;
    private ConvOperands operands;
    private Tensor small, up, y;

    @Setup(Level.Trial)
    public void setUp() {
        int c = level.equals("p3") ? 512 : 1024, h = level.equals("p3") ? 100 : 50, w = level.equals("p3") ? 168 : 84;
        ConvShape s = ConvShape.parse("n1c" + c + "h" + h + "w" + w + "m256k1s1p0");
        operands = ConvOperands.random(s, 0);
        small = ConvOperands.random(ConvShape.parse("n1c256h" + h / 2 + "w" + w / 2 + "m1k1s1p0"), 1).x();
        params = s.params(Activation.NONE);
        fusedParams = params.withResidualScale(2, 2);
        resize = new ResizeParams(new float[] {1, 1, 2, 2}, CoordinateTransform.ASYMMETRIC, NearestRounding.FLOOR);
        up = Tensor.zeros(DType.FLOAT32, s.outputShape());
        y = Tensor.zeros(DType.FLOAT32, s.outputShape());
        backend = Backends.create(impl, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
    }

    @Benchmark
    public void lateral() {
        if (fused) {
            backend.conv2d(fusedParams, operands.x(), operands.w(), operands.bias(), small, y);
        } else {
            backend.resizeNearest(resize, small, up);
            backend.conv2d(params, operands.x(), operands.w(), operands.bias(), up, y);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}

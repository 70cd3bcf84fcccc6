package io.freeanchor.bench;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Backends;
import io.freeanchor.kernels.Conv2dParams;
import io.freeanchor.kernels.Tensor;
import java.util.Map;
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
 * One convolution with fused bias and ReLU, per distinct conv shape of FreeAnchor at 1x3x800x1344
 * (the default {@code shape} list, largest total MACs first, as {@link ConvShapeLister} prints it for
 * fixtures-full/model_dynamic.onnx), through {@link Backend#conv2d} of the backend named by
 * {@code impl}, or through ONNX Runtime when {@code impl} is {@code onnxruntime} (a one-layer Conv+Relu
 * model, same operands, same threads; ORT allocates its output on every run, we write into ours).
 * {@code threads} 0 means all cores. GFLOP/s = 2 * MACs / time; {@link ConvReport} prints the table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Xmx6g"})
public class ConvShapesBenchmark {
    /** The implementation name that selects ONNX Runtime instead of one of our backends. */
    public static final String ORT = "onnxruntime";

    @Param({
           "n1c256h100w168m256k3s1p1", "n1c256h50w84m256k3s1p1", "n1c256h100w168m720k3s1p1",
           "n1c128h100w168m128k3s1p1", "n1c64h200w336m64k3s1p1", "n1c256h50w84m720k3s1p1", "n1c1024h50w84m256k1s1p0",
           "n1c256h50w84m1024k1s1p0", "n1c256h25w42m256k3s1p1", "n1c512h25w42m512k3s1p1", "n1c128h100w168m512k1s1p0",
           "n1c512h100w168m256k1s1p0", "n1c64h200w336m256k1s1p0", "n1c512h100w168m128k1s1p0",
           "n1c512h25w42m2048k1s1p0", "n1c3h800w1344m64k7s2p3", "n1c128h200w336m128k3s2p1", "n1c256h100w168m256k3s2p1",
           "n1c512h50w84m512k3s2p1", "n1c1024h50w84m2048k1s2p0", "n1c1024h50w84m512k1s1p0", "n1c2048h25w42m512k1s1p0",
           "n1c256h200w336m128k1s1p0", "n1c256h200w336m512k1s2p0", "n1c256h200w336m64k1s1p0",
           "n1c512h100w168m1024k1s2p0", "n1c256h25w42m720k3s1p1", "n1c256h100w168m36k3s1p1", "n1c2048h25w42m256k3s2p1",
           "n1c256h13w21m256k3s1p1", "n1c2048h25w42m256k1s1p0", "n1c256h13w21m720k3s1p1", "n1c256h7w11m256k3s1p1",
           "n1c256h50w84m36k3s1p1", "n1c64h200w336m64k1s1p0", "n1c256h7w11m720k3s1p1", "n1c256h25w42m36k3s1p1",
           "n1c256h13w21m256k3s2p1", "n1c256h13w21m36k3s1p1", "n1c256h7w11m36k3s1p1"
    })
    public String shape;

    @Param({"java"})
    public String impl;

    @Param({"0"})
    public int threads;

    private Backend backend;
    private OrtRunner ort;
    private Conv2dParams params;
    private ConvOperands operands;
    private Tensor y;

    @Setup(Level.Trial)
    public void setUp() {
        ConvShape s = ConvShape.parse(shape);
        int t = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        operands = ConvOperands.random(s, 0);
        params = s.params(Activation.RELU);
        if (impl.equals(ORT)) {
            ort = OrtRunner.open(null, SingleConvModel.build(s, operands), t);
            ort.feed(Map.of("x", operands.x()));
        } else {
            backend = Backends.create(impl, t);
            y = Tensor.zeros(io.freeanchor.kernels.DType.FLOAT32, s.outputShape());
        }
    }

    @Benchmark
    public void conv() {
        if (ort != null) {
            ort.runDiscarding();
        } else {
            backend.conv2d(params, operands.x(), operands.w(), operands.bias(), null, y);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (ort != null) {
            ort.close();
        }
        if (backend != null) {
            backend.close();
        }
    }
}

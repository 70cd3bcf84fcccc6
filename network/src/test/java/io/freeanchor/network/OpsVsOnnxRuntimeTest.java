package io.freeanchor.network;

import static io.freeanchor.onnx.DataType.FLOAT;
import static io.freeanchor.onnx.DataType.INT64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.DataType;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every op the planner supports, on edge-case attributes, against ONNX Runtime. The data inputs are
 * graph inputs (run-time tensors), so the kernels run rather than plan-time folding; each case runs
 * on both the fast JavaBackend(2) and the ReferenceBackend, twice (reused buffers must not leak).
 * Tolerance: max|ours - ref| / max|ref| <= 1e-4 for float, exact for int64.
 */
class OpsVsOnnxRuntimeTest {
    private static final double TOL = 1e-4;
    private static final long I64_MAX = Long.MAX_VALUE;
    private static final long I64_MIN = Long.MIN_VALUE;

    private static Backend javaBackend;
    private static Backend referenceBackend;

    @BeforeAll
    static void openBackends() {
        javaBackend = new JavaBackend(2);
        referenceBackend = new ReferenceBackend();
    }

    @AfterAll
    static void closeBackends() {
        javaBackend.close();
        referenceBackend.close();
    }

    // ================================================================ harness

    /** Name/tensor pairs in order. */
    static Map<String, Tensor> inputs(Object... nameThenTensor) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenTensor.length; i += 2) {
            m.put((String) nameThenTensor[i], (Tensor) nameThenTensor[i + 1]);
        }
        return m;
    }

    static Map<String, Tensor> check(String what, TestGraphs g, Map<String, Tensor> inputs, String... mustRun) {
        return check(what, g, inputs, PlanOptions.defaults(), mustRun);
    }

    /**
     * Runs the model in ONNX Runtime and in our engine on both backends and compares every output.
     * {@code mustRun} names op types (as {@link Plan#steps()} reports them) that must be run-time
     * steps, proving the kernel ran. Returns the ORT outputs.
     */
    static Map<String, Tensor> check(String what, TestGraphs g, Map<String, Tensor> inputs, PlanOptions options,
                                     String... mustRun) {
        return check(what, g, g, inputs, options, mustRun);
    }

    /** As above, but ONNX Runtime runs {@code reference}, an equivalent model it accepts, and we run {@code g}. */
    static Map<String, Tensor> check(String what, TestGraphs g, TestGraphs reference, Map<String, Tensor> inputs,
                                     PlanOptions options, String... mustRun) {
        byte[] bytes = g.bytes();
        Map<String, Tensor> ref = OrtReference.run(reference.bytes(), inputs, 1);
        OnnxModel model = OnnxLoader.parse(bytes, what);
        Map<String, int[]> shapes = new HashMap<>();
        Map<String, Tensor> pristine = new HashMap<>();
        inputs.forEach((k, v) -> {
            shapes.put(k, v.shape());
            pristine.put(k, v.copy());
        });
        for (Backend backend : List.of(javaBackend, referenceBackend)) {
            String where = what + " [" + backend.name() + "]";
            Network net = Network.compile(model, shapes, backend, options);
            List<String> steps = net.plan().steps().stream().map(Map.Entry::getValue).toList();
            for (String op : mustRun) {
                assertTrue(steps.contains(op), where + ": expected a run-time '" + op + "' step, the plan runs " + steps);
            }
            for (int run = 1; run <= 2; run++) {
                Map<String, Tensor> ours = net.run(inputs);
                assertEquals(List.copyOf(ref.keySet()), List.copyOf(ours.keySet()), where + ": output names");
                for (String name : ref.keySet()) {
                    Tolerance.assertClose(ours.get(name), ref.get(name), TOL, where + " run " + run + " output '" + name + "'");
                }
            }
            for (String k : inputs.keySet()) {
                Tolerance.assertClose(inputs.get(k), pristine.get(k), 0, where + ": input '" + k + "' was modified");
            }
        }
        return ref;
    }

    static List<String> steps(Network net) {
        return net.plan().steps().stream().map(Map.Entry::getValue).toList();
    }

    static Tensor rand(Random r, int... shape) {
        float[] v = new float[size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return Tensor.ofFloats(shape, v);
    }

    /** Values in [lo, hi). */
    static Tensor uniform(Random r, float lo, float hi, int... shape) {
        float[] v = new float[size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + r.nextFloat() * (hi - lo);
        }
        return Tensor.ofFloats(shape, v);
    }

    /** Values in [lo, hi]. */
    static Tensor randLongs(Random r, long lo, long hi, int... shape) {
        long[] v = new long[size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (long) r.nextInt((int) (hi - lo + 1));
        }
        return Tensor.ofLongs(shape, v);
    }

    /** Away from zero: sign * [0.5, 2). */
    static Tensor nonZero(Random r, int... shape) {
        float[] v = new float[size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (r.nextBoolean() ? 1 : -1) * (0.5f + 1.5f * r.nextFloat());
        }
        return Tensor.ofFloats(shape, v);
    }

    static Tensor floats(int[] shape, float... v) {
        return Tensor.ofFloats(shape, v);
    }

    static Tensor longs(int[] shape, long... v) {
        return Tensor.ofLongs(shape, v);
    }

    static int[] shape(int... dims) {
        return dims;
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    static Random rng(String what) {
        return new Random(what.hashCode() * 31L + 7);
    }

    // ================================================================ Conv

    /** A Conv case: input shape, output channels, kernel, and the attributes to set (null: leave unset). */
    static final class ConvCase {
        final String name;
        final int[] x;
        final int m;
        final int kh;
        final int kw;
        int group = 1;
        long[] strides;
        long[] pads;
        long[] dilations;
        String autoPad;
        boolean bias = true;
        boolean kernelShape;

        ConvCase(String name, int[] x, int m, int kh, int kw) {
            this.name = name;
            this.x = x;
            this.m = m;
            this.kh = kh;
            this.kw = kw;
        }

        ConvCase s(long... v) {
            strides = v;
            return this;
        }

        ConvCase p(long... v) {
            pads = v;
            return this;
        }

        ConvCase d(long... v) {
            dilations = v;
            return this;
        }

        ConvCase g(int v) {
            group = v;
            return this;
        }

        ConvCase auto(String v) {
            autoPad = v;
            return this;
        }

        ConvCase noBias() {
            bias = false;
            return this;
        }

        ConvCase withKernelShape() {
            kernelShape = true;
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ConvCase> convCases() {
        return Stream.of(
                new ConvCase("3x3 pad 1", shape(1, 3, 8, 8), 4, 3, 3).p(1, 1, 1, 1),
                new ConvCase("asymmetric pads", shape(1, 3, 9, 10), 4, 3, 3).p(0, 1, 2, 3),
                new ConvCase("asymmetric pads stride 2", shape(2, 4, 10, 9), 5, 3, 3).s(2, 2).p(1, 0, 0, 2),
                new ConvCase("pads bigger than the kernel", shape(1, 3, 5, 6), 2, 3, 3).p(3, 0, 1, 4),
                new ConvCase("strides 2", shape(2, 4, 11, 12), 6, 3, 3).s(2, 2).p(1, 1, 1, 1),
                new ConvCase("strides 2x1", shape(1, 3, 9, 8), 4, 3, 3).s(2, 1).p(1, 1, 1, 1),
                new ConvCase("stride 3 kernel 5", shape(1, 6, 17, 19), 7, 5, 5).s(3, 3).p(2, 2, 2, 2),
                new ConvCase("dilations 2", shape(1, 3, 12, 11), 5, 3, 3).d(2, 2).p(2, 2, 2, 2),
                new ConvCase("dilations 2x1 stride 2", shape(1, 4, 13, 12), 3, 3, 3).d(2, 1).s(2, 2).p(2, 1, 2, 1),
                new ConvCase("group 2", shape(1, 6, 8, 8), 4, 3, 3).g(2).p(1, 1, 1, 1),
                new ConvCase("group 2 odd per-group channels", shape(1, 10, 7, 9), 6, 3, 3).g(2).p(1, 1, 1, 1),
                new ConvCase("depthwise C=17", shape(1, 17, 9, 9), 17, 3, 3).g(17).p(1, 1, 1, 1),
                new ConvCase("depthwise stride 2", shape(2, 5, 10, 11), 5, 3, 3).g(5).s(2, 2).p(1, 1, 1, 1),
                new ConvCase("depthwise multiplier 2", shape(1, 5, 8, 8), 10, 3, 3).g(5).p(1, 1, 1, 1),
                new ConvCase("auto_pad SAME_UPPER", shape(1, 3, 7, 8), 4, 3, 3).auto("SAME_UPPER"),
                new ConvCase("auto_pad SAME_UPPER stride 2", shape(1, 3, 8, 8), 4, 3, 3).auto("SAME_UPPER").s(2, 2),
                new ConvCase("auto_pad SAME_UPPER 4x2 stride 2", shape(1, 3, 9, 10), 4, 4, 2).auto("SAME_UPPER").s(2, 2),
                new ConvCase("auto_pad SAME_LOWER stride 2", shape(1, 3, 8, 8), 4, 3, 3).auto("SAME_LOWER").s(2, 2),
                new ConvCase("auto_pad SAME_LOWER 4x4", shape(1, 3, 7, 7), 4, 4, 4).auto("SAME_LOWER"),
                new ConvCase("auto_pad VALID stride 2", shape(1, 3, 9, 10), 4, 3, 3).auto("VALID").s(2, 2),
                new ConvCase("no bias", shape(1, 3, 8, 8), 5, 3, 3).p(1, 1, 1, 1).noBias(),
                new ConvCase("1x1", shape(2, 17, 5, 7), 5, 1, 1),
                new ConvCase("1x1 stride 2 no bias", shape(1, 8, 9, 9), 16, 1, 1).s(2, 2).noBias(),
                new ConvCase("7x7 stride 2 pad 3", shape(1, 3, 32, 30), 8, 7, 7).s(2, 2).p(3, 3, 3, 3).withKernelShape(),
                new ConvCase("channels 3 to 5", shape(1, 3, 10, 10), 5, 3, 3).p(1, 1, 1, 1),
                new ConvCase("channels 5 to 17 stride 2", shape(1, 5, 9, 9), 17, 3, 3).s(2, 2).p(1, 1, 1, 1),
                new ConvCase("channels 17 to 3", shape(1, 17, 6, 6), 3, 3, 3).p(1, 1, 1, 1),
                new ConvCase("1x1 spatial input, 1x1 kernel", shape(1, 8, 1, 1), 6, 1, 1),
                new ConvCase("1x1 spatial input, 3x3 kernel pad 1", shape(2, 8, 1, 1), 4, 3, 3).p(1, 1, 1, 1),
                new ConvCase("batch 3", shape(3, 5, 8, 8), 7, 3, 3).p(1, 1, 1, 1),
                new ConvCase("kernel 1x3", shape(1, 4, 7, 9), 4, 1, 3).p(0, 1, 0, 1),
                new ConvCase("kernel 3x1 stride 1x2", shape(1, 4, 7, 9), 3, 3, 1).s(1, 2).p(1, 0, 1, 0),
                new ConvCase("wide 64 to 33", shape(1, 64, 14, 14), 33, 3, 3).p(1, 1, 1, 1),
                new ConvCase("wide 1x1 65 to 64", shape(1, 65, 10, 10), 64, 1, 1),
                new ConvCase("wide group 4 stride 2", shape(2, 32, 12, 12), 48, 3, 3).g(4).s(2, 2).p(1, 1, 1, 1));
    }

    static TestGraphs convModel(ConvCase c, Random r, boolean weightsAtRunTime) {
        Tensor w = rand(r, c.m, c.x[1] / c.group, c.kh, c.kw);
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, c.x[0], c.x[1], c.x[2], c.x[3]);
        if (weightsAtRunTime) {
            g.input("W", w);
        } else {
            g.initializer("W", w);
        }
        if (c.bias) {
            g.initializer("B", rand(r, c.m));
        }
        TestGraphs.Node n = c.bias ? g.node("Conv").in("X", "W", "B") : g.node("Conv").in("X", "W");
        n.out("Y");
        if (c.strides != null) {
            n.ints("strides", c.strides);
        }
        if (c.pads != null) {
            n.ints("pads", c.pads);
        }
        if (c.dilations != null) {
            n.ints("dilations", c.dilations);
        }
        if (c.group != 1) {
            n.i("group", c.group);
        }
        if (c.autoPad != null) {
            n.s("auto_pad", c.autoPad);
        }
        if (c.kernelShape) {
            n.ints("kernel_shape", c.kh, c.kw);
        }
        return g.output("Y", FLOAT);
    }

    @ParameterizedTest(name = "Conv {0}")
    @MethodSource("convCases")
    void conv(ConvCase c) {
        Random r = rng(c.name);
        TestGraphs g = convModel(c, r, false);
        check("Conv " + c.name, g, inputs("X", rand(r, c.x)), "Conv");
    }

    /**
     * ONNX Runtime refuses auto_pad SAME_* together with dilations ("Dilation not supported for
     * AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER"), so it runs the same Conv with the pads the
     * spec prescribes written out: total = (ceil(in / s) - 1) * s + (k - 1) * d + 1 - in, the odd one
     * at the end for SAME_UPPER and at the start for SAME_LOWER.
     */
    @ParameterizedTest(name = "Conv {0} with dilations, vs explicit pads {1}")
    @MethodSource("sameWithDilationCases")
    void convAutoPadSameWithDilations(String autoPad, long[] explicitPads, int[] xs, long[] strides) {
        ConvCase same = new ConvCase(autoPad + " dilations 2", xs, 4, 3, 3).auto(autoPad).d(2, 2).s(strides);
        ConvCase explicit = new ConvCase("explicit", xs, 4, 3, 3).p(explicitPads).d(2, 2).s(strides);
        TestGraphs ours = convModel(same, rng("same dil"), false);
        TestGraphs reference = convModel(explicit, rng("same dil"), false);
        check("Conv " + same.name, ours, reference, inputs("X", rand(rng("x"), xs)), PlanOptions.defaults(), "Conv");
    }

    static Stream<Arguments> sameWithDilationCases() {
        // in 10, k 3, d 2, s 2: out 5, total pad 3. in 9, s 1: out 9, total 4. in 11x8, s 2x1: totals 4 and 4.
        return Stream.of(
                Arguments.of("SAME_UPPER", l(1, 1, 2, 2), shape(1, 3, 10, 10), l(2, 2)),
                Arguments.of("SAME_LOWER", l(2, 2, 1, 1), shape(1, 3, 10, 10), l(2, 2)),
                Arguments.of("SAME_UPPER", l(2, 2, 2, 2), shape(1, 3, 9, 9), l(1, 1)),
                Arguments.of("SAME_LOWER", l(2, 2, 2, 2), shape(1, 3, 11, 8), l(2, 1)));
    }

    @Test
    void convWithWeightsAsGraphInput() {
        ConvCase c = new ConvCase("weights input", shape(1, 6, 9, 9), 8, 3, 3).g(2).p(1, 1, 1, 1);
        Random r = rng(c.name);
        TestGraphs g = convModel(c, r, true);
        check("Conv weights as graph input", g, inputs("X", rand(r, c.x), "W", rand(r, 8, 3, 3, 3)), "Conv");
        // new weight values in a new run must be used
        check("Conv weights as graph input, other values", g, inputs("X", rand(r, c.x), "W", rand(r, 8, 3, 3, 3)), "Conv");
    }

    /**
     * Weights computed at run time land in a reused activation buffer; a second run with other
     * values must not see the first run's weights (JavaBackend caches packed weights by array).
     */
    @Test
    void convWithWeightsComputedAtRunTime() {
        TestGraphs g = TestGraphs.opset(13)
                .input("X", FLOAT, 1, 4, 6, 6).input("W1", FLOAT, 5, 4, 3, 3).input("W2", FLOAT, 5, 4, 3, 3)
                .node("Add").in("W1", "W2").out("W").graph()
                .node("Conv").in("X", "W").out("Y").ints("pads", 1, 1, 1, 1).graph()
                .output("Y", FLOAT);
        Random r = rng("runtime weights");
        Tensor x = rand(r, 1, 4, 6, 6);
        Map<String, Tensor> first = inputs("X", x, "W1", rand(r, 5, 4, 3, 3), "W2", rand(r, 5, 4, 3, 3));
        Map<String, Tensor> second = inputs("X", x, "W1", rand(r, 5, 4, 3, 3), "W2", rand(r, 5, 4, 3, 3));
        OnnxModel model = g.load();
        for (Backend backend : List.of(javaBackend, referenceBackend)) {
            Network net = Network.compile(model, Map.of("X", x.shape(), "W1", shape(5, 4, 3, 3), "W2", shape(5, 4, 3, 3)),
                    backend, PlanOptions.defaults());
            List<Map<String, Tensor>> runs = List.of(first, second);
            for (int k = 0; k < runs.size(); k++) {
                Tensor ours = net.run(runs.get(k)).get("Y");
                Tensor ref = OrtReference.run(g.bytes(), runs.get(k), 1).get("Y");
                Tolerance.assertClose(ours, ref, TOL, "Conv with run-time weights [" + backend.name() + "] run " + (k + 1));
            }
        }
    }

    // ================================================================ BatchNormalization and fusions

    static void addBatchNorm(TestGraphs g, Random r, String prefix, int channels, boolean tinyVariance) {
        g.initializer(prefix + "_scale", rand(r, channels))
                .initializer(prefix + "_bias", rand(r, channels))
                .initializer(prefix + "_mean", rand(r, channels))
                .initializer(prefix + "_var", tinyVariance ? uniform(r, 0, 1e-3f, channels) : uniform(r, 0.1f, 2f, channels));
    }

    @ParameterizedTest(name = "BatchNormalization alone, input {0}")
    @ValueSource(strings = {"2,5,6,7", "4,5", "2,5,7", "1,17,1,1"})
    void batchNormAlone(String dims) {
        int[] xs = Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
        Random r = rng("bn" + dims);
        TestGraphs g = TestGraphs.opset(15).input("X", rand(r, xs));
        addBatchNorm(g, r, "bn", xs[1], false);
        g.node("BatchNormalization").in("X", "bn_scale", "bn_bias", "bn_mean", "bn_var").out("Y").f("epsilon", 1e-3f);
        g.output("Y", FLOAT);
        check("BatchNormalization " + dims, g, inputs("X", rand(r, xs)), "BatchNormalization");
    }

    @ParameterizedTest(name = "Conv (bias {0}) + BatchNormalization (tiny variance {1}), folded and not")
    @MethodSource("convBnCases")
    void convThenBatchNorm(boolean convBias, boolean tinyVariance) {
        String what = "Conv+BN bias=" + convBias + " tinyVar=" + tinyVariance;
        Random r = rng(what);
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 2, 5, 9, 9).initializer("W", rand(r, 7, 5, 3, 3));
        if (convBias) {
            g.initializer("B", rand(r, 7));
        }
        addBatchNorm(g, r, "bn", 7, tinyVariance);
        g.node("Conv").in(convBias ? new String[] {"X", "W", "B"} : new String[] {"X", "W"}).out("C")
                .ints("pads", 1, 1, 1, 1).ints("strides", 2, 2);
        g.node("BatchNormalization").in("C", "bn_scale", "bn_bias", "bn_mean", "bn_var").out("Y").f("epsilon", 1e-3f);
        g.output("Y", FLOAT);
        Map<String, Tensor> in = inputs("X", rand(r, 2, 5, 9, 9));
        check(what + " folded", g, in, PlanOptions.defaults(), "Conv");
        check(what + " unfolded", g, in, PlanOptions.none(), "Conv", "BatchNormalization");
        Network folded = Network.compile(g.load(), Map.of(), javaBackend, PlanOptions.defaults());
        assertFalse(steps(folded).contains("BatchNormalization"), "BatchNormalization folded into Conv: " + steps(folded));
    }

    static Stream<Arguments> convBnCases() {
        return Stream.of(Arguments.of(true, false), Arguments.of(false, false), Arguments.of(true, true));
    }

    @Test
    void convThenRelu() {
        Random r = rng("conv relu");
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 1, 5, 8, 8)
                .initializer("W", rand(r, 6, 5, 3, 3)).initializer("B", rand(r, 6))
                .node("Conv").in("X", "W", "B").out("C").ints("pads", 1, 1, 1, 1).graph()
                .node("Relu").in("C").out("Y").graph()
                .output("Y", FLOAT);
        Map<String, Tensor> in = inputs("X", rand(r, 1, 5, 8, 8));
        check("Conv+Relu fused", g, in, PlanOptions.defaults(), "Conv+Relu");
        check("Conv+Relu unfused", g, in, PlanOptions.none(), "Conv", "Relu");
    }

    /** A ResNet basic block: Conv-BN-Relu-Conv-BN, Add(identity), Relu. */
    @ParameterizedTest(name = "residual block, residual on the {0} of Add")
    @ValueSource(strings = {"right", "left"})
    void residualBlock(String side) {
        Random r = rng("residual " + side);
        int c = 6;
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 2, c, 7, 7)
                .initializer("W1", rand(r, c, c, 3, 3)).initializer("W2", rand(r, c, c, 3, 3)).initializer("B2", rand(r, c));
        addBatchNorm(g, r, "bn1", c, false);
        addBatchNorm(g, r, "bn2", c, false);
        g.node("Conv").in("X", "W1").out("c1").ints("pads", 1, 1, 1, 1);
        g.node("BatchNormalization").in("c1", "bn1_scale", "bn1_bias", "bn1_mean", "bn1_var").out("b1").f("epsilon", 1e-5f);
        g.node("Relu").in("b1").out("r1");
        g.node("Conv").in("r1", "W2", "B2").out("c2").ints("pads", 1, 1, 1, 1);
        g.node("BatchNormalization").in("c2", "bn2_scale", "bn2_bias", "bn2_mean", "bn2_var").out("b2").f("epsilon", 1e-4f);
        g.node("Add").in(side.equals("right") ? new String[] {"b2", "X"} : new String[] {"X", "b2"}).out("s");
        g.node("Relu").in("s").out("Y");
        g.output("Y", FLOAT);
        Map<String, Tensor> in = inputs("X", rand(r, 2, c, 7, 7));
        check("residual " + side + " optimized", g, in, PlanOptions.defaults(), "Conv+Relu", "Conv+Add+Relu");
        check("residual " + side + " plain", g, in, PlanOptions.none(), "Conv", "BatchNormalization", "Add", "Relu");
    }

    /** Add of two Conv outputs: one Conv absorbs the Add, the other's output is its residual. */
    @Test
    void addOfTwoConvs() {
        Random r = rng("two convs");
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 1, 4, 7, 7)
                .initializer("W1", rand(r, 6, 4, 3, 3)).initializer("B1", rand(r, 6)).initializer("W2", rand(r, 6, 4, 1, 1))
                .node("Conv").in("X", "W1", "B1").out("a").ints("pads", 1, 1, 1, 1).graph()
                .node("Conv").in("X", "W2").out("b").graph()
                .node("Add").in("a", "b").out("s").graph()
                .node("Relu").in("s").out("Y").graph()
                .output("Y", FLOAT);
        Map<String, Tensor> in = inputs("X", rand(r, 1, 4, 7, 7));
        check("Add(Conv, Conv)+Relu fused", g, in, PlanOptions.defaults(), "Conv+Add+Relu");
        check("Add(Conv, Conv)+Relu plain", g, in, PlanOptions.none(), "Add", "Relu");
    }

    /** Patterns that must not fuse: Conv output read twice, broadcast residual, Conv output a graph output. */
    @Test
    void convPatternsThatMustNotFuse() {
        Random r = rng("no fusion");
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 1, 4, 6, 6).input("R", FLOAT, 1, 4, 1, 1)
                .initializer("W", rand(r, 4, 4, 3, 3)).initializer("W2", rand(r, 4, 4, 1, 1))
                .node("Conv").in("X", "W").out("C").ints("pads", 1, 1, 1, 1).graph()
                .node("Relu").in("C").out("A").graph()
                .node("Sigmoid").in("C").out("S").graph()
                .node("Conv").in("A", "W2").out("C2").graph()
                .node("Add").in("C2", "R").out("Y").graph()
                .node("Conv").in("S", "W2").out("C3").graph()
                .node("Relu").in("C3").out("Z").graph()
                .output("Y", FLOAT).output("C3", FLOAT).output("Z", FLOAT);
        check("non-fusable Conv patterns", g, inputs("X", rand(r, 1, 4, 6, 6), "R", rand(r, 1, 4, 1, 1)), "Relu", "Add");
    }

    // ================================================================ unary

    @Test
    void relu() {
        Random r = rng("relu");
        Tensor x = rand(r, 2, 3, 5, 7);
        x.floats()[0] = 0f;
        x.floats()[1] = -0f;
        check("Relu", unaryModel("Relu", x.shape()), inputs("X", x), "Relu");
    }

    @Test
    void reluLarge() {
        Random r = rng("relu large");
        Tensor x = rand(r, 2, 3, 80, 80); // above the parallel threshold
        check("Relu large", unaryModel("Relu", x.shape()), inputs("X", x), "Relu");
    }

    @ParameterizedTest(name = "Sigmoid {0} elements")
    @ValueSource(ints = {37, 38400})
    void sigmoidLargeMagnitudes(int n) {
        Random r = rng("sigmoid" + n);
        float[] v = new float[n];
        float[] special = {100f, -100f, 88.7f, -88.7f, 30f, -30f, 17f, -17f, 10f, -10f, 0f, -0f, 1e-8f, -1e-8f, 1e4f, -1e4f};
        for (int i = 0; i < n; i++) {
            v[i] = i < special.length ? special[i] : (r.nextFloat() * 2 - 1) * 40f;
        }
        Tensor x = floats(shape(1, n), v);
        check("Sigmoid", unaryModel("Sigmoid", x.shape()), inputs("X", x), "Sigmoid");
    }

    @ParameterizedTest(name = "Floor {0} elements")
    @ValueSource(ints = {64, 40000})
    void floorNegativesAndHalves(int n) {
        Random r = rng("floor" + n);
        float[] v = new float[n];
        float[] special = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -1f, 1f, -0f, 0f, -1e-7f, 1e-7f, -0.99999994f, 8388607.5f,
            -8388607.5f, 1e9f, -1e9f};
        for (int i = 0; i < n; i++) {
            v[i] = i < special.length ? special[i] : i % 3 == 0 ? (r.nextInt(41) - 20) / 2f : (r.nextFloat() * 2 - 1) * 10f;
        }
        Tensor x = floats(shape(2, n / 2), v);
        check("Floor", unaryModel("Floor", x.shape()), inputs("X", x), "Floor");
    }

    static TestGraphs unaryModel(String op, int[] shape) {
        Object[] dims = Arrays.stream(shape).boxed().toArray();
        return TestGraphs.opset(13).input("X", FLOAT, dims).node(op).in("X").out("Y").graph().output("Y", FLOAT);
    }

    // ================================================================ MaxPool

    record PoolCase(String name, int[] x, long[] kernel, long[] strides, long[] pads, long[] dilations, int ceil,
                    String autoPad, boolean negative) {
        /** The same case on all-negative input: padding must act as -inf, not 0. */
        PoolCase negate() {
            return new PoolCase(name, x, kernel, strides, pads, dilations, ceil, autoPad, true);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static PoolCase pool(String name, int[] x, long[] kernel, long[] strides, long[] pads) {
        return new PoolCase(name, x, kernel, strides, pads, null, 0, null, false);
    }

    static long[] l(long... v) {
        return v;
    }

    static Stream<PoolCase> poolCases() {
        return Stream.of(
                pool("3x3 s2 p1", shape(1, 3, 9, 9), l(3, 3), l(2, 2), l(1, 1, 1, 1)),
                pool("3x3 s2 p1 even input", shape(2, 4, 8, 8), l(3, 3), l(2, 2), l(1, 1, 1, 1)),
                pool("3x3 s2 p1 all negative input", shape(1, 3, 8, 7), l(3, 3), l(2, 2), l(1, 1, 1, 1)).negate(),
                new PoolCase("ceil_mode 6x6 k3 s2", shape(1, 2, 6, 6), l(3, 3), l(2, 2), null, null, 1, null, false),
                new PoolCase("floor mode 6x6 k3 s2", shape(1, 2, 6, 6), l(3, 3), l(2, 2), null, null, 0, null, false),
                new PoolCase("ceil_mode 8x8 k3 s2 p1", shape(1, 2, 8, 8), l(3, 3), l(2, 2), l(1, 1, 1, 1), null, 1, null, true),
                new PoolCase("ceil_mode 7x9 k2 s2", shape(1, 3, 7, 9), l(2, 2), l(2, 2), null, null, 1, null, false),
                new PoolCase("ceil_mode 10x10 k3 s3 p1", shape(1, 2, 10, 10), l(3, 3), l(3, 3), l(1, 1, 1, 1), null, 1, null, true),
                new PoolCase("ceil_mode 5x8 k3 s2 p0,1,1,1", shape(1, 2, 5, 8), l(3, 3), l(2, 2), l(0, 1, 1, 1), null, 1, null, false),
                new PoolCase("dilations 2", shape(1, 3, 10, 10), l(3, 3), null, null, l(2, 2), 0, null, false),
                new PoolCase("dilations 2 s2 p2", shape(1, 3, 11, 11), l(3, 3), l(2, 2), l(2, 2, 2, 2), l(2, 2), 0, null, true),
                new PoolCase("SAME_UPPER k3 s2", shape(1, 3, 7, 7), l(3, 3), l(2, 2), null, null, 0, "SAME_UPPER", true),
                new PoolCase("SAME_UPPER k2 s2 odd input", shape(1, 3, 7, 9), l(2, 2), l(2, 2), null, null, 0, "SAME_UPPER", false),
                new PoolCase("SAME_UPPER k4 s1", shape(1, 2, 6, 6), l(4, 4), null, null, null, 0, "SAME_UPPER", true),
                new PoolCase("SAME_LOWER k4 s1", shape(1, 2, 6, 6), l(4, 4), null, null, null, 0, "SAME_LOWER", true),
                new PoolCase("VALID k3 s2", shape(1, 2, 9, 8), l(3, 3), l(2, 2), null, null, 0, "VALID", false),
                pool("2x2 no pad", shape(1, 4, 8, 8), l(2, 2), l(2, 2), null),
                pool("2x2 no pad odd input", shape(2, 3, 9, 7), l(2, 2), l(2, 2), null),
                pool("kernel 5 stride 2 pad 2", shape(1, 3, 13, 13), l(5, 5), l(2, 2), l(2, 2, 2, 2)),
                pool("kernel 3 stride 1", shape(2, 3, 6, 6), l(3, 3), null, null),
                pool("kernel 3x2 stride 1x2", shape(1, 3, 7, 8), l(3, 2), l(1, 2), null),
                pool("asymmetric pads", shape(1, 3, 8, 9), l(3, 3), l(2, 2), l(0, 1, 2, 0)),
                pool("1x1 input k3 p1", shape(1, 5, 1, 1), l(3, 3), null, l(1, 1, 1, 1)).negate(),
                pool("large 3x3 s2 p1", shape(1, 16, 40, 40), l(3, 3), l(2, 2), l(1, 1, 1, 1)));
    }

    @ParameterizedTest(name = "MaxPool {0}")
    @MethodSource("poolCases")
    void maxPool(PoolCase c) {
        Random r = rng(c.name);
        Tensor x = c.negative ? uniform(r, -3f, -1f, c.x) : rand(r, c.x);
        TestGraphs g = TestGraphs.opset(12).input("X", x);
        TestGraphs.Node n = g.node("MaxPool").in("X").out("Y").ints("kernel_shape", c.kernel);
        if (c.strides != null) {
            n.ints("strides", c.strides);
        }
        if (c.pads != null) {
            n.ints("pads", c.pads);
        }
        if (c.dilations != null) {
            n.ints("dilations", c.dilations);
        }
        if (c.ceil != 0) {
            n.i("ceil_mode", c.ceil);
        }
        if (c.autoPad != null) {
            n.s("auto_pad", c.autoPad);
        }
        g.output("Y", FLOAT);
        check("MaxPool " + c.name, g, inputs("X", x), "MaxPool");
    }

    /**
     * ceil_mode where the last window would start inside the end padding. PyTorch drops that window;
     * ONNX Runtime 1.20 keeps it (its output is one row and column bigger, the extra entries -FLT_MAX).
     * We follow PyTorch: the shape must be PyTorch's, and every window we do produce must equal ORT's.
     */
    @ParameterizedTest(name = "MaxPool ceil_mode, last window in padding: input {0} k{1} s{2} p{3}")
    @MethodSource("ceilWindowInPaddingCases")
    void maxPoolCeilModeLastWindowInPadding(int size, int kernel, int stride, int pad, int torchOut) {
        String what = "MaxPool ceil_mode " + size + " k" + kernel + " s" + stride + " p" + pad;
        Random r = rng(what);
        Tensor x = rand(r, 1, 2, size, size);
        TestGraphs g = TestGraphs.opset(12).input("X", x)
                .node("MaxPool").in("X").out("Y").ints("kernel_shape", kernel, kernel).ints("strides", stride, stride)
                .ints("pads", pad, pad, pad, pad).i("ceil_mode", 1).graph()
                .output("Y", FLOAT);
        Tensor ort = OrtReference.run(g.bytes(), inputs("X", x), 1).get("Y");
        assertEquals(torchOut + 1, ort.dim(2), "ORT 1.20 keeps the window that starts in the padding");
        Tensor ortCommon = Tensor.zeros(ort.dtype(), shape(1, 2, torchOut, torchOut));
        referenceBackend.slice(new int[4], new int[] {1, 1, 1, 1}, ort, ortCommon);
        for (Backend backend : List.of(javaBackend, referenceBackend)) {
            Network net = Network.compile(g.load(), Map.of(), backend, PlanOptions.defaults());
            Tensor ours = net.run(inputs("X", x)).get("Y");
            assertArrayEquals(shape(1, 2, torchOut, torchOut), ours.shape(), what + ": PyTorch's output size");
            Tolerance.assertClose(ours, ortCommon, TOL, what + " [" + backend.name() + "] vs ORT's common windows");
        }
    }

    static Stream<Arguments> ceilWindowInPaddingCases() {
        // 5, k2 s2 p1: ceil((5 + 2 - 2) / 2) + 1 = 4 windows, the last starting at 5 >= 5 (padding): 3.
        // 8, k3 s3 p1: ceil(7 / 3) + 1 = 4, the last starting at 3 * 3 - 1 = 8 >= 8: 3.
        return Stream.of(Arguments.of(5, 2, 2, 1, 3), Arguments.of(8, 3, 3, 1, 3));
    }

    // ================================================================ binary ops

    static Stream<Arguments> broadcastCases() {
        List<Arguments> out = new ArrayList<>();
        int[][][] pairs = {
            {{2, 3, 4, 5}, {3, 1, 1}},
            {{3, 1, 1}, {2, 3, 4, 5}},
            {{2, 3, 4, 5}, {5}},
            {{5}, {2, 3, 4, 5}},
            {{2, 3, 4, 5}, {}},
            {{}, {2, 3, 4, 5}},
            {{1, 3, 1, 5}, {2, 1, 4, 1}},
            {{2, 3, 4, 5}, {2, 3, 4, 5}},
            {{2, 3, 4, 5}, {1, 3, 4, 1}},
            {{1, 64, 24, 25}, {64, 1, 1}},
            {{1, 64, 24, 25}, {1, 64, 24, 25}},
        };
        for (String op : List.of("Add", "Sub", "Mul", "Div")) {
            for (int[][] p : pairs) {
                out.add(Arguments.of(op, p[0], p[1]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} float {1} op {2}")
    @MethodSource("broadcastCases")
    void binaryFloat(String op, int[] a, int[] b) {
        String what = op + " " + Arrays.toString(a) + " " + Arrays.toString(b);
        Random r = rng(what);
        Tensor ta = rand(r, a);
        Tensor tb = op.equals("Div") ? nonZero(r, b) : rand(r, b);
        TestGraphs g = TestGraphs.opset(13).input("A", ta).input("B", tb)
                .node(op).in("A", "B").out("Y").graph().output("Y", FLOAT);
        check(what, g, inputs("A", ta, "B", tb), op);
    }

    /** The second operand a constant (initializer), as in exported models. */
    @ParameterizedTest(name = "{0} float with a constant operand")
    @ValueSource(strings = {"Add", "Sub", "Mul", "Div"})
    void binaryFloatConstantOperand(String op) {
        Random r = rng(op + " const");
        Tensor ta = rand(r, 2, 3, 4, 5);
        TestGraphs g = TestGraphs.opset(13).input("A", ta).initializer("C", nonZero(r, 3, 1, 1))
                .node(op).in("C", "A").out("Y").graph().output("Y", FLOAT);
        check(op + " constant operand", g, inputs("A", ta), op);
    }

    static Stream<Arguments> int64BroadcastCases() {
        List<Arguments> out = new ArrayList<>();
        int[][][] pairs = {
            {{2, 3, 4, 5}, {3, 1, 1}},
            {{2, 3, 4, 5}, {}},
            {{1, 3, 1, 5}, {2, 1, 4, 1}},
            {{5}, {2, 3, 4, 5}},
            {{4}, {4}},
        };
        for (String op : List.of("Add", "Sub", "Mul", "Div")) {
            for (int[][] p : pairs) {
                out.add(Arguments.of(op, p[0], p[1]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} int64 {1} op {2}")
    @MethodSource("int64BroadcastCases")
    void binaryInt64(String op, int[] a, int[] b) {
        String what = op + " int64 " + Arrays.toString(a) + " " + Arrays.toString(b);
        Random r = rng(what);
        Tensor ta = randLongs(r, -50, 50, a);
        Tensor tb = randLongs(r, -9, 9, b);
        if (op.equals("Div")) {
            for (int i = 0; i < tb.size(); i++) {
                if (tb.longs()[i] == 0) {
                    tb.longs()[i] = -7;
                }
            }
        }
        TestGraphs g = TestGraphs.opset(13).input("A", ta).input("B", tb)
                .node(op).in("A", "B").out("Y").graph().output("Y", INT64);
        check(what, g, inputs("A", ta, "B", tb), op);
    }

    @Test
    void int64DivisionTruncatesTowardZero() {
        Tensor a = longs(shape(10), -7, 7, -7, 7, -1, 1, -9, 0, I64_MIN + 1, 1L << 40);
        Tensor b = longs(shape(10), 2, -2, -2, 2, 3, 3, 4, -5, 3, -3);
        TestGraphs g = TestGraphs.opset(13).input("A", a).input("B", b)
                .node("Div").in("A", "B").out("Y").graph().output("Y", INT64);
        Map<String, Tensor> ref = check("int64 Div truncation", g, inputs("A", a, "B", b), "Div");
        // C semantics, not Python's floor division: ORT itself is pinned here so a change shows up.
        assertArrayEquals(new long[] {-3, -3, 3, 3, 0, 0, -2, 0, (I64_MIN + 1) / 3, -(1L << 40) / 3}, ref.get("Y").longs());
    }

    // ================================================================ Resize

    static final String[] TRANSFORMS = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"};
    static final String[] ROUNDINGS = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};

    /** (name, input shape, scales or null, sizes or null). */
    record ResizeTarget(String name, int[] x, float[] scales, long[] sizes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<ResizeTarget> RESIZE_TARGETS = List.of(
            new ResizeTarget("scale 2", shape(1, 2, 5, 6), new float[] {1, 1, 2, 2}, null),
            new ResizeTarget("scale 0.5", shape(1, 2, 8, 10), new float[] {1, 1, 0.5f, 0.5f}, null),
            new ResizeTarget("scale 1.7", shape(1, 2, 7, 9), new float[] {1, 1, 1.7f, 1.7f}, null),
            new ResizeTarget("scales 1.5x0.75", shape(2, 2, 8, 8), new float[] {1, 1, 1.5f, 0.75f}, null),
            new ResizeTarget("sizes 12x5 from 7x9", shape(1, 2, 7, 9), null, new long[] {1, 2, 12, 5}),
            new ResizeTarget("sizes 1x1 from 5x4", shape(1, 2, 5, 4), null, new long[] {1, 2, 1, 1}),
            // 10 * 0.7f is 6.99999988 in double but rounds to 7.0 in float
            new ResizeTarget("scale 0.7 on 10", shape(1, 1, 10, 10), new float[] {1, 1, 0.7f, 0.7f}, null));

    static Stream<Arguments> resizeModeCases() {
        List<Arguments> out = new ArrayList<>();
        for (int opset : new int[] {11, 13, 17}) {
            for (String t : TRANSFORMS) {
                for (String m : ROUNDINGS) {
                    for (ResizeTarget target : RESIZE_TARGETS) {
                        out.add(Arguments.of(opset, t, m, target));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * Resize nearest in the layouts exporters write: opset 11 always passes roi and scales (empty
     * when sizes are used); opset 13+ leaves unused optional inputs as "" (PyTorch's
     * Resize(X, "", "", sizes)).
     */
    static TestGraphs resizeModel(int opset, int[] x, float[] scales, long[] sizes, String transform, String rounding) {
        TestGraphs g = TestGraphs.opset(opset).input("X", FLOAT, Arrays.stream(x).boxed().toArray());
        String roi = "", scalesName = "", sizesName = "";
        if (opset < 13) {
            g.initializer("roi", Tensor.ofFloats(new int[] {0}, new float[0]));
            roi = "roi";
        }
        if (scales != null) {
            g.initializer("scales", Tensor.ofFloats(new int[] {scales.length}, scales));
            scalesName = "scales";
        } else {
            if (opset < 13) {
                g.initializer("scales", Tensor.ofFloats(new int[] {0}, new float[0]));
                scalesName = "scales";
            }
            g.longs("sizes", sizes);
            sizesName = "sizes";
        }
        TestGraphs.Node n = g.node("Resize").out("Y").s("mode", "nearest");
        if (sizes != null) {
            n.in("X", roi, scalesName, sizesName);
        } else {
            n.in("X", roi, scalesName);
        }
        if (transform != null) {
            n.s("coordinate_transformation_mode", transform);
        }
        if (rounding != null) {
            n.s("nearest_mode", rounding);
        }
        return g.output("Y", FLOAT);
    }

    @ParameterizedTest(name = "Resize opset {0} {1} {2} {3}")
    @MethodSource("resizeModeCases")
    void resizeModes(int opset, String transform, String rounding, ResizeTarget t) {
        String what = "Resize opset " + opset + " " + transform + " " + rounding + " " + t.name;
        Random r = rng(what);
        if (transform.equals("tf_half_pixel_for_nn") && rounding.contains("ceil")) {
            // ORT leaves unit-scale axes alone, where the formula moves them by one (x + 0.5 rounded up):
            // see resizeTfHalfPixelCeilOnUnitScaleAxes. Resize only the two axes that change.
            t = spatialOnly(t);
        }
        TestGraphs g = resizeModel(opset, t.x, t.scales, t.sizes, transform, rounding);
        check(what, g, inputs("X", rand(r, t.x)), "Resize");
    }

    static ResizeTarget spatialOnly(ResizeTarget t) {
        int rank = t.x.length;
        return new ResizeTarget(t.name, Arrays.copyOfRange(t.x, rank - 2, rank),
                t.scales == null ? null : Arrays.copyOfRange(t.scales, rank - 2, rank),
                t.sizes == null ? null : Arrays.copyOfRange(t.sizes, rank - 2, rank));
    }

    /**
     * tf_half_pixel_for_nn maps output x to input x + 0.5 on an axis of scale 1, which ceil and
     * round_prefer_ceil round up to x + 1 (clamped): a literal reading of the spec shifts N, C and
     * any unscaled axis by one. ONNX Runtime treats scale-1 axes as identity, and so do we.
     */
    @ParameterizedTest(name = "Resize tf_half_pixel_for_nn {0} on unit-scale axes")
    @ValueSource(strings = {"ceil", "round_prefer_ceil"})
    void resizeTfHalfPixelCeilOnUnitScaleAxes(String rounding) {
        Random r = rng("tf unit " + rounding);
        check("Resize tf_half_pixel_for_nn " + rounding + " unit-scale axes",
                resizeModel(13, shape(1, 3, 4, 5), new float[] {1, 1, 2, 1}, null, "tf_half_pixel_for_nn", rounding),
                inputs("X", rand(r, 1, 3, 4, 5)), "Resize");
    }

    @ParameterizedTest(name = "Resize defaults, opset {0}")
    @ValueSource(ints = {11, 13, 17, 19})
    void resizeDefaultModes(int opset) {
        Random r = rng("resize defaults " + opset);
        check("Resize sizes, default modes, opset " + opset,
                resizeModel(opset, shape(1, 3, 8, 8), null, new long[] {1, 3, 16, 16}, null, null),
                inputs("X", rand(r, 1, 3, 8, 8)), "Resize");
        check("Resize scales 2, default modes, opset " + opset,
                resizeModel(opset, shape(2, 3, 5, 7), new float[] {1, 1, 2, 2}, null, null, null),
                inputs("X", rand(r, 2, 3, 5, 7)), "Resize");
    }

    /** The nearest upsampling PyTorch 1.x exports: asymmetric + floor, and the opset-10 form. */
    @Test
    void resizePyTorchNearest() {
        Random r = rng("resize torch");
        check("Resize opset 13 asymmetric floor sizes",
                resizeModel(13, shape(1, 4, 6, 5), null, new long[] {1, 4, 12, 10}, "asymmetric", "floor"),
                inputs("X", rand(r, 1, 4, 6, 5)), "Resize");
        TestGraphs g10 = TestGraphs.opset(10).input("X", FLOAT, 1, 2, 5, 6)
                .floats("scales", 1, 1, 2, 3)
                .node("Resize").in("X", "scales").out("Y").s("mode", "nearest").graph()
                .output("Y", FLOAT);
        check("Resize opset 10", g10, inputs("X", rand(r, 1, 2, 5, 6)), "Resize");
    }

    @Test
    void resizeOnBatchAndChannelAxes() {
        Random r = rng("resize nc");
        check("Resize scales on N and C",
                resizeModel(13, shape(1, 2, 3, 4), new float[] {2, 1.5f, 1, 2}, null, "asymmetric", "floor"),
                inputs("X", rand(r, 1, 2, 3, 4)), "Resize");
    }

    // ================================================================ shape and data movement

    @ParameterizedTest(name = "Reshape to {0}")
    @ValueSource(strings = {"0,-1", "0,0,-1", "-1,5", "4,0,-1", "2,3,4,5", "120", "-1", "1,2,1,60,1"})
    void reshape(String target) {
        long[] t = Arrays.stream(target.split(",")).mapToLong(Long::parseLong).toArray();
        for (int opset : new int[] {13, 14}) {
            Random r = rng("reshape " + target + opset);
            Tensor x = rand(r, 2, 3, 4, 5);
            TestGraphs g = TestGraphs.opset(opset).input("X", x).longs("shape", t);
            TestGraphs.Node n = g.node("Reshape").in("X", "shape").out("R");
            if (opset >= 14) {
                n.i("allowzero", 0);
            }
            // a kernel after the view reads it through the reshaped layout
            g.node("Relu").in("R").out("Y").graph().output("Y", FLOAT).output("R", FLOAT);
            check("Reshape " + target + " opset " + opset, g, inputs("X", x), "Reshape", "Relu");
        }
    }

    @Test
    void reshapeTransposeReshapeChannelShuffle() {
        Random r = rng("shuffle");
        Tensor x = rand(r, 2, 6, 3, 4);
        TestGraphs g = TestGraphs.opset(13).input("X", x).longs("s1", 2, 2, 3, 3, 4).longs("s2", 0, -1, 3, 4)
                .node("Reshape").in("X", "s1").out("a").graph()
                .node("Transpose").in("a").out("b").ints("perm", 0, 2, 1, 3, 4).graph()
                .node("Reshape").in("b", "s2").out("c").graph()
                .node("Sigmoid").in("c").out("Y").graph()
                .output("Y", FLOAT);
        check("channel shuffle", g, inputs("X", x), "Transpose", "Sigmoid");
    }

    static Stream<Arguments> transposeCases() {
        return Stream.of(
                Arguments.of(shape(2, 3, 4), null),
                Arguments.of(shape(2, 3, 4), l(0, 2, 1)),
                Arguments.of(shape(2, 3, 4), l(1, 0, 2)),
                Arguments.of(shape(2, 3, 4, 5), null),
                Arguments.of(shape(2, 3, 4, 5), l(0, 2, 3, 1)),
                Arguments.of(shape(2, 3, 4, 5), l(3, 1, 0, 2)),
                Arguments.of(shape(1, 64, 17, 19), l(0, 2, 3, 1)),
                Arguments.of(shape(2, 3, 2, 4, 3), null),
                Arguments.of(shape(2, 3, 2, 4, 3), l(0, 4, 1, 3, 2)),
                Arguments.of(shape(2, 3, 2, 4, 3), l(0, 1, 2, 3, 4)));
    }

    @ParameterizedTest(name = "Transpose {0} perm {1}")
    @MethodSource("transposeCases")
    void transpose(int[] xs, long[] perm) {
        String what = "Transpose " + Arrays.toString(xs) + " " + Arrays.toString(perm);
        Random r = rng(what);
        Tensor x = rand(r, xs);
        Tensor xi = randLongs(r, -1000, 1000, xs);
        TestGraphs g = TestGraphs.opset(13).input("X", x).input("XI", xi);
        TestGraphs.Node n = g.node("Transpose").in("X").out("Y");
        TestGraphs.Node ni = g.node("Transpose").in("XI").out("YI");
        if (perm != null) {
            n.ints("perm", perm);
            ni.ints("perm", perm);
        }
        g.output("Y", FLOAT).output("YI", INT64);
        check(what, g, inputs("X", x, "XI", xi), "Transpose");
    }

    @ParameterizedTest(name = "Flatten axis {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, -1, -3, 99})
    void flatten(int axis) {
        Random r = rng("flatten" + axis);
        Tensor x = rand(r, 2, 3, 4, 5);
        TestGraphs g = TestGraphs.opset(13).input("X", x);
        TestGraphs.Node n = g.node("Flatten").in("X").out("F");
        if (axis != 99) {
            n.i("axis", axis);
        }
        g.node("Relu").in("F").out("Y").graph().output("Y", FLOAT);
        check("Flatten axis " + (axis == 99 ? "default" : axis), g, inputs("X", x), "Flatten", "Relu");
    }

    @ParameterizedTest(name = "Concat axis {0}")
    @ValueSource(ints = {-1, 0, 1, 2, 3, -4})
    void concat(int axis) {
        Random r = rng("concat" + axis);
        int a = axis < 0 ? axis + 4 : axis;
        int[][] shapes = new int[3][];
        int[] extents = {2, 3, 1};
        for (int i = 0; i < 3; i++) {
            shapes[i] = new int[] {2, 3, 4, 5};
            shapes[i][a] = extents[i];
        }
        Tensor x0 = rand(r, shapes[0]), x1 = rand(r, shapes[1]), x2 = rand(r, shapes[2]);
        Tensor i0 = randLongs(r, -100, 100, shapes[0]), i1 = randLongs(r, -100, 100, shapes[1]);
        Tensor i2 = randLongs(r, -100, 100, shapes[2]);
        TestGraphs g = TestGraphs.opset(13).input("X0", x0).input("X1", x1).input("X2", x2)
                .input("I0", i0).input("I1", i1).input("I2", i2).initializer("C", rand(r, shapes[1]))
                .node("Concat").in("X0", "C", "X1", "X2").out("Y").i("axis", axis).graph()
                .node("Concat").in("I0", "I1", "I2").out("YI").i("axis", axis).graph()
                .output("Y", FLOAT).output("YI", INT64);
        check("Concat axis " + axis, g, inputs("X0", x0, "X1", x1, "X2", x2, "I0", i0, "I1", i1, "I2", i2), "Concat");
    }

    /** (data shape, starts, ends, axes or null, steps or null). */
    static Stream<Arguments> sliceCases() {
        return Stream.of(
                Arguments.of(shape(5, 6, 7), l(4), l(I64_MIN), l(1), l(-1)),
                Arguments.of(shape(5, 6, 7), l(0), l(I64_MAX), l(-1), l(2)),
                Arguments.of(shape(5, 6, 7), l(-1, 10), l(I64_MIN, -100), l(0, 2), l(-2, -1)),
                Arguments.of(shape(5, 6, 7), l(-100, 3), l(100, 1000), l(2, 0), null),
                Arguments.of(shape(5, 6, 7), l(-2), l(-7), l(-1), l(-3)),
                Arguments.of(shape(5, 6, 7), l(1, -5, 2), l(4, I64_MAX, -1), null, l(2, 3, 1)),
                Arguments.of(shape(5, 6, 7), l(0, 0), l(1, 1), l(-3, -2), null),
                Arguments.of(shape(5, 6, 7), l(I64_MAX), l(I64_MIN), l(0), l(-1)),
                Arguments.of(shape(5, 6, 7), l(I64_MIN), l(I64_MAX), l(1), l(1)),
                Arguments.of(shape(5, 6, 7), l(6), l(0), l(2), l(-2)),
                Arguments.of(shape(2, 3, 8, 9), l(1, 1), l(I64_MAX, I64_MAX), l(2, 3), l(2, 2)),
                Arguments.of(shape(2, 3, 8, 9), l(-1), l(-10), l(3), l(-4)));
    }

    @ParameterizedTest(name = "Slice {0} starts {1} ends {2} axes {3} steps {4}")
    @MethodSource("sliceCases")
    void slice(int[] xs, long[] starts, long[] ends, long[] axes, long[] steps) {
        for (int opset : new int[] {11, 13}) {
            String what = "Slice opset " + opset + " " + Arrays.toString(xs) + " " + Arrays.toString(starts) + " "
                    + Arrays.toString(ends) + " " + Arrays.toString(axes) + " " + Arrays.toString(steps);
            Random r = rng(what);
            Tensor x = rand(r, xs);
            Tensor xi = randLongs(r, -1000, 1000, xs);
            TestGraphs g = TestGraphs.opset(opset).input("X", x).input("XI", xi).longs("starts", starts).longs("ends", ends);
            List<String> in = new ArrayList<>(List.of("starts", "ends"));
            if (axes != null || steps != null) {
                if (axes != null) {
                    g.longs("axes", axes);
                    in.add("axes");
                } else {
                    in.add("");
                }
            }
            if (steps != null) {
                g.longs("steps", steps);
                in.add("steps");
            }
            List<String> fIn = new ArrayList<>(List.of("X"));
            fIn.addAll(in);
            List<String> iIn = new ArrayList<>(List.of("XI"));
            iIn.addAll(in);
            g.node("Slice").in(fIn.toArray(String[]::new)).out("Y");
            g.node("Slice").in(iIn.toArray(String[]::new)).out("YI");
            g.output("Y", FLOAT).output("YI", INT64);
            check(what, g, inputs("X", x, "XI", xi), "Slice");
        }
    }

    @Test
    void sliceWithEmptyResult() {
        Random r = rng("slice empty");
        Tensor x = rand(r, 4, 5);
        TestGraphs g = TestGraphs.opset(13).input("X", x).longs("s", 3).longs("e", 1).longs("a", 1)
                .node("Slice").in("X", "s", "e", "a").out("Y").graph().output("Y", FLOAT);
        check("Slice empty", g, inputs("X", x));
    }

    /** (data shape, axis, indices shape, indices). */
    static Stream<Arguments> gatherCases() {
        return Stream.of(
                Arguments.of(shape(5, 4, 3), 0, shape(1), l(2)),
                Arguments.of(shape(5, 4, 3), 0, shape(3), l(-1, 0, -5)),
                Arguments.of(shape(5, 4, 3), 1, shape(3, 2), l(0, -1, 2, 1, 3, 3)),
                Arguments.of(shape(5, 4, 3), -1, shape(), l(-2)),
                Arguments.of(shape(5, 4, 3), 2, shape(2, 2), l(2, 0, -3, 1)),
                Arguments.of(shape(5, 4, 3), 0, shape(), l(4)),
                Arguments.of(shape(7), 0, shape(2, 3), l(6, -7, 0, 3, -1, 2)),
                Arguments.of(shape(2, 64, 9), 1, shape(5), l(63, 0, -64, 17, 17)));
    }

    @ParameterizedTest(name = "Gather {0} axis {1} indices {2} {3}")
    @MethodSource("gatherCases")
    void gather(int[] xs, int axis, int[] idxShape, long[] idx) {
        String what = "Gather " + Arrays.toString(xs) + " axis " + axis + " " + Arrays.toString(idxShape) + " " + Arrays.toString(idx);
        Random r = rng(what);
        Tensor x = rand(r, xs);
        Tensor xi = randLongs(r, -1000, 1000, xs);
        Tensor indices = Tensor.ofLongs(idxShape, idx);
        // indices at run time (graph input) and as a constant
        TestGraphs g = TestGraphs.opset(13).input("X", x).input("XI", xi).input("IDX", indices)
                .initializer("CIDX", indices)
                .node("Gather").in("X", "IDX").out("Y").i("axis", axis).graph()
                .node("Gather").in("XI", "IDX").out("YI").i("axis", axis).graph()
                .node("Gather").in("X", "CIDX").out("YC").i("axis", axis).graph()
                .output("Y", FLOAT).output("YI", INT64).output("YC", FLOAT);
        check(what, g, inputs("X", x, "XI", xi, "IDX", indices), "Gather");
    }

    @Test
    void shapeOpset13() {
        Random r = rng("shape");
        Tensor x = rand(r, 2, 3, 4, 5);
        TestGraphs g = TestGraphs.opset(13).input("X", x)
                .node("Shape").in("X").out("S").graph()
                .node("Relu").in("X").out("Y").graph()
                .output("S", INT64).output("Y", FLOAT);
        check("Shape opset 13", g, inputs("X", x));
    }

    @ParameterizedTest(name = "Shape opset 15 start {0} end {1}")
    @MethodSource("shapeRanges")
    void shapeOpset15(Long start, Long end) {
        Random r = rng("shape15 " + start + " " + end);
        Tensor x = rand(r, 2, 3, 4, 5);
        TestGraphs g = TestGraphs.opset(15).input("X", x);
        TestGraphs.Node n = g.node("Shape").in("X").out("S");
        if (start != null) {
            n.i("start", start);
        }
        if (end != null) {
            n.i("end", end);
        }
        g.output("S", INT64);
        check("Shape start " + start + " end " + end, g, inputs("X", x));
    }

    static Stream<Arguments> shapeRanges() {
        return Stream.of(Arguments.of(null, null), Arguments.of(1L, null), Arguments.of(-2L, null), Arguments.of(null, -1L),
                Arguments.of(1L, 3L), Arguments.of(-100L, 100L), Arguments.of(3L, 1L), Arguments.of(0L, 0L), Arguments.of(4L, null));
    }

    @Test
    void unsqueezeAndSqueezeOpset11AttributeAxes() {
        Random r = rng("sq11");
        Tensor x = rand(r, 3, 1, 4);
        TestGraphs g = TestGraphs.opset(11).input("X", x)
                .node("Unsqueeze").in("X").out("U0").ints("axes", 0).graph()
                .node("Unsqueeze").in("X").out("U1").ints("axes", 1, 4).graph()
                .node("Unsqueeze").in("X").out("U2").ints("axes", -1).graph()
                .node("Squeeze").in("X").out("S0").ints("axes", 1).graph()
                .node("Squeeze").in("U1").out("S1").graph()
                .node("Squeeze").in("U1").out("S2").ints("axes", -1, 1).graph()
                .node("Relu").in("U1").out("Y").graph()
                .output("U0", FLOAT).output("U1", FLOAT).output("U2", FLOAT)
                .output("S0", FLOAT).output("S1", FLOAT).output("S2", FLOAT).output("Y", FLOAT);
        check("Squeeze/Unsqueeze opset 11", g, inputs("X", x), "Unsqueeze", "Squeeze", "Relu");
    }

    @Test
    void unsqueezeAndSqueezeOpset13InputAxes() {
        Random r = rng("sq13");
        Tensor x = rand(r, 3, 1, 4);
        Tensor xi = randLongs(r, -9, 9, 3, 1, 4);
        TestGraphs g = TestGraphs.opset(13).input("X", x).input("XI", xi)
                .longs("a0", 0).longs("a14", 1, 4).longs("am1", -1).longs("a1", 1).longs("am1_1", -1, 1)
                .node("Unsqueeze").in("X", "a0").out("U0").graph()
                .node("Unsqueeze").in("X", "a14").out("U1").graph()
                .node("Unsqueeze").in("XI", "am1").out("U2").graph()
                .node("Squeeze").in("X", "a1").out("S0").graph()
                .node("Squeeze").in("U1").out("S1").graph()
                .node("Squeeze").in("U1", "am1_1").out("S2").graph()
                .node("Relu").in("U1").out("Y").graph()
                .output("U0", FLOAT).output("U1", FLOAT).output("U2", INT64)
                .output("S0", FLOAT).output("S1", FLOAT).output("S2", FLOAT).output("Y", FLOAT);
        check("Squeeze/Unsqueeze opset 13", g, inputs("X", x, "XI", xi), "Unsqueeze", "Squeeze", "Relu");
    }

    @Test
    void castFloatToInt64Truncates() {
        Random r = rng("cast f2i");
        float[] v = new float[200];
        float[] special = {-2.5f, -2.7f, -0.5f, -0.9999f, 0.5f, 2.7f, -0f, 1e6f, -1e6f, 3e9f, -3e9f, 123456.78f};
        for (int i = 0; i < v.length; i++) {
            v[i] = i < special.length ? special[i] : (r.nextFloat() * 2 - 1) * 100f;
        }
        Tensor x = floats(shape(4, 50), v);
        // int32 is computed as int64 here: only values that fit in int32 go through Cast(to=INT32)
        Tensor small = rand(r, 3, 7);
        for (int i = 0; i < small.size(); i++) {
            small.floats()[i] *= 1e5f;
        }
        TestGraphs g = TestGraphs.opset(13).input("X", x).input("S", small)
                .node("Cast").in("X").out("Y").i("to", INT64.code()).graph()
                .node("Cast").in("X").out("Z").i("to", FLOAT.code()).graph()
                .node("Cast").in("X").out("D").i("to", DataType.DOUBLE.code()).graph()
                .node("Cast").in("S").out("I32").i("to", DataType.INT32.code()).graph()
                .output("Y", INT64).output("Z", FLOAT).output("D", DataType.DOUBLE).output("I32", DataType.INT32);
        check("Cast float -> int64", g, inputs("X", x, "S", small), "Cast");
    }

    @Test
    void castInt64ToFloat() {
        Random r = rng("cast i2f");
        long[] v = new long[100];
        long[] special = {0, -1, 1, 16777217, -16777217, 1L << 40, -(1L << 40) - 1, 123456789012L, I64_MAX, I64_MIN};
        for (int i = 0; i < v.length; i++) {
            v[i] = i < special.length ? special[i] : r.nextInt(2001) - 1000;
        }
        Tensor x = longs(shape(100), v);
        TestGraphs g = TestGraphs.opset(13).input("X", x)
                .node("Cast").in("X").out("Y").i("to", FLOAT.code()).graph()
                .node("Cast").in("X").out("Z").i("to", INT64.code()).graph()
                .output("Y", FLOAT).output("Z", INT64);
        check("Cast int64 -> float", g, inputs("X", x), "Cast");
    }

    @Test
    void constants() {
        Random r = rng("constants");
        Tensor x = rand(r, 2, 3);
        Tensor xi = randLongs(r, -5, 5, 4);
        TestGraphs g = TestGraphs.opset(13).input("X", x).input("XI", xi)
                .constant("C", rand(r, 2, 3))
                .constant("CI", longs(shape(4), 1, -2, I64_MAX, 0))
                .node("Constant").out("VI").i("value_int", -3).graph()
                .node("Constant").out("VF").floats("value_floats", 1.5f, -2f, 0.25f).graph()
                .node("Constant").out("VS").f("value_float", 2.5f).graph()
                .node("Constant").out("VIS").ints("value_ints", 7, -8, 9, 10).graph()
                .node("Add").in("X", "C").out("Y1").graph()
                .node("Mul").in("X", "VF").out("Y2").graph()
                .node("Sub").in("XI", "VI").out("Y3").graph()
                .node("Div").in("X", "VS").out("Y4").graph()
                .node("Mul").in("XI", "VIS").out("Y5").graph()
                .output("C", FLOAT).output("CI", INT64).output("VI", INT64).output("VF", FLOAT).output("VS", FLOAT)
                .output("VIS", INT64).output("Y1", FLOAT).output("Y2", FLOAT).output("Y3", INT64).output("Y4", FLOAT)
                .output("Y5", INT64);
        check("Constant", g, inputs("X", x, "XI", xi), "Add", "Mul", "Sub", "Div");
    }

    @Test
    void constantOfShape() {
        Random r = rng("cos");
        Tensor x = rand(r, 2, 3, 4);
        Tensor xi = randLongs(r, -5, 5, 2, 3);
        TestGraphs g = TestGraphs.opset(13).input("X", x).input("XI", xi).longs("shape23", 2, 3)
                .node("Shape").in("X").out("S").graph()
                .node("ConstantOfShape").in("S").out("F").tensor("value", floats(shape(1), 2.5f)).graph()
                .node("ConstantOfShape").in("shape23").out("I").tensor("value", longs(shape(1), -7)).graph()
                .node("ConstantOfShape").in("S").out("Z").graph()
                .node("Add").in("X", "F").out("Y1").graph()
                .node("Mul").in("XI", "I").out("Y2").graph()
                .node("Sub").in("Z", "X").out("Y3").graph()
                .output("F", FLOAT).output("I", INT64).output("Z", FLOAT)
                .output("Y1", FLOAT).output("Y2", INT64).output("Y3", FLOAT);
        check("ConstantOfShape", g, inputs("X", x, "XI", xi), "Add", "Mul", "Sub");
    }

    @Test
    void identity() {
        Random r = rng("identity");
        Tensor x = rand(r, 2, 3, 4);
        Tensor xi = randLongs(r, -5, 5, 7);
        TestGraphs g = TestGraphs.opset(13).input("X", x).input("XI", xi)
                .node("Identity").in("X").out("Y").graph()
                .node("Identity").in("XI").out("YI").graph()
                .node("Identity").in("Y").out("Y2").graph()
                .node("Sigmoid").in("Y2").out("Z").graph()
                .output("Y", FLOAT).output("YI", INT64).output("Z", FLOAT);
        check("Identity", g, inputs("X", x, "XI", xi), "Identity", "Sigmoid");
    }

    // ================================================================ exported patterns

    /**
     * The FPN top-down step as PyTorch exports it: the lateral's spatial size read with
     * Shape/Gather/Cast, the top's N and C with Shape/Slice, Concat into sizes, then
     * Resize(top, "", "", sizes) (with empty roi/scales constants at opset 11), on a dynamic batch.
     */
    @ParameterizedTest(name = "FPN upsample chain, opset {0}")
    @ValueSource(ints = {11, 13, 17})
    void fpnUpsampleChain(int opset) {
        TestGraphs g = TestGraphs.opset(opset)
                .input("top", FLOAT, "N", 4, 5, 6).input("lateral", FLOAT, "N", 4, 10, 12)
                .longs("hw_idx", 2, 3).longs("zero", 0).longs("two", 2).longs("axis0", 0)
                .node("Shape").in("lateral").out("lat_shape").graph()
                .node("Gather").in("lat_shape", "hw_idx").out("hw").i("axis", 0).graph()
                .node("Cast").in("hw").out("hw_f").i("to", FLOAT.code()).graph()
                .node("Cast").in("hw_f").out("hw_i").i("to", INT64.code()).graph()
                .node("Shape").in("top").out("top_shape").graph()
                .node("Slice").in("top_shape", "zero", "two", "axis0").out("nc").graph()
                .node("Concat").in("nc", "hw_i").out("sizes").i("axis", 0).graph();
        String[] resizeIn = {"top", "", "", "sizes"};
        if (opset < 13) {
            g.initializer("roi", Tensor.ofFloats(new int[] {0}, new float[0]))
                    .initializer("scales", Tensor.ofFloats(new int[] {0}, new float[0]));
            resizeIn = new String[] {"top", "roi", "scales", "sizes"};
        }
        g.node("Resize").in(resizeIn).out("up").s("mode", "nearest")
                .s("coordinate_transformation_mode", "asymmetric").s("nearest_mode", "floor").graph()
                .node("Add").in("lateral", "up").out("Y").graph()
                .output("Y", FLOAT);
        for (int n : new int[] {1, 2}) {
            Random r = rng("fpn " + opset + " " + n);
            check("FPN chain opset " + opset + " batch " + n, g,
                    inputs("top", rand(r, n, 4, 5, 6), "lateral", rand(r, n, 4, 10, 12)), "Resize", "Add");
        }
    }

    /** torchvision's form: Gather a scalar dim, Unsqueeze it (attribute axes at 11, input axes at 13), Concat. */
    @ParameterizedTest(name = "scalar Gather + Unsqueeze sizes, opset {0}")
    @ValueSource(ints = {11, 13})
    void scalarGatherUnsqueezeSizes(int opset) {
        TestGraphs g = TestGraphs.opset(opset)
                .input("top", FLOAT, "N", 3, 4, 4).input("lateral", FLOAT, "N", 3, 8, 7)
                .initializer("i2", Tensor.scalar(2L)).initializer("i3", Tensor.scalar(3L))
                .longs("zero", 0).longs("two", 2)
                .node("Shape").in("lateral").out("ls").graph()
                .node("Gather").in("ls", "i2").out("h").graph()
                .node("Gather").in("ls", "i3").out("w").graph();
        if (opset < 13) {
            g.node("Unsqueeze").in("h").out("h1").ints("axes", 0);
            g.node("Unsqueeze").in("w").out("w1").ints("axes", 0);
            g.node("Slice").in("ls", "zero", "two").out("nc");
        } else {
            g.longs("axes0", 0);
            g.node("Unsqueeze").in("h", "axes0").out("h1");
            g.node("Unsqueeze").in("w", "axes0").out("w1");
            g.node("Slice").in("ls", "zero", "two").out("nc");
        }
        g.node("Concat").in("nc", "h1", "w1").out("sizes").i("axis", 0);
        String[] resizeIn = {"top", "", "", "sizes"};
        if (opset < 13) {
            g.initializer("roi", Tensor.ofFloats(new int[] {0}, new float[0]))
                    .initializer("scales", Tensor.ofFloats(new int[] {0}, new float[0]));
            resizeIn = new String[] {"top", "roi", "scales", "sizes"};
        }
        g.node("Resize").in(resizeIn).out("up").s("mode", "nearest").graph()
                .node("Add").in("up", "lateral").out("Y").graph()
                .output("Y", FLOAT);
        Random r = rng("gather unsqueeze " + opset);
        check("scalar Gather/Unsqueeze sizes opset " + opset, g,
                inputs("top", rand(r, 2, 3, 4, 4), "lateral", rand(r, 2, 3, 8, 7)), "Resize", "Add");
    }

    // ================================================================ Conv+UpsampleAdd

    /**
     * FPN top-down step: lateral = Conv1x1(c), Y = lateral + Resize(top) [+ Relu]. The Resize is
     * given by scales (when {@code scale} > 0) or by sizes (the lateral's map); {@code sigmoidOfUp}
     * adds a second consumer of the upsampled map.
     */
    private static TestGraphs fpnLateral(int[] top, int[] lat, float scale, String transform, String rounding,
                                         boolean relu, boolean sigmoidOfUp) {
        Random r = rng("fpn lateral " + Arrays.toString(top) + Arrays.toString(lat));
        TestGraphs g = TestGraphs.opset(13).input("top", FLOAT, "N", top[1], top[2], top[3])
                .input("c", FLOAT, "N", 5, lat[2], lat[3])
                .initializer("W", rand(r, top[1], 5, 1, 1)).initializer("B", rand(r, top[1]))
                .node("Conv").in("c", "W", "B").out("lateral").graph();
        String[] resizeIn;
        if (scale > 0) {
            g.floats("scales", 1, 1, scale, scale);
            resizeIn = new String[] {"top", "", "scales"};
        } else {
            g.longs("sizes", lat[0], top[1], lat[2], lat[3]);
            resizeIn = new String[] {"top", "", "", "sizes"};
        }
        g.node("Resize").in(resizeIn).out("up").s("mode", "nearest")
                .s("coordinate_transformation_mode", transform).s("nearest_mode", rounding).graph()
                .node("Add").in("lateral", "up").out(relu ? "s" : "Y").graph();
        if (relu) {
            g.node("Relu").in("s").out("Y");
        }
        g.output("Y", FLOAT);
        if (sigmoidOfUp) {
            g.node("Sigmoid").in("up").out("Z").graph().output("Z", FLOAT);
        }
        return g;
    }

    private static void checkFpn(String what, TestGraphs g, int[] top, int[] lat, boolean fused, String... mustRun) {
        Random r = rng(what);
        check(what, g, inputs("top", rand(r, top), "c", rand(r, lat[0], 5, lat[2], lat[3])), mustRun);
        List<String> steps = Planner.plan(OnnxLoader.parse(g.bytes(), what),
                Map.of("top", top, "c", new int[] {lat[0], 5, lat[2], lat[3]}), PlanOptions.defaults()).steps()
                .stream().map(Map.Entry::getValue).toList();
        assertEquals(fused, steps.stream().anyMatch(s -> s.startsWith("Conv+UpsampleAdd")), what + ": " + steps);
        assertEquals(!fused, steps.contains("Resize"), what + ": " + steps);
    }

    /** PyTorch's export (sizes, asymmetric + floor) and the scales form fuse, with and without Relu. */
    @Test
    void fpnResizeAddFusesIntoTheLateralConv() {
        int[] top = {2, 4, 5, 7}, lat = {2, 4, 10, 14};
        checkFpn("sizes asymmetric floor", fpnLateral(top, lat, 0, "asymmetric", "floor", false, false), top, lat, true,
                "Conv+UpsampleAdd");
        checkFpn("scales 2 asymmetric floor + Relu", fpnLateral(top, lat, 2, "asymmetric", "floor", true, false), top, lat,
                true, "Conv+UpsampleAdd+Relu");
        int[] lat3 = {2, 4, 15, 21};
        checkFpn("scales 3 half_pixel round_prefer_floor, odd 15x21",
                fpnLateral(top, lat3, 3, "half_pixel", "round_prefer_floor", true, false), top, lat3, true,
                "Conv+UpsampleAdd+Relu");
        checkFpn("scales 2 asymmetric round_prefer_floor",
                fpnLateral(top, lat, 2, "asymmetric", "round_prefer_floor", false, false), top, lat, true,
                "Conv+UpsampleAdd");
    }

    /** Not fused: a second consumer of the upsampled map, non-integer sizes, modes that are not o / f. */
    @Test
    void fpnResizeAddThatMustNotFuse() {
        int[] top = {2, 4, 5, 7}, lat = {2, 4, 10, 14};
        checkFpn("upsampled map read twice", fpnLateral(top, lat, 2, "asymmetric", "floor", false, true), top, lat, false,
                "Conv+Add", "Resize", "Sigmoid");
        int[] odd = {2, 4, 9, 13};
        checkFpn("sizes 5x7 -> 9x13", fpnLateral(top, odd, 0, "asymmetric", "floor", false, false), top, odd, false,
                "Conv+Add", "Resize");
        checkFpn("align_corners", fpnLateral(top, lat, 2, "align_corners", "floor", false, false), top, lat, false,
                "Conv+Add", "Resize");
        checkFpn("half_pixel floor", fpnLateral(top, lat, 2, "half_pixel", "floor", true, false), top, lat, false,
                "Conv+Add+Relu", "Resize");
        int[] lat3 = {2, 4, 15, 21};
        checkFpn("asymmetric round_prefer_floor at 3", fpnLateral(top, lat3, 3, "asymmetric", "round_prefer_floor", false,
                false), top, lat3, false, "Conv+Add", "Resize");
    }
}

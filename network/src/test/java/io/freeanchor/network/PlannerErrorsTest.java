package io.freeanchor.network;

import static io.freeanchor.onnx.DataType.FLOAT;
import static io.freeanchor.onnx.DataType.INT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Models the planner or executor must refuse, each with a one-line message naming the culprit. */
class PlannerErrorsTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = new ReferenceBackend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** The ModelException thrown, after checking its message is one line containing every fragment. */
    static ModelException fails(Executable action, String... fragments) {
        ModelException e = assertThrows(ModelException.class, action);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "message is one line: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "message should contain \"" + f + "\": " + m);
        }
        return e;
    }

    static Plan plan(TestGraphs g, Map<String, int[]> shapes) {
        return Planner.plan(g.load(), shapes, PlanOptions.defaults());
    }

    static TestGraphs reluModel() {
        return TestGraphs.opset(13).input("X", FLOAT, "N", 3, 8, 8)
                .node("Relu").in("X").out("Y").graph().output("Y", FLOAT);
    }

    static Tensor zeros(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Tensor.ofFloats(shape, new float[n]);
    }

    @Test
    void allUnsupportedNodesAreListedInOneMessage() {
        TestGraphs g = TestGraphs.opset(13).importDomain("com.custom", 1).input("X", FLOAT, 1, 3, 4, 4)
                .node("FancyOp").name("fancy_1").in("X").out("a").graph()
                .node("Relu").in("a").out("b").graph()
                .node("MyOp").name("custom_1").domain("com.custom").in("b").out("c").graph()
                .node("FancyOp").name("").in("c").out("d").graph()
                .node("Softmax").name("softmax_1").in("d").out("Y").graph()
                .output("Y", FLOAT);
        ModelException e = fails(() -> plan(g, Map.of()), "4 node(s)", "'fancy_1' (FancyOp)",
                "'custom_1' (com.custom.MyOp)", "'FancyOp(d)' (FancyOp)", "'softmax_1' (Softmax)");
        assertFalse(e.getMessage().contains("Relu"), e.getMessage());
        assertEquals(4, Planner.unsupportedNodes(g.load()).size());
    }

    @Test
    void resizeModeLinearNamesTheNode() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 1, 3, 4, 4).floats("scales", 1, 1, 2, 2)
                .node("Resize").name("upsample_p4").in("X", "", "scales").out("Y").s("mode", "linear").graph()
                .output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "'upsample_p4'", "Resize", "linear");
    }

    @Test
    void convWithMismatchedWeightChannelsNamesTheNode() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 1, 3, 8, 8).initializer("W", zeros(4, 5, 3, 3))
                .node("Conv").name("backbone.conv1").in("X", "W").out("Y").graph()
                .output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "'backbone.conv1'", "Conv", "[4, 5, 3, 3]");
    }

    @Test
    void convWithWrongBiasLengthNamesTheNode() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 1, 3, 8, 8).initializer("W", zeros(4, 3, 3, 3))
                .initializer("B", zeros(5))
                .node("Conv").name("head.conv").in("X", "W", "B").out("Y").graph()
                .output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "'head.conv'", "bias");
    }

    @Test
    void reshapeToARunTimeShapeNamesTheNode() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 2, 6).input("S", INT64, 2)
                .node("Reshape").name("reshape_dyn").in("X", "S").out("Y").graph()
                .output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "'reshape_dyn'", "known before running");
    }

    @Test
    void inputShapeOfWrongRank() {
        fails(() -> plan(reluModel(), Map.of("X", new int[] {1, 3, 8})), "'X'", "rank 4", "[1, 3, 8]");
    }

    @Test
    void inputShapeContradictingAFixedDim() {
        fails(() -> plan(reluModel(), Map.of("X", new int[] {1, 4, 8, 8})), "'X'", "fixed dimension 3", "axis 1");
    }

    @Test
    void symbolicInputWithoutAShape() {
        fails(() -> plan(reluModel(), Map.of()), "'X'", "unknown dimensions");
    }

    @Test
    void shapeForAnInputTheModelLacks() {
        fails(() -> plan(reluModel(), Map.of("X", new int[] {1, 3, 8, 8}, "Q", new int[] {1})), "'Q'");
    }

    @Test
    void nonPositiveInputDim() {
        fails(() -> plan(reluModel(), Map.of("X", new int[] {0, 3, 8, 8})), "'X'", "positive");
    }

    @Test
    void unsupportedOpset() {
        TestGraphs g = TestGraphs.opset(99).input("X", FLOAT, 2).node("Relu").in("X").out("Y").graph().output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "opset 99");
    }

    @Test
    void missingInputAtRunTime() {
        TestGraphs g = TestGraphs.opset(13).input("A", FLOAT, 2, 3).input("B", FLOAT, 2, 3)
                .node("Add").in("A", "B").out("Y").graph().output("Y", FLOAT);
        Network net = Network.compile(g.load(), Map.of(), backend, PlanOptions.defaults());
        fails(() -> net.run(Map.of("A", zeros(2, 3))), "missing input 'B'");
    }

    @Test
    void extraInputAtRunTime() {
        Network net = Network.compile(reluModel().load(), Map.of("X", new int[] {1, 3, 8, 8}), backend, PlanOptions.defaults());
        Map<String, Tensor> in = new HashMap<>();
        in.put("X", zeros(1, 3, 8, 8));
        in.put("extra", zeros(1));
        fails(() -> net.run(in), "unexpected input 'extra'");
    }

    @Test
    void inputOfTheWrongTypeAtRunTime() {
        Network net = Network.compile(reluModel().load(), Map.of("X", new int[] {1, 3, 8, 8}), backend, PlanOptions.defaults());
        Tensor longs = Tensor.ofLongs(new int[] {1, 3, 8, 8}, new long[192]);
        fails(() -> net.run(Map.of("X", longs)), "input 'X'", "FLOAT32", "INT64");
    }

    @Test
    void inputOfTheWrongShapeAtRunTime() {
        Network net = Network.compile(reluModel().load(), Map.of("X", new int[] {1, 3, 8, 8}), backend, PlanOptions.defaults());
        fails(() -> net.run(Map.of("X", zeros(2, 3, 8, 8))), "input 'X'", "[1, 3, 8, 8]", "[2, 3, 8, 8]");
    }

    /** ORT rejects an out-of-range run-time index; we must fail with a message naming the node, not crash. */
    @Test
    void gatherIndexOutOfRangeAtRunTime() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 5, 3).input("I", INT64, 2)
                .node("Gather").name("pick_rows").in("X", "I").out("Y").graph().output("Y", FLOAT);
        Network net = Network.compile(g.load(), Map.of(), backend, PlanOptions.defaults());
        fails(() -> net.run(Map.of("X", zeros(5, 3), "I", Tensor.ofLongs(new int[] {2}, new long[] {1, 5}))), "'pick_rows'");
    }

    @Test
    void gatherConstantIndexOutOfRangeAtPlanTime() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 5, 3).longs("I", 0, -6)
                .node("Gather").name("pick_rows").in("X", "I").out("Y").graph().output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "'pick_rows'", "-6");
    }

    @Test
    void graphOutputNobodyProduces() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 2)
                .node("Relu").in("X").out("Y").graph().output("Y", FLOAT).output("ghost", FLOAT);
        fails(() -> plan(g, Map.of()), "'ghost'");
    }

    @Test
    void nodeReadingAnUndefinedValue() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, 2)
                .node("Add").name("adder").in("X", "nowhere").out("Y").graph().output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "'adder'", "'nowhere'");
    }

    @Test
    void mismatchedBroadcastNamesTheNode() {
        TestGraphs g = TestGraphs.opset(13).input("A", FLOAT, 2, 3).input("B", FLOAT, 4)
                .node("Mul").name("scale_mul").in("A", "B").out("Y").graph().output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "'scale_mul'", "Mul");
    }

    @Test
    void errorsDoNotStopAtTheFirstUnsupportedNodeEvenWhenShapesAreBad() {
        // unsupported ops are reported before shapes are even looked at
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, "N", 3)
                .node("Gelu").name("g1").in("X").out("a").graph()
                .node("Erf").name("e1").in("a").out("Y").graph()
                .output("Y", FLOAT);
        fails(() -> plan(g, Map.of()), "'g1' (Gelu)", "'e1' (Erf)");
        assertEquals(List.of("'g1' (Gelu)", "'e1' (Erf)"), Planner.unsupportedNodes(g.load()));
    }

    @Test
    void planThatWouldNotFitTheHeapIsRefusedBeforeAllocating() {
        // Two live 8 GiB activations: more than any test JVM's heap, so binding must refuse, not allocate.
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, "N", 500, 2048, 2048)
                .node("Relu").in("X").out("a").graph()
                .node("Sigmoid").in("a").out("b").graph()
                .node("Add").in("a", "b").out("Y").graph().output("Y", FLOAT);
        Plan p = plan(g, Map.of("X", new int[] {1, 500, 2048, 2048}));
        assertTrue(p.memory().peakBytes() + p.memory().outputBytes() > Runtime.getRuntime().maxMemory());
        fails(() -> Network.bind(p, backend), "GiB", "X=FLOAT32[1, 500, 2048, 2048]", "FREEANCHOR_HEAP");
    }

    @Test
    void tensorsBeyondJavaArraysAreRefused() {
        TestGraphs g = TestGraphs.opset(13).input("X", FLOAT, "N", 3, 8, 8)
                .node("Resize").name("huge_up").in("X", "", "s").out("Y").graph()
                .floats("s", 1, 1, 20000, 20000).output("Y", FLOAT);
        fails(() -> plan(g, Map.of("X", new int[] {1, 3, 8, 8})), "'huge_up'", "more elements than a Java array holds");
    }

    @Test
    void aCheckedModelPlansFine() {
        // control: the fixtures above fail for the stated reason, not because the builder is broken
        OnnxModel m = reluModel().load();
        Plan p = Planner.plan(m, Map.of("X", new int[] {2, 3, 8, 8}), PlanOptions.defaults());
        assertEquals(List.of("Y"), p.outputs());
    }
}

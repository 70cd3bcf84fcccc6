package io.freeanchor.network;

import io.freeanchor.kernels.Activation;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.ReferenceBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ops.ConvOps;
import io.freeanchor.network.ops.NodeContext;
import io.freeanchor.network.ops.OpFactory;
import io.freeanchor.network.ops.OpRegistry;
import io.freeanchor.network.ops.ResizeOp;
import io.freeanchor.network.ops.ShapeOps;
import io.freeanchor.network.ops.Step;
import io.freeanchor.onnx.Dim;
import io.freeanchor.onnx.Graph;
import io.freeanchor.onnx.Node;
import io.freeanchor.onnx.OnnxModel;
import io.freeanchor.onnx.TensorData;
import io.freeanchor.onnx.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns an ONNX graph and concrete input shapes into a {@link Plan}: checks every op is supported,
 * infers all shapes, folds what is known at plan time (the Shape/Gather/Concat chains around Resize),
 * folds BatchNormalization into Conv, fuses Relu and residual Add into Conv (reading an FPN-style
 * integer nearest upsampling of the residual in place), drops dead nodes and plans activation memory.
 */
public final class Planner {
    /** Plan-time folding runs on the reference kernels; bigger results stay run-time work. */
    private static final long MAX_FOLDED_ELEMENTS = 1L << 24;
    private static final long MAX_OPSET = 21;

    private final OnnxModel model;
    private final PlanOptions options;
    private final Map<String, ValueType> types = new HashMap<>();
    private final Map<String, Tensor> constants = new HashMap<>();
    private final List<PlanNode> nodes = new ArrayList<>();

    private Planner(OnnxModel model, PlanOptions options) {
        this.model = model;
        this.options = options;
    }

    /**
     * Plans the model for the given input shapes. Inputs whose declared shape is fully fixed may be
     * left out of {@code inputShapes}.
     */
    public static Plan plan(OnnxModel model, Map<String, int[]> inputShapes, PlanOptions options) {
        return new Planner(model, options).run(inputShapes);
    }

    /** Every node whose op we cannot run, reported all at once; empty when the model is supported. */
    public static List<String> unsupportedNodes(OnnxModel model) {
        List<String> out = new ArrayList<>();
        for (Node n : model.graph().nodes()) {
            if (OpRegistry.standard().find(n.domain(), n.opType()) == null) {
                out.add("'" + n.label() + "' (" + (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType() + ")");
            }
        }
        return out;
    }

    private Plan run(Map<String, int[]> inputShapes) {
        Graph g = model.graph();
        long opset = model.opset();
        if (opset < 7 || opset > MAX_OPSET) {
            throw new ModelException("the model imports ONNX opset " + opset + "; supported are 7 to " + MAX_OPSET);
        }
        List<String> unsupported = unsupportedNodes(model);
        if (!unsupported.isEmpty()) {
            throw new ModelException(unsupported.size() + " node(s) use ops this engine does not support: "
                    + String.join(", ", unsupported));
        }
        Map<String, Integer> histogramBefore = new TreeMap<>();
        for (Node n : g.nodes()) {
            histogramBefore.merge(n.opType(), 1, Integer::sum);
        }
        Map<String, ValueType> inputs = resolveInputs(g, inputShapes);
        types.putAll(inputs);
        for (Map.Entry<String, TensorData> e : g.initializers().entrySet()) {
            Tensor t = TensorConversion.toTensor(e.getValue(), "initializer '" + e.getKey() + "'");
            constants.put(e.getKey(), t);
            types.put(e.getKey(), new ValueType(t.dtype(), t.shape()));
        }
        try (Backend folder = new ReferenceBackend()) {
            for (Node n : g.nodes()) {
                addNode(n, opset, folder);
            }
        }
        List<String> outputs = new ArrayList<>();
        for (ValueInfo o : g.outputs()) {
            if (!types.containsKey(o.name())) {
                throw new ModelException("graph output '" + o.name() + "' is not produced by any node");
            }
            outputs.add(o.name());
        }
        if (options.foldBatchNorm()) {
            foldBatchNorms(Set.copyOf(outputs));
        }
        if (options.fuseConv()) {
            fuseResidualAdds(Set.copyOf(outputs));
            fuseUpsampledResiduals(Set.copyOf(outputs));
            fuseRelus(Set.copyOf(outputs));
        }
        removeDeadNodes(outputs);
        long parameters = 0, parameterBytes = 0;
        for (TensorData t : g.initializers().values()) {
            parameters += t.elementCount();
            parameterBytes += t.elementCount() * t.type().byteSize();
        }
        // Constants a bound network releases are remade by planning again (same model, shapes, options).
        Map<String, int[]> resolved = new LinkedHashMap<>();
        inputs.forEach((name, type) -> resolved.put(name, type.shape()));
        // Locals, so that the lambda does not capture this planner (and with it every constant).
        OnnxModel m = model;
        PlanOptions o = options;
        PlanConstants constants = new PlanConstants(liveConstants(outputs),
                () -> new Planner(m, o).run(resolved).constantStore().all());
        return new Plan(inputs, outputs, nodes, types, constants, histogramBefore, parameters, parameterBytes);
    }

    private Map<String, ValueType> resolveInputs(Graph g, Map<String, int[]> given) {
        Map<String, ValueType> out = new LinkedHashMap<>();
        List<String> known = g.inputs().stream().map(ValueInfo::name).toList();
        for (String name : given.keySet()) {
            if (!known.contains(name)) {
                throw new ModelException("the model has no input named '" + name + "' (inputs: " + known + ")");
            }
        }
        for (ValueInfo in : g.inputs()) {
            DType dtype = TensorConversion.dtypeOf(in.elementType(), "graph input '" + in.name() + "'");
            int[] shape = given.get(in.name());
            List<Dim> declared = in.shape();
            if (shape == null) {
                if (declared == null || !declared.stream().allMatch(d -> d instanceof Dim.Fixed)) {
                    throw new ModelException("no shape given for graph input '" + in.name() + "', declared as "
                            + declared + " with unknown dimensions");
                }
                shape = declared.stream().mapToInt(d -> Math.toIntExact(((Dim.Fixed) d).size())).toArray();
            } else if (declared != null) {
                if (declared.size() != shape.length) {
                    throw new ModelException("graph input '" + in.name() + "' has rank " + declared.size() + " " + declared
                            + ", but shape " + Arrays.toString(shape) + " was given");
                }
                for (int i = 0; i < shape.length; i++) {
                    if (declared.get(i) instanceof Dim.Fixed f && f.size() != shape[i]) {
                        throw new ModelException("graph input '" + in.name() + "' has fixed dimension " + f.size()
                                + " at axis " + i + " " + declared + ", but shape " + Arrays.toString(shape) + " was given");
                    }
                }
            }
            for (int d : shape) {
                if (d < 1) {
                    throw new ModelException("graph input '" + in.name() + "': dimension " + d + " in "
                            + Arrays.toString(shape) + " must be positive");
                }
            }
            ValueType t = new ValueType(dtype, shape);
            checkSize(t, "graph input '" + in.name() + "'");
            out.put(in.name(), t);
        }
        return out;
    }

    private void addNode(Node n, long opset, Backend folder) {
        List<ValueType> inTypes = new ArrayList<>();
        List<Tensor> inConsts = new ArrayList<>();
        for (String in : n.inputs()) {
            if (in.isEmpty()) {
                inTypes.add(null);
                inConsts.add(null);
                continue;
            }
            ValueType t = types.get(in);
            if (t == null) {
                throw new ModelException("node '" + n.label() + "' (" + n.opType() + "): input '" + in
                        + "' is not defined before it (the graph is not topologically sorted or the value is missing)");
            }
            inTypes.add(t);
            inConsts.add(constants.get(in));
        }
        OpFactory factory = OpRegistry.standard().find(n.domain(), n.opType());
        NodeContext ctx = new NodeContext(n, opset, inTypes, inConsts);
        Step step;
        try {
            step = factory.create(ctx);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw ctx.error(e.getMessage());
        }
        List<ValueType> outTypes = step.outputTypes();
        List<String> outNames = new ArrayList<>();
        for (int i = 0; i < n.outputs().size(); i++) {
            String name = n.outputs().get(i);
            if (name.isEmpty()) {
                continue;
            }
            if (i >= outTypes.size()) {
                throw ctx.error("output " + i + " ('" + name + "') is not supported");
            }
            if (types.containsKey(name)) {
                throw ctx.error("output '" + name + "' is already defined elsewhere in the graph");
            }
            checkSize(outTypes.get(i), "node '" + n.label() + "' (" + n.opType() + ") output '" + name + "'");
            types.put(name, outTypes.get(i));
            outNames.add(name);
        }
        boolean allConstant = true;
        for (int i = 0; i < inTypes.size(); i++) {
            allConstant &= inTypes.get(i) == null || inConsts.get(i) != null;
        }
        long outElements = outTypes.stream().mapToLong(ValueType::elements).sum();
        if (step instanceof ShapeOps.ConstantStep c) {
            constants.put(outNames.getFirst(), c.value());
        } else if (allConstant && outElements <= MAX_FOLDED_ELEMENTS && outNames.size() == outTypes.size()) {
            fold(n, step, inConsts, outNames, folder);
        } else {
            nodes.add(new PlanNode(n.label(), n.opType(), n.inputs(), n.outputs().stream().filter(s -> !s.isEmpty()).toList(), step));
        }
    }

    private void fold(Node n, Step step, List<Tensor> inputs, List<String> outNames, Backend folder) {
        Tensor[] in = inputs.toArray(new Tensor[0]);
        if (step.isView()) {
            ValueType t = step.outputTypes().getFirst();
            constants.put(outNames.getFirst(), in[0].copy().reshape(t.shape()));
            return;
        }
        Tensor[] out = new Tensor[outNames.size()];
        for (int i = 0; i < out.length; i++) {
            ValueType t = step.outputTypes().get(i);
            out[i] = Tensor.zeros(t.dtype(), t.shape());
        }
        try {
            step.run(folder, in, out);
        } catch (IllegalArgumentException e) {
            throw new ModelException("node '" + n.label() + "' (" + n.opType() + "): " + e.getMessage(), e);
        }
        for (int i = 0; i < out.length; i++) {
            constants.put(outNames.get(i), out[i]);
        }
    }

    private static void checkSize(ValueType t, String where) {
        try {
            t.checkedSize();
        } catch (IllegalArgumentException e) {
            throw new ModelException(where + ": " + e.getMessage());
        }
    }

    // ---- rewrites -------------------------------------------------------------------------------

    /** Consumers of each value among the run-time nodes. */
    private Map<String, List<PlanNode>> consumers() {
        Map<String, List<PlanNode>> out = new HashMap<>();
        for (PlanNode n : nodes) {
            for (String in : n.inputs) {
                if (!in.isEmpty()) {
                    out.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        return out;
    }

    private Map<String, PlanNode> producers() {
        Map<String, PlanNode> out = new HashMap<>();
        for (PlanNode n : nodes) {
            for (String o : n.outputs) {
                out.put(o, n);
            }
        }
        return out;
    }

    /** The Conv producing {@code value} when it may absorb its single consumer; else null. */
    private PlanNode fusableConv(String value, Map<String, PlanNode> producers, Map<String, List<PlanNode>> consumers,
                                 Set<String> graphOutputs) {
        PlanNode p = producers.get(value);
        if (p == null || !(p.step instanceof ConvOps.ConvStep)
                || graphOutputs.contains(value) || consumers.getOrDefault(value, List.of()).size() != 1) {
            return null;
        }
        return p;
    }

    private void foldBatchNorms(Set<String> graphOutputs) {
        Map<String, PlanNode> producers = producers();
        Map<String, List<PlanNode>> consumers = consumers();
        for (PlanNode bn : List.copyOf(nodes)) {
            if (!bn.opType.equals("BatchNormalization")) {
                continue;
            }
            PlanNode conv = fusableConv(bn.inputs.getFirst(), producers, consumers, graphOutputs);
            if (conv == null || !conv.opType.equals("Conv") || conv.inputs.size() > 3
                    || !constants.containsKey(conv.inputs.get(1))
                    || conv.inputs.size() == 3 && !conv.inputs.get(2).isEmpty() && !constants.containsKey(conv.inputs.get(2))
                    || !bn.inputs.subList(1, 5).stream().allMatch(constants::containsKey)) {
                continue;
            }
            float eps = ((ConvOps.BatchNormStep) bn.step).epsilon();
            Tensor w = constants.get(conv.inputs.get(1));
            boolean hasBias = conv.inputs.size() == 3 && !conv.inputs.get(2).isEmpty();
            Tensor b = hasBias ? constants.get(conv.inputs.get(2)) : null;
            float[][] folded = BatchNormFolding.fold(w, b, constants.get(bn.inputs.get(1)), constants.get(bn.inputs.get(2)),
                    constants.get(bn.inputs.get(3)), constants.get(bn.inputs.get(4)), eps);
            String wName = freshName(conv.inputs.get(1) + "/bn_folded");
            String bName = freshName(wName + "_bias");
            constants.put(wName, Tensor.ofFloats(w.shape(), folded[0]));
            types.put(wName, new ValueType(DType.FLOAT32, w.shape()));
            constants.put(bName, Tensor.ofFloats(new int[] {w.dim(0)}, folded[1]));
            types.put(bName, new ValueType(DType.FLOAT32, new int[] {w.dim(0)}));
            String x = conv.inputs.getFirst();
            conv.inputs.clear();
            conv.inputs.addAll(List.of(x, wName, bName));
            conv.outputs.set(0, bn.outputs.getFirst());
            nodes.remove(bn);
            producers.put(bn.outputs.getFirst(), conv);
        }
    }

    private String freshName(String base) {
        String name = base;
        for (int i = 1; types.containsKey(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** Add(conv(x), r) becomes conv(x) with r added in its epilogue, run where the Add was. */
    private void fuseResidualAdds(Set<String> graphOutputs) {
        Map<String, PlanNode> producers = producers();
        Map<String, List<PlanNode>> consumers = consumers();
        for (PlanNode add : List.copyOf(nodes)) {
            if (!add.opType.equals("Add") || add.inputs.size() != 2) {
                continue;
            }
            ValueType outType = types.get(add.outputs.getFirst());
            PlanNode best = null;
            int bestSide = -1;
            for (int side = 0; side < 2; side++) {
                String mine = add.inputs.get(side), other = add.inputs.get(1 - side);
                PlanNode conv = fusableConv(mine, producers, consumers, graphOutputs);
                if (conv == null || !conv.opType.equals("Conv") || mine.equals(other)
                        || !types.get(other).equals(outType) || !types.get(mine).equals(outType)
                        || constants.containsKey(other)) {
                    continue;
                }
                if (best == null || nodes.indexOf(conv) > nodes.indexOf(best)) {
                    best = conv;
                    bestSide = side;
                }
            }
            if (best == null) {
                continue;
            }
            String residual = add.inputs.get(1 - bestSide);
            List<String> convInputs = new ArrayList<>(best.inputs);
            while (convInputs.size() < 3) {
                convInputs.add("");
            }
            convInputs.add(residual);
            best.inputs.clear();
            best.inputs.addAll(convInputs);
            best.outputs.set(0, add.outputs.getFirst());
            best.opType = "Conv+Add";
            nodes.remove(best);
            nodes.set(nodes.indexOf(add), best);
            producers.put(add.outputs.getFirst(), best);
            consumers = consumers();
        }
    }

    /**
     * Conv+Add whose residual is a nearest Resize that is an exact integer upsampling (the FPN's
     * top-down path) and has no other use: the conv reads the Resize's small input at (oh / sh, ow / sw)
     * instead, so the upsampled map is never written ("Conv+UpsampleAdd"); the Resize becomes dead.
     */
    private void fuseUpsampledResiduals(Set<String> graphOutputs) {
        Map<String, PlanNode> producers = producers();
        Map<String, List<PlanNode>> consumers = consumers();
        for (PlanNode conv : List.copyOf(nodes)) {
            if (!conv.opType.equals("Conv+Add") || conv.inputs.size() != 4) {
                continue;
            }
            String upsampled = conv.inputs.get(3);
            PlanNode resize = producers.get(upsampled);
            if (resize == null || !(resize.step instanceof ResizeOp.ResizeStep rs) || graphOutputs.contains(upsampled)
                    || consumers.getOrDefault(upsampled, List.of()).size() != 1) {
                continue;
            }
            String small = resize.inputs.getFirst();
            ValueType smallType = types.get(small), outType = types.get(upsampled);
            if (smallType.rank() != 4 || constants.containsKey(small)) {
                continue;
            }
            int[] f = rs.params().exactIntegerFactors(smallType.shape(), outType.shape());
            if (f == null || f[0] != 1 || f[1] != 1) {
                continue;
            }
            conv.inputs.set(3, small);
            conv.step = ((ConvOps.ConvStep) conv.step).withResidualScale(f[2], f[3]);
            conv.opType = "Conv+UpsampleAdd";
            nodes.remove(resize);
            consumers = consumers();
        }
    }

    private void fuseRelus(Set<String> graphOutputs) {
        Map<String, PlanNode> producers = producers();
        Map<String, List<PlanNode>> consumers = consumers();
        for (PlanNode relu : List.copyOf(nodes)) {
            if (!relu.opType.equals("Relu")) {
                continue;
            }
            PlanNode conv = fusableConv(relu.inputs.getFirst(), producers, consumers, graphOutputs);
            if (conv == null || conv.opType.endsWith("Relu")) {
                continue;
            }
            var step = (ConvOps.ConvStep) conv.step;
            conv.step = step.withActivation(Activation.RELU);
            conv.opType = conv.opType + "+Relu";
            conv.outputs.set(0, relu.outputs.getFirst());
            nodes.remove(relu);
            producers.put(relu.outputs.getFirst(), conv);
        }
    }

    private void removeDeadNodes(List<String> outputs) {
        Set<String> needed = new HashSet<>(outputs);
        List<PlanNode> live = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            PlanNode n = nodes.get(i);
            if (n.outputs.stream().anyMatch(needed::contains)) {
                live.add(n);
                for (String in : n.inputs) {
                    if (!in.isEmpty()) {
                        needed.add(in);
                    }
                }
            }
        }
        nodes.clear();
        nodes.addAll(live.reversed());
    }

    private Map<String, Tensor> liveConstants(List<String> outputs) {
        Map<String, Tensor> out = new HashMap<>();
        for (PlanNode n : nodes) {
            for (String in : n.inputs) {
                if (constants.containsKey(in)) {
                    out.put(in, constants.get(in));
                }
            }
        }
        for (String o : outputs) {
            if (constants.containsKey(o)) {
                out.put(o, constants.get(o));
            }
        }
        return out;
    }
}

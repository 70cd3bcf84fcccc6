package io.freeanchor.network;

import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ops.Step;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The optimized, shape-resolved graph: run-time nodes in execution order, plan-time constants, and
 * the activation memory plan. Immutable once built; {@link Network} executes it on a backend.
 */
public final class Plan {
    private final Map<String, ValueType> inputs;
    private final List<String> outputs;
    private final List<PlanNode> nodes;
    private final Map<String, ValueType> types;
    private final PlanConstants constants;
    private final Map<String, String> rootOf = new HashMap<>();
    private final MemoryPlan memory;
    private final Map<String, Integer> histogramBefore;
    private final long parameters;
    private final long parameterBytes;

    Plan(Map<String, ValueType> inputs, List<String> outputs, List<PlanNode> nodes, Map<String, ValueType> types,
         PlanConstants constants, Map<String, Integer> histogramBefore, long parameters, long parameterBytes) {
        this.inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        this.outputs = List.copyOf(outputs);
        this.nodes = List.copyOf(nodes);
        this.types = Map.copyOf(types);
        this.constants = constants;
        this.histogramBefore = Collections.unmodifiableMap(new TreeMap<>(histogramBefore));
        this.parameters = parameters;
        this.parameterBytes = parameterBytes;
        for (PlanNode n : nodes) {
            if (n.step.isView()) {
                String src = n.inputs.getFirst();
                rootOf.put(n.outputs.getFirst(), rootOf.getOrDefault(src, src));
            }
        }
        this.memory = new MemoryPlan(this.nodes, types, rootOf, outputs);
    }

    public Map<String, ValueType> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    public ValueType type(String value) {
        return types.get(value);
    }

    List<PlanNode> nodes() {
        return nodes;
    }

    /** Every constant's values (remade if a bound network released some; see {@link PlanConstants}). */
    Map<String, Tensor> constants() {
        return constants.all();
    }

    PlanConstants constantStore() {
        return constants;
    }

    boolean isConstant(String value) {
        return constants.contains(value);
    }

    /** The value whose buffer {@code value} views, or itself. */
    String root(String value) {
        return rootOf.getOrDefault(value, value);
    }

    public MemoryPlan memory() {
        return memory;
    }

    /** Run-time steps in order, as (name, op type) pairs; fused ops read e.g. "Conv+Add+Relu". */
    public List<Map.Entry<String, String>> steps() {
        return nodes.stream().map(n -> Map.entry(n.name, n.opType)).toList();
    }

    /** A run-time step with the values it reads and writes, for tools that inspect plans (bench). */
    public record StepInfo(String name, String opType, List<String> inputs, List<String> outputs, Step step) {}

    /** Run-time steps in order, with their value names and parsed steps. */
    public List<StepInfo> stepInfos() {
        return nodes.stream().map(n -> new StepInfo(n.name, n.opType, List.copyOf(n.inputs), List.copyOf(n.outputs), n.step)).toList();
    }

    /** Op types of the model's nodes before any optimization. */
    public Map<String, Integer> histogramBefore() {
        return histogramBefore;
    }

    /** Op types of the run-time steps. */
    public Map<String, Integer> histogramAfter() {
        Map<String, Integer> h = new TreeMap<>();
        for (PlanNode n : nodes) {
            h.merge(n.opType, 1, Integer::sum);
        }
        return h;
    }

    /** Multiply-accumulates per run by op type (after fusion). */
    public Map<String, Long> macsByOpType() {
        Map<String, Long> m = new TreeMap<>();
        for (PlanNode n : nodes) {
            if (n.step.macs() > 0) {
                m.merge(n.opType, n.step.macs(), Long::sum);
            }
        }
        return m;
    }

    public long totalMacs() {
        return nodes.stream().mapToLong(n -> n.step.macs()).sum();
    }

    /** Element count of the model's initializers. */
    public long parameters() {
        return parameters;
    }

    /** Bytes of the model's initializers as stored in the file's types. */
    public long parameterBytes() {
        return parameterBytes;
    }

    /** Bytes of the plan's constants (folded weights included), whether held now or released. */
    public long constantBytes() {
        return constants.names().stream().mapToLong(n -> types.get(n).bytes()).sum();
    }
}

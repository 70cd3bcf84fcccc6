package io.freeanchor.network;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ops.Step;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binding's preparation pass: every step prepares its plan-time constant inputs on the backend
 * once ({@link Step#prepare}), and each constant is released as soon as its last user is prepared
 * if no user still reads it ({@link Step#readsInput}; e.g. conv weights the Java backend transformed
 * for Winograd or packed for GEMM). Releasing as we go keeps the raw and prepared forms of the same
 * weights from both being on the heap for more than a layer or two at a time.
 */
final class StepPreparation {
    private final Object[] prepared;
    private final Map<String, Tensor> constants;

    StepPreparation(Plan plan, Backend backend) {
        List<PlanNode> nodes = plan.nodes();
        Map<String, Tensor> held = new HashMap<>();
        plan.constants().forEach((name, t) -> held.put(name, backend.holdConstant(t)));
        Map<String, Integer> usesLeft = new HashMap<>();
        for (PlanNode n : nodes) {
            for (String in : n.inputs) {
                if (held.containsKey(in)) {
                    usesLeft.merge(in, 1, Integer::sum);
                }
            }
        }
        // Graph outputs that are constants are copied out by every run.
        Set<String> read = new HashSet<>(plan.outputs());
        prepared = new Object[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            PlanNode n = nodes.get(i);
            if (!n.step.isView()) {
                prepared[i] = prepare(plan, n, held, backend);
            }
            for (int k = 0; k < n.inputs.size(); k++) {
                String name = n.inputs.get(k);
                if (!usesLeft.containsKey(name)) {
                    continue;
                }
                if (n.step.isView() || n.step.readsInput(prepared[i], k)) {
                    read.add(name);
                }
                if (usesLeft.merge(name, -1, Integer::sum) == 0 && !read.contains(name)) {
                    held.remove(name);
                    plan.constantStore().release(name);
                }
            }
        }
        constants = held;
    }

    /** Per plan node, what its step prepared (null: nothing). */
    Object[] prepared() {
        return prepared;
    }

    /** The constants some step still reads. */
    Map<String, Tensor> constants() {
        return constants;
    }

    private static Object prepare(Plan plan, PlanNode n, Map<String, Tensor> held, Backend backend) {
        Tensor[] constants = new Tensor[n.inputs.size()];
        ValueType[] types = new ValueType[n.inputs.size()];
        boolean any = false;
        for (int k = 0; k < constants.length; k++) {
            String name = n.inputs.get(k);
            if (!name.isEmpty()) {
                constants[k] = held.get(name);
                types[k] = plan.type(name);
                any |= constants[k] != null;
            }
        }
        if (!any) {
            return null;
        }
        try {
            return n.step.prepare(backend, constants, types);
        } catch (IllegalArgumentException e) {
            throw new ModelException("node '" + n.name + "' (" + n.opType + "): " + e.getMessage(), e);
        }
    }
}

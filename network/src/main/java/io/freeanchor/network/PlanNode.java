package io.freeanchor.network;

import io.freeanchor.network.ops.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * A node of the graph being optimized: value names in and out, and its step. {@code opType} names
 * fusions too ("Conv+Add+Relu"), for histograms and profiles.
 */
final class PlanNode {
    final String name;
    String opType;
    final List<String> inputs;
    final List<String> outputs;
    Step step;

    PlanNode(String name, String opType, List<String> inputs, List<String> outputs, Step step) {
        this.name = name;
        this.opType = opType;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = new ArrayList<>(outputs);
        this.step = step;
    }
}

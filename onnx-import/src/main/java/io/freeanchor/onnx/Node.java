package io.freeanchor.onnx;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One graph node. Inputs keep their positions: an absent optional input is the empty string, as in
 * the file (PyTorch writes {@code Resize(X, "", "", sizes)}).
 */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                   Map<String, Attribute> attributes) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Map.copyOf(attributes);
    }

    /** The name used in messages: the node's own name, or its op type and first output when unnamed. */
    public String label() {
        return name.isEmpty() ? opType + "(" + (outputs.isEmpty() ? "" : outputs.get(0)) + ")" : name;
    }

    /** The input at position i, or empty when it is absent or given as "". */
    public Optional<String> input(int i) {
        return i < inputs.size() && !inputs.get(i).isEmpty() ? Optional.of(inputs.get(i)) : Optional.empty();
    }

    public Optional<Attribute> attribute(String attributeName) {
        return Optional.ofNullable(attributes.get(attributeName));
    }
}

package io.freeanchor.onnx;

import java.util.List;
import java.util.Map;

/**
 * An immutable ONNX graph. {@code inputs} are the real inputs only: declared inputs that have an
 * initializer of the same name (older exports list weights as inputs) are not among them.
 */
public record Graph(String name, List<ValueInfo> inputs, List<ValueInfo> outputs, List<Node> nodes,
                    Map<String, TensorData> initializers) {
    public Graph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        initializers = Map.copyOf(initializers);
    }
}

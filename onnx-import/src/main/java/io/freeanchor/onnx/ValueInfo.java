package io.freeanchor.onnx;

import java.util.List;

/**
 * A graph input or output as declared in the file.
 *
 * @param shape null when the file declares no shape (rank unknown)
 */
public record ValueInfo(String name, DataType elementType, List<Dim> shape) {
    public ValueInfo {
        shape = shape == null ? null : List.copyOf(shape);
    }

    @Override
    public String toString() {
        return name + ": " + elementType + (shape == null ? "[?]" : shape.toString());
    }
}

package io.freeanchor.network.ops;

import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ModelException;
import io.freeanchor.network.TensorConversion;
import io.freeanchor.network.ValueType;
import io.freeanchor.onnx.Attribute;
import io.freeanchor.onnx.Node;
import java.util.List;

/**
 * What an op factory sees of one node: its attributes, the types of its inputs and, for inputs known
 * at plan time, their values. Absent optional inputs (missing or "") have a null type.
 */
public final class NodeContext {
    private final Node node;
    private final long opset;
    private final List<ValueType> inputTypes;
    private final List<Tensor> constants;

    public NodeContext(Node node, long opset, List<ValueType> inputTypes, List<Tensor> constants) {
        this.node = node;
        this.opset = opset;
        this.inputTypes = inputTypes;
        this.constants = constants;
    }

    public Node node() {
        return node;
    }

    public long opset() {
        return opset;
    }

    /** Number of input positions, including absent ones. */
    public int inputCount() {
        return inputTypes.size();
    }

    public boolean hasInput(int i) {
        return i < inputTypes.size() && inputTypes.get(i) != null;
    }

    public ValueType inputType(int i) {
        if (!hasInput(i)) {
            throw error("input " + i + " is required");
        }
        return inputTypes.get(i);
    }

    /** The plan-time value of input i, or null when it is only known at run time. */
    public Tensor constant(int i) {
        return hasInput(i) ? constants.get(i) : null;
    }

    /** The plan-time value of input i; an error naming {@code what} when it is not a constant. */
    public Tensor requireConstant(int i, String what) {
        Tensor t = constant(i);
        if (t == null) {
            throw error(what + " (input " + i + ", '" + node.inputs().get(i)
                    + "') must be known before running (a constant or computable from shapes)");
        }
        return t;
    }

    public boolean hasAttribute(String name) {
        return node.attributes().containsKey(name);
    }

    public long attrInt(String name, long defaultValue) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return defaultValue;
        }
        if (a instanceof Attribute.Int i) {
            return i.value();
        }
        throw error("attribute '" + name + "' must be an int, found " + a.getClass().getSimpleName());
    }

    public long[] attrInts(String name, long[] defaultValue) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return defaultValue;
        }
        if (a instanceof Attribute.Ints i) {
            return i.values();
        }
        throw error("attribute '" + name + "' must be a list of ints, found " + a.getClass().getSimpleName());
    }

    public float attrFloat(String name, float defaultValue) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return defaultValue;
        }
        if (a instanceof Attribute.Float f) {
            return f.value();
        }
        throw error("attribute '" + name + "' must be a float, found " + a.getClass().getSimpleName());
    }

    public String attrString(String name, String defaultValue) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return defaultValue;
        }
        if (a instanceof Attribute.Str s) {
            return s.value();
        }
        throw error("attribute '" + name + "' must be a string, found " + a.getClass().getSimpleName());
    }

    /** A tensor-valued attribute converted to a kernel tensor, or null when absent. */
    public Tensor attrTensor(String name) {
        Attribute a = node.attributes().get(name);
        if (a == null) {
            return null;
        }
        if (a instanceof Attribute.Tensor t) {
            return TensorConversion.toTensor(t.value(), "attribute '" + name + "' of node '" + node.label() + "'");
        }
        throw error("attribute '" + name + "' must be a tensor, found " + a.getClass().getSimpleName());
    }

    /** Normalizes a possibly negative axis for a tensor of the given rank. */
    public int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw error("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    /** Converts a dimension computed from the model to int, failing clearly on overflow. */
    public int dimension(long value, String what) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw error(what + " = " + value + " is not a valid dimension");
        }
        return (int) value;
    }

    public ModelException error(String message) {
        return new ModelException("node '" + node.label() + "' (" + node.opType() + "): " + message);
    }
}

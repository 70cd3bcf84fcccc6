package io.freeanchor.network.ops;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ModelException;
import io.freeanchor.network.TensorConversion;
import io.freeanchor.network.ValueType;
import io.freeanchor.onnx.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ops that only re-label data or produce plan-time constants: Reshape, Flatten, Squeeze, Unsqueeze,
 * Identity (views), Shape, Constant, ConstantOfShape, and Cast.
 */
public final class ShapeOps {
    private ShapeOps() {}

    static void register(OpRegistry r) {
        r.add("Reshape", ShapeOps::reshape);
        r.add("Flatten", ShapeOps::flatten);
        r.add("Squeeze", ShapeOps::squeeze);
        r.add("Unsqueeze", ShapeOps::unsqueeze);
        r.add("Identity", c -> new ViewStep(c.inputType(0)));
        r.add("Shape", ShapeOps::shape);
        r.add("Constant", ShapeOps::constant);
        r.add("ConstantOfShape", ShapeOps::constantOfShape);
        r.add("Cast", ShapeOps::cast);
    }

    /** Output 0 is input 0 with a new shape; never runs a kernel. */
    public record ViewStep(ValueType output) implements Step {
        @Override
        public List<ValueType> outputTypes() {
            return List.of(output);
        }

        @Override
        public boolean isView() {
            return true;
        }

        @Override
        public void run(Backend backend, Tensor[] in, Tensor[] out) {
            backend.copy(in[0], out[0]);
        }
    }

    /** A value fully known at plan time, whatever the inputs hold (Shape, Constant, ConstantOfShape). */
    public record ConstantStep(Tensor value) implements Step {
        @Override
        public List<ValueType> outputTypes() {
            return List.of(new ValueType(value.dtype(), value.shape()));
        }

        @Override
        public void run(Backend backend, Tensor[] in, Tensor[] out) {
            backend.copy(value, out[0]);
        }
    }

    private static Step reshape(NodeContext c) {
        ValueType x = c.inputType(0);
        long[] target = c.requireConstant(1, "the target shape").toLongArray();
        boolean allowZero = c.attrInt("allowzero", 0) != 0;
        int[] out = new int[target.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long d = target[i];
            if (d == 0 && !allowZero) {
                if (i >= x.rank()) {
                    throw c.error("shape entry 0 at position " + i + " copies a dimension the input " + x + " lacks");
                }
                d = x.dim(i);
            }
            if (d == -1) {
                if (inferred >= 0) {
                    throw c.error("more than one -1 in target shape " + Arrays.toString(target));
                }
                inferred = i;
                continue;
            }
            out[i] = c.dimension(d, "target shape entry " + i);
            known *= out[i];
        }
        long total = x.elements();
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw c.error("cannot reshape " + x + " to " + Arrays.toString(target));
            }
            out[inferred] = c.dimension(total / known, "inferred dimension");
            known *= out[inferred];
        }
        if (known != total) {
            throw c.error("cannot reshape " + x + " (" + total + " elements) to " + Arrays.toString(target));
        }
        return new ViewStep(new ValueType(x.dtype(), out));
    }

    private static Step flatten(NodeContext c) {
        ValueType x = c.inputType(0);
        long axisAttr = c.attrInt("axis", 1);
        int axis = (int) (axisAttr < 0 ? axisAttr + x.rank() : axisAttr);
        if (axis < 0 || axis > x.rank()) {
            throw c.error("axis " + axisAttr + " is out of range for rank " + x.rank());
        }
        long outer = 1, inner = 1;
        for (int i = 0; i < x.rank(); i++) {
            if (i < axis) {
                outer *= x.dim(i);
            } else {
                inner *= x.dim(i);
            }
        }
        return new ViewStep(new ValueType(x.dtype(), new int[] {c.dimension(outer, "rows"), c.dimension(inner, "columns")}));
    }

    /** Axes from the attribute (opset < 13) or from input 1 (opset >= 13); null when none are given. */
    private static long[] axes(NodeContext c) {
        if (c.opset() >= 13 || c.hasInput(1)) {
            return c.hasInput(1) ? c.requireConstant(1, "axes").toLongArray() : null;
        }
        return c.attrInts("axes", null);
    }

    private static Step squeeze(NodeContext c) {
        ValueType x = c.inputType(0);
        long[] axes = axes(c);
        boolean[] drop = new boolean[x.rank()];
        if (axes == null) {
            for (int i = 0; i < x.rank(); i++) {
                drop[i] = x.dim(i) == 1;
            }
        } else {
            for (long a : axes) {
                int axis = c.axis(a, x.rank());
                if (x.dim(axis) != 1) {
                    throw c.error("cannot squeeze axis " + a + " of " + x + ": its size is not 1");
                }
                drop[axis] = true;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!drop[i]) {
                out.add(x.dim(i));
            }
        }
        return new ViewStep(new ValueType(x.dtype(), out.stream().mapToInt(Integer::intValue).toArray()));
    }

    private static Step unsqueeze(NodeContext c) {
        ValueType x = c.inputType(0);
        long[] axes = axes(c);
        if (axes == null) {
            throw c.error("axes are required");
        }
        int rank = x.rank() + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            int axis = c.axis(a, rank);
            if (inserted[axis]) {
                throw c.error("axis " + a + " is given twice");
            }
            inserted[axis] = true;
        }
        int[] out = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : x.dim(j++);
        }
        return new ViewStep(new ValueType(x.dtype(), out));
    }

    private static Step shape(NodeContext c) {
        int[] s = c.inputType(0).shape();
        int rank = s.length;
        int start = clampAxis(c.attrInt("start", 0), rank);
        int end = clampAxis(c.attrInt("end", rank), rank);
        long[] dims = new long[Math.max(0, end - start)];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = s[start + i];
        }
        return new ConstantStep(Tensor.ofLongs(new int[] {dims.length}, dims));
    }

    private static int clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return (int) Math.max(0, Math.min(rank, a));
    }

    private static Step constant(NodeContext c) {
        Tensor t = c.attrTensor("value");
        if (t == null && c.hasAttribute("value_float")) {
            t = Tensor.scalar(c.attrFloat("value_float", 0));
        }
        if (t == null && c.hasAttribute("value_int")) {
            t = Tensor.scalar(c.attrInt("value_int", 0));
        }
        if (t == null && c.hasAttribute("value_ints")) {
            long[] v = c.attrInts("value_ints", null);
            t = Tensor.ofLongs(new int[] {v.length}, v);
        }
        if (t == null && c.hasAttribute("value_floats")) {
            var a = (io.freeanchor.onnx.Attribute.Floats) c.node().attributes().get("value_floats");
            float[] v = a.values();
            t = Tensor.ofFloats(new int[] {v.length}, v);
        }
        if (t == null) {
            throw c.error("needs one of the attributes value, value_float, value_floats, value_int, value_ints");
        }
        return new ConstantStep(t);
    }

    private static Step constantOfShape(NodeContext c) {
        long[] dims = c.requireConstant(0, "the shape").toLongArray();
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = c.dimension(dims[i], "shape entry " + i);
        }
        Tensor value = c.attrTensor("value");
        if (value == null) {
            value = Tensor.scalar(0f);
        } else if (value.size() != 1) {
            throw c.error("attribute 'value' must hold one element, got " + value);
        }
        Tensor out;
        try {
            out = Tensor.zeros(value.dtype(), shape);
        } catch (IllegalArgumentException e) {
            throw c.error(e.getMessage());
        }
        if (value.dtype() == DType.FLOAT32) {
            Arrays.fill(out.floats(), value.floats()[0]);
        } else {
            Arrays.fill(out.longs(), value.longs()[0]);
        }
        return new ConstantStep(out);
    }

    private static Step cast(NodeContext c) {
        ValueType x = c.inputType(0);
        DataType to;
        try {
            to = DataType.fromCode((int) c.attrInt("to", -1));
        } catch (IllegalArgumentException e) {
            throw c.error("attribute 'to' is missing or not an ONNX data type");
        }
        if (to == DataType.BOOL || to == DataType.FLOAT16 || to == DataType.BFLOAT16) {
            throw c.error("Cast to " + to + " is not supported");
        }
        DType target;
        try {
            target = TensorConversion.dtypeOf(to, "node '" + c.node().label() + "'");
        } catch (ModelException e) {
            throw c.error("Cast to " + to + " is not supported");
        }
        ValueType out = new ValueType(target, x.shape());
        return Step.of(out, (b, in, o) -> b.cast(in[0], o[0]));
    }
}

package io.freeanchor.network.ops;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.ValueType;
import java.util.Arrays;

/** Data-movement ops: Transpose, Concat, Slice, Gather. */
public final class IndexOps {
    private IndexOps() {}

    static void register(OpRegistry r) {
        r.add("Transpose", IndexOps::transpose);
        r.add("Concat", IndexOps::concat);
        r.add("Slice", IndexOps::slice);
        r.add("Gather", IndexOps::gather);
    }

    private static Step transpose(NodeContext c) {
        ValueType x = c.inputType(0);
        int rank = x.rank();
        long[] permAttr = c.attrInts("perm", null);
        int[] perm = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            long p = permAttr == null ? rank - 1 - i : (i < permAttr.length ? permAttr[i] : -1);
            if (permAttr != null && permAttr.length != rank || p < 0 || p >= rank || seen[(int) p]) {
                throw c.error("perm " + Arrays.toString(permAttr) + " is not a permutation of the axes of " + x);
            }
            seen[(int) p] = true;
            perm[i] = (int) p;
        }
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            out[i] = x.dim(perm[i]);
        }
        ValueType type = new ValueType(x.dtype(), out);
        return Step.of(type, (b, in, o) -> b.transpose(perm, in[0], o[0]));
    }

    private static Step concat(NodeContext c) {
        ValueType first = c.inputType(0);
        if (!c.hasAttribute("axis")) {
            throw c.error("attribute 'axis' is required");
        }
        int axis = c.axis(c.attrInt("axis", 0), first.rank());
        int[] out = first.shape();
        long total = 0;
        for (int i = 0; i < c.inputCount(); i++) {
            ValueType t = c.inputType(i);
            if (t.dtype() != first.dtype() || t.rank() != first.rank()) {
                throw c.error("input " + i + " " + t + " does not match input 0 " + first);
            }
            for (int d = 0; d < t.rank(); d++) {
                if (d != axis && t.dim(d) != first.dim(d)) {
                    throw c.error("input " + i + " " + t + " does not match input 0 " + first + " off axis " + axis);
                }
            }
            total += t.dim(axis);
        }
        out[axis] = c.dimension(total, "concatenated size");
        ValueType type = new ValueType(first.dtype(), out);
        return Step.of(type, (b, in, o) -> b.concat(axis, Arrays.asList(in), o[0]));
    }

    private static Step slice(NodeContext c) {
        ValueType x = c.inputType(0);
        int rank = x.rank();
        long[] starts, ends, axes, steps;
        if (c.opset() < 10) {
            starts = c.attrInts("starts", null);
            ends = c.attrInts("ends", null);
            axes = c.attrInts("axes", null);
            steps = null;
            if (starts == null || ends == null) {
                throw c.error("attributes 'starts' and 'ends' are required");
            }
        } else {
            starts = c.requireConstant(1, "starts").toLongArray();
            ends = c.requireConstant(2, "ends").toLongArray();
            axes = c.hasInput(3) ? c.requireConstant(3, "axes").toLongArray() : null;
            steps = c.hasInput(4) ? c.requireConstant(4, "steps").toLongArray() : null;
        }
        int n = starts.length;
        if (ends.length != n || axes != null && axes.length != n || steps != null && steps.length != n) {
            throw c.error("starts, ends, axes and steps must have the same length");
        }
        int[] begin = new int[rank];
        int[] stride = new int[rank];
        int[] out = x.shape();
        Arrays.fill(stride, 1);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < n; i++) {
            int axis = c.axis(axes == null ? i : axes[i], rank);
            if (seen[axis]) {
                throw c.error("axis " + axis + " is sliced twice");
            }
            seen[axis] = true;
            long step = steps == null ? 1 : steps[i];
            if (step == 0 || step < Integer.MIN_VALUE || step > Integer.MAX_VALUE) {
                throw c.error("step " + step + " is invalid");
            }
            long dim = x.dim(axis);
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            long count;
            if (step > 0) {
                s = Math.clamp(s, 0, dim);
                e = Math.clamp(e, 0, dim);
                count = e > s ? (e - s + step - 1) / step : 0;
            } else {
                s = Math.clamp(s, 0, dim - 1);
                e = Math.clamp(e, -1, dim - 1);
                count = s > e ? (s - e + (-step) - 1) / (-step) : 0;
            }
            begin[axis] = (int) Math.max(0, s);
            stride[axis] = (int) step;
            out[axis] = (int) count;
        }
        ValueType type = new ValueType(x.dtype(), out);
        return Step.of(type, (b, in, o) -> b.slice(begin, stride, in[0], o[0]));
    }

    private static Step gather(NodeContext c) {
        ValueType x = c.inputType(0);
        ValueType idx = c.inputType(1);
        if (idx.dtype() != DType.INT64) {
            throw c.error("indices must be integers, got " + idx);
        }
        if (x.rank() < 1) {
            throw c.error("data must have rank >= 1");
        }
        int axis = c.axis(c.attrInt("axis", 0), x.rank());
        Tensor constIdx = c.constant(1);
        if (constIdx != null) {
            for (int i = 0; i < constIdx.size(); i++) {
                long v = constIdx.longs()[i];
                if (v < -x.dim(axis) || v >= x.dim(axis)) {
                    throw c.error("index " + v + " is out of range for axis " + axis + " of " + x);
                }
            }
        }
        int[] out = new int[x.rank() - 1 + idx.rank()];
        int k = 0;
        for (int i = 0; i < axis; i++) {
            out[k++] = x.dim(i);
        }
        for (int d : idx.shape()) {
            out[k++] = d;
        }
        for (int i = axis + 1; i < x.rank(); i++) {
            out[k++] = x.dim(i);
        }
        ValueType type = new ValueType(x.dtype(), out);
        return Step.of(type, (b, in, o) -> b.gather(axis, in[0], in[1], o[0]));
    }
}

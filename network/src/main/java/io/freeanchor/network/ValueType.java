package io.freeanchor.network;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Shapes;
import java.util.Arrays;

/** The element type and concrete shape of a value, known at plan time. */
public record ValueType(DType dtype, int[] shape) {
    public ValueType {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public long elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public long bytes() {
        return elements() * dtype.byteSize();
    }

    /** Checks the element count fits a Java array (throws IllegalArgumentException otherwise). */
    public int checkedSize() {
        return Shapes.size(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueType v && v.dtype == dtype && Arrays.equals(v.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}

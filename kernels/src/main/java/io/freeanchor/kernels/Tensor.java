package io.freeanchor.kernels;

import java.util.Arrays;

/**
 * A dense row-major host tensor: a shape over a float[], short[] (FLOAT16 bit patterns) or long[] store. The store may be longer
 * than the element count (the memory plan hands out reused buffers), so code reads {@link #size()}
 * elements, never {@code data.length}. Several tensors may share one store; {@link #reshape} is free.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final float[] floats;
    private final short[] halves;
    private final long[] longs;
    private final int size;

    private Tensor(DType dtype, int[] shape, float[] floats, short[] halves, long[] longs) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.size = Shapes.size(shape);
        this.floats = floats;
        this.halves = halves;
        this.longs = longs;
        int capacity = floats != null ? floats.length : halves != null ? halves.length : longs.length;
        if (capacity < size) {
            throw new IllegalArgumentException("store of " + capacity + " elements is too small for shape "
                    + Arrays.toString(shape));
        }
    }

    public static Tensor ofFloats(int[] shape, float[] data) {
        return new Tensor(DType.FLOAT32, shape, data, null, null);
    }

    /** A FLOAT16 tensor over IEEE half bit patterns (see {@link Half}). */
    public static Tensor ofHalves(int[] shape, short[] data) {
        return new Tensor(DType.FLOAT16, shape, null, data, null);
    }

    public static Tensor ofLongs(int[] shape, long[] data) {
        return new Tensor(DType.INT64, shape, null, null, data);
    }

    public static Tensor zeros(DType dtype, int[] shape) {
        int n = Shapes.size(shape);
        return switch (dtype) {
            case FLOAT32 -> ofFloats(shape, new float[n]);
            case FLOAT16 -> ofHalves(shape, new short[n]);
            case INT64 -> ofLongs(shape, new long[n]);
        };
    }

    public static Tensor scalar(float v) {
        return ofFloats(new int[0], new float[] {v});
    }

    public static Tensor scalar(long v) {
        return ofLongs(new int[0], new long[] {v});
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /** The float store (FLOAT32 only); read {@link #size()} elements of it. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor is " + dtype + ", not FLOAT32");
        }
        return floats;
    }

    /** The half store (FLOAT16 only: IEEE binary16 bit patterns); read {@link #size()} elements of it. */
    public short[] halves() {
        if (halves == null) {
            throw new IllegalStateException("tensor is " + dtype + ", not FLOAT16");
        }
        return halves;
    }

    /** The long store (INT64 only); read {@link #size()} elements of it. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor is " + dtype + ", not INT64");
        }
        return longs;
    }

    /** A view of the same store with another shape of the same size. */
    public Tensor reshape(int... newShape) {
        if (Shapes.size(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to "
                    + Arrays.toString(newShape));
        }
        return new Tensor(dtype, newShape, floats, halves, longs);
    }

    /** A view of this tensor's store with another shape that fits in it (memory-plan buffers). */
    public Tensor viewAs(int... newShape) {
        return new Tensor(dtype, newShape, floats, halves, longs);
    }

    /** Element i (row-major) as double, whatever the type. */
    public double getDouble(int i) {
        return floats != null ? floats[i] : halves != null ? Float.float16ToFloat(halves[i]) : longs[i];
    }

    /** A trimmed copy of the elements as float. */
    public float[] toFloatArray() {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = (float) getDouble(i);
        }
        return out;
    }

    /** A trimmed copy of the elements as long (INT64 only). */
    public long[] toLongArray() {
        return Arrays.copyOf(longs(), size);
    }

    /** A deep copy with a store of exactly {@link #size()} elements. */
    public Tensor copy() {
        return switch (dtype) {
            case FLOAT32 -> ofFloats(shape, Arrays.copyOf(floats, size));
            case FLOAT16 -> ofHalves(shape, Arrays.copyOf(halves, size));
            case INT64 -> ofLongs(shape, Arrays.copyOf(longs, size));
        };
    }

    /** This tensor when it is not FLOAT16; else a FLOAT32 copy of its values (exact: every half is a float). */
    public Tensor widened() {
        return dtype == DType.FLOAT16 ? Half.toFloat(this) : this;
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}

package io.freeanchor.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An initializer or constant tensor. The bytes are little-endian, row-major, exactly
 * {@code elementCount() * type.byteSize()} long; the loader converts the typed repeated fields of
 * TensorProto (float_data, int64_data, ...) into this one form. The buffer may alias a memory-mapped
 * model file, so it is only ever handed out read-only.
 */
public final class TensorData {
    private final String name;
    private final DataType type;
    private final long[] dims;
    private final ByteBuffer bytes;

    public TensorData(String name, DataType type, long[] dims, ByteBuffer bytes) {
        this.name = name;
        this.type = type;
        this.dims = dims.clone();
        this.bytes = bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long expected = elementCount() * type.byteSize();
        if (type.byteSize() > 0 && bytes.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' of type " + type + " and shape "
                    + Arrays.toString(dims) + " needs " + expected + " bytes but has " + bytes.remaining());
        }
    }

    public String name() {
        return name;
    }

    public DataType type() {
        return type;
    }

    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** A fresh read-only little-endian view of the bytes. */
    public ByteBuffer bytes() {
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The values as float, converting from FLOAT16, DOUBLE and the integer types. */
    public float[] toFloats() {
        int n = checkedCount();
        float[] out = new float[n];
        ByteBuffer b = bytes();
        switch (type) {
            case FLOAT -> b.asFloatBuffer().get(out);
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(b.getShort(2 * i));
                }
            }
            case DOUBLE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            default -> {
                long[] l = toLongs();
                for (int i = 0; i < n; i++) {
                    out[i] = l[i];
                }
            }
        }
        return out;
    }

    /** The values as long, for the integer and boolean types. */
    public long[] toLongs() {
        int n = checkedCount();
        long[] out = new long[n];
        ByteBuffer b = bytes();
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case INT64, UINT64 -> b.getLong(8 * i);
                case INT32 -> b.getInt(4 * i);
                case UINT32 -> Integer.toUnsignedLong(b.getInt(4 * i));
                case INT16 -> b.getShort(2 * i);
                case UINT16 -> Short.toUnsignedInt(b.getShort(2 * i));
                case INT8 -> b.get(i);
                case UINT8, BOOL -> Byte.toUnsignedInt(b.get(i));
                default -> throw new IllegalStateException("tensor '" + name + "' of type " + type
                        + " is not an integer tensor");
            };
        }
        return out;
    }

    private int checkedCount() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' has " + n + " elements, more than a Java array holds");
        }
        return (int) n;
    }

    @Override
    public String toString() {
        return name + ": " + type + Arrays.toString(dims);
    }
}

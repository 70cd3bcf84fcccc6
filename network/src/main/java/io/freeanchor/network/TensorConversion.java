package io.freeanchor.network;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.DataType;
import io.freeanchor.onnx.TensorData;

/** Maps ONNX element types onto the two the kernels compute in. */
public final class TensorConversion {
    private TensorConversion() {}

    /** Floating types compute as FLOAT32, integer and boolean types as INT64. */
    public static DType dtypeOf(DataType type, String where) {
        return switch (type) {
            case FLOAT, FLOAT16, DOUBLE, BFLOAT16 -> DType.FLOAT32;
            case INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64, BOOL -> DType.INT64;
            default -> throw new ModelException(where + ": element type " + type + " is not supported");
        };
    }

    public static Tensor toTensor(TensorData data, String where) {
        long[] dims = data.dims();
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new ModelException(where + ": dimension " + dims[i] + " of tensor '" + data.name() + "' is invalid");
            }
            shape[i] = (int) dims[i];
        }
        try {
            if (data.type() == DataType.BFLOAT16) {
                float[] out = new float[io.freeanchor.kernels.Shapes.size(shape)];
                var b = data.bytes();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
                return Tensor.ofFloats(shape, out);
            }
            return dtypeOf(data.type(), where) == DType.FLOAT32
                    ? Tensor.ofFloats(shape, data.toFloats())
                    : Tensor.ofLongs(shape, data.toLongs());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ModelException(where + ": tensor '" + data.name() + "': " + e.getMessage(), e);
        }
    }
}

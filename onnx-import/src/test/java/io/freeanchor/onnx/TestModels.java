package io.freeanchor.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.freeanchor.onnx.proto.OnnxProto.AttributeProto;
import io.freeanchor.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import io.freeanchor.onnx.proto.OnnxProto.GraphProto;
import io.freeanchor.onnx.proto.OnnxProto.ModelProto;
import io.freeanchor.onnx.proto.OnnxProto.NodeProto;
import io.freeanchor.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.freeanchor.onnx.proto.OnnxProto.StringStringEntryProto;
import io.freeanchor.onnx.proto.OnnxProto.TensorProto;
import io.freeanchor.onnx.proto.OnnxProto.TensorShapeProto;
import io.freeanchor.onnx.proto.OnnxProto.TypeProto;
import io.freeanchor.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writer-side helpers for tests: build ONNX ModelProtos programmatically and write them to files. */
final class TestModels {
    private TestModels() {
    }

    /** A model around {@code graph}: IR version 8, default-domain opset 17. */
    static ModelProto model(GraphProto graph) {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("freeanchor-test")
                .setProducerVersion("1.0")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph)
                .build();
    }

    static Path write(Path file, ModelProto model) {
        try {
            Files.write(file, model.toByteArray());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------ value infos

    /**
     * A tensor value info. Each dim is a Number (fixed size), a String (symbolic) or null (neither
     * set).
     */
    static ValueInfoProto tensorInfo(String name, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else if (d instanceof String s) {
                dim.setDimParam(s);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(shape)))
                .build();
    }

    /** A tensor value info without a shape. */
    static ValueInfoProto tensorInfoNoShape(String name, DataType type) {
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code())))
                .build();
    }

    // ------------------------------------------------------------ tensors

    static TensorProto.Builder tensor(String name, DataType type, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.code());
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    static TensorProto rawTensor(String name, DataType type, long[] dims, byte[] raw) {
        return tensor(name, type, dims).setRawData(ByteString.copyFrom(raw)).build();
    }

    static TensorProto floatRaw(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return rawTensor(name, DataType.FLOAT, dims, b.array());
    }

    static TensorProto floatData(String name, long[] dims, float... values) {
        TensorProto.Builder t = tensor(name, DataType.FLOAT, dims);
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    static TensorProto int64Data(String name, long[] dims, long... values) {
        TensorProto.Builder t = tensor(name, DataType.INT64, dims);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    /** int32_data holds the values (or, for FLOAT16/BFLOAT16, the 16-bit patterns) of small types. */
    static TensorProto int32Data(String name, DataType type, long[] dims, int... values) {
        TensorProto.Builder t = tensor(name, type, dims);
        for (int v : values) {
            t.addInt32Data(v);
        }
        return t.build();
    }

    static TensorProto external(String name, DataType type, long[] dims, String location, Long offset, Long length) {
        TensorProto.Builder t = tensor(name, type, dims).setDataLocation(TensorProto.DataLocation.EXTERNAL);
        t.addExternalData(entry("location", location));
        if (offset != null) {
            t.addExternalData(entry("offset", Long.toString(offset)));
        }
        if (length != null) {
            t.addExternalData(entry("length", Long.toString(length)));
        }
        return t.build();
    }

    static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    static byte[] floatsLE(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    // ------------------------------------------------------------ nodes and attributes

    static NodeProto node(String opType, String name, List<String> inputs, List<String> outputs,
                          AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(name)
                .addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    static AttributeProto attrInt(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT_VALUE).setI(v).build();
    }

    static AttributeProto attrFloat(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT_VALUE).setF(v).build();
    }

    static AttributeProto attrString(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING_VALUE)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto attrTensor(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR_VALUE).setT(t).build();
    }

    static AttributeProto attrInts(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS_VALUE);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    static AttributeProto attrFloats(String name, float... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS_VALUE);
        for (float x : v) {
            a.addFloats(x);
        }
        return a.build();
    }

    static AttributeProto attrStrings(String name, String... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.STRINGS_VALUE);
        for (String x : v) {
            a.addStrings(ByteString.copyFromUtf8(x));
        }
        return a.build();
    }

    static AttributeProto attrGraph(String name, GraphProto g) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.GRAPH_VALUE).setG(g).build();
    }

    // ------------------------------------------------------------ big models, streamed

    /** Writes {@code n} bytes of tensor data to {@code out}. */
    @FunctionalInterface
    interface DataWriter {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code model} followed by a second occurrence of the graph field that holds one more
     * initializer whose raw_data ({@code dataBytes} long) is streamed by {@code data}. Protobuf
     * merges repeated occurrences of a message field, so readers see one graph with the extra
     * initializer, and nothing the size of the data is ever held in memory.
     */
    static Path writeWithStreamedInitializer(Path file, ModelProto model, String name, DataType type, long[] dims,
                                             long dataBytes, DataWriter data) throws IOException {
        byte[] header = tensor(name, type, dims).build().toByteArray();
        long tensorLen = header.length + CodedOutputStream.computeTagSize(9)
                + CodedOutputStream.computeUInt64SizeNoTag(dataBytes) + dataBytes;
        long graphLen = CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt64SizeNoTag(tensorLen)
                + tensorLen;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            CodedOutputStream cos = CodedOutputStream.newInstance(out);
            model.writeTo(cos);
            cos.writeTag(7, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            cos.writeUInt64NoTag(graphLen);
            cos.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            cos.writeUInt64NoTag(tensorLen);
            cos.writeRawBytes(header);
            cos.writeTag(9, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            cos.writeUInt64NoTag(dataBytes);
            cos.flush();
            data.write(out);
        }
        long expected = model.getSerializedSize() + CodedOutputStream.computeTagSize(7)
                + CodedOutputStream.computeUInt64SizeNoTag(graphLen) + graphLen;
        if (Files.size(file) != expected) {
            throw new IllegalStateException("streamed model is " + Files.size(file) + " bytes, expected " + expected);
        }
        return file;
    }

    /** Streams {@code count} little-endian int32 values 0, 1, 2, ... in 1 MiB chunks. */
    static DataWriter int32Sequence(long count) {
        return out -> {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            long i = 0;
            while (i < count) {
                chunk.clear();
                while (chunk.remaining() >= 4 && i < count) {
                    chunk.putInt((int) i++);
                }
                out.write(chunk.array(), 0, chunk.position());
            }
        };
    }
}

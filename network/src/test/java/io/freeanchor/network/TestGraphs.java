package io.freeanchor.network;

import com.google.protobuf.ByteString;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.DataType;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import io.freeanchor.onnx.proto.OnnxProto.AttributeProto;
import io.freeanchor.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import io.freeanchor.onnx.proto.OnnxProto.GraphProto;
import io.freeanchor.onnx.proto.OnnxProto.ModelProto;
import io.freeanchor.onnx.proto.OnnxProto.NodeProto;
import io.freeanchor.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.freeanchor.onnx.proto.OnnxProto.TensorProto;
import io.freeanchor.onnx.proto.OnnxProto.TensorShapeProto;
import io.freeanchor.onnx.proto.OnnxProto.TypeProto;
import io.freeanchor.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fluent builder of small ONNX models for tests, written with the protobuf classes directly:
 *
 * <pre>{@code
 * byte[] model = TestGraphs.opset(13)
 *         .input("X", DataType.FLOAT, "N", 3, 8, 8)        // fixed (Number) or symbolic (String) dims
 *         .initializer("W", w)
 *         .node("Conv").in("X", "W").out("Y").ints("pads", 1, 1, 1, 1).graph()
 *         .output("Y", DataType.FLOAT)                      // shape left unknown
 *         .bytes();
 * }</pre>
 *
 * Nodes are kept in the order they were added. Initializers are written as raw_data, tensor
 * attributes (Constant values) as typed float_data/int64_data, so both encodings get exercised.
 */
public final class TestGraphs {
    private final long opset;
    private final Map<String, Long> extraOpsets = new LinkedHashMap<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private long irVersion;

    private TestGraphs(long opset) {
        this.opset = opset;
        this.irVersion = opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
    }

    /** A new model importing the default ONNX domain at {@code version}. */
    public static TestGraphs opset(long version) {
        return new TestGraphs(version);
    }

    public long opsetVersion() {
        return opset;
    }

    public TestGraphs irVersion(long v) {
        this.irVersion = v;
        return this;
    }

    /** Also imports a custom domain (needed by ONNX Runtime only if it were to run the node). */
    public TestGraphs importDomain(String domain, long version) {
        extraOpsets.put(domain, version);
        return this;
    }

    /**
     * A graph input. Each dim is a Number (fixed), a String (symbolic dim_param) or null (unknown).
     * With no dims at all, the input is a scalar.
     */
    public TestGraphs input(String name, DataType type, Object... dims) {
        inputs.add(valueInfo(name, type, dims));
        return this;
    }

    /** A graph input whose type has no shape at all (rank unknown). */
    public TestGraphs inputNoShape(String name, DataType type) {
        inputs.add(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()))).build());
        return this;
    }

    /** A graph input with the shape of {@code t} (all dims fixed) and its element type. */
    public TestGraphs input(String name, Tensor t) {
        Object[] dims = new Object[t.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.dim(i);
        }
        return input(name, dataType(t.dtype()), dims);
    }

    /** A graph output of known element type whose shape is left unknown. */
    public TestGraphs output(String name, DataType type) {
        outputs.add(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()))).build());
        return this;
    }

    /** A graph output with a declared shape (see {@link #input(String, DataType, Object...)}). */
    public TestGraphs outputWithShape(String name, DataType type, Object... dims) {
        outputs.add(valueInfo(name, type, dims));
        return this;
    }

    public TestGraphs initializer(String name, Tensor value) {
        initializers.add(tensorProto(name, value, true));
        return this;
    }

    /** A 1-D int64 initializer. */
    public TestGraphs longs(String name, long... values) {
        return initializer(name, Tensor.ofLongs(new int[] {values.length}, values));
    }

    /** A 1-D float initializer. */
    public TestGraphs floats(String name, float... values) {
        return initializer(name, Tensor.ofFloats(new int[] {values.length}, values));
    }

    /** A Constant node producing {@code output} from a tensor 'value' attribute. */
    public TestGraphs constant(String output, Tensor value) {
        return node("Constant").out(output).tensor("value", value).graph();
    }

    /** Adds a node; set inputs, outputs and attributes on what this returns. */
    public Node node(String opType) {
        Node n = new Node(opType);
        nodes.add(n);
        return n;
    }

    public ModelProto proto() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("test");
        g.addAllInput(inputs).addAllOutput(outputs).addAllInitializer(initializers);
        for (Node n : nodes) {
            g.addNode(n.proto);
        }
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(irVersion)
                .setProducerName("freeanchor-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        extraOpsets.forEach((d, v) -> m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
        return m.setGraph(g).build();
    }

    public byte[] bytes() {
        return proto().toByteArray();
    }

    /** Serializes and loads the model through our importer. */
    public OnnxModel load() {
        return OnnxLoader.parse(bytes(), "test-graph");
    }

    /** One node under construction; its setters return it for chaining, {@link #graph()} goes back. */
    public final class Node {
        private final NodeProto.Builder proto = NodeProto.newBuilder();

        private Node(String opType) {
            proto.setOpType(opType).setName(opType + "_" + nodes.size());
        }

        public Node name(String name) {
            proto.setName(name);
            return this;
        }

        public Node domain(String domain) {
            proto.setDomain(domain);
            return this;
        }

        /** Inputs by position; "" marks an absent optional input. */
        public Node in(String... names) {
            for (String s : names) {
                proto.addInput(s);
            }
            return this;
        }

        public Node out(String... names) {
            for (String s : names) {
                proto.addOutput(s);
            }
            return this;
        }

        public Node i(String name, long value) {
            return attr(AttributeProto.newBuilder().setName(name).setType(AttributeType.INT.getNumber()).setI(value));
        }

        public Node ints(String name, long... values) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS.getNumber());
            for (long v : values) {
                a.addInts(v);
            }
            return attr(a);
        }

        public Node f(String name, float value) {
            return attr(AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT.getNumber()).setF(value));
        }

        public Node floats(String name, float... values) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS.getNumber());
            for (float v : values) {
                a.addFloats(v);
            }
            return attr(a);
        }

        public Node s(String name, String value) {
            return attr(AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING.getNumber())
                    .setS(ByteString.copyFromUtf8(value)));
        }

        public Node tensor(String name, Tensor value) {
            return attr(AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR.getNumber())
                    .setT(tensorProto("", value, false)));
        }

        private Node attr(AttributeProto.Builder a) {
            proto.addAttribute(a);
            return this;
        }

        /** Back to the model, to add more. */
        public TestGraphs graph() {
            return TestGraphs.this;
        }
    }

    // ---------------------------------------------------------------- protos

    public static DataType dataType(DType t) {
        return t == DType.FLOAT32 ? DataType.FLOAT : DataType.INT64;
    }

    private static ValueInfoProto valueInfo(String name, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else if (d instanceof String s) {
                dim.setDimParam(s);
            } else if (d != null) {
                throw new IllegalArgumentException("dimension " + d + " is neither a Number nor a String");
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(shape))).build();
    }

    /** A TensorProto of {@code t}: raw little-endian bytes, or the typed repeated fields. */
    public static TensorProto tensorProto(String name, Tensor t, boolean raw) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dataType(t.dtype()).code());
        for (int d : t.shape()) {
            b.addDims(d);
        }
        int n = t.size();
        if (t.dtype() == DType.FLOAT32) {
            if (raw) {
                ByteBuffer buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    buf.putFloat(t.floats()[i]);
                }
                b.setRawData(ByteString.copyFrom(buf.array()));
            } else {
                for (int i = 0; i < n; i++) {
                    b.addFloatData(t.floats()[i]);
                }
            }
        } else {
            if (raw) {
                ByteBuffer buf = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    buf.putLong(t.longs()[i]);
                }
                b.setRawData(ByteString.copyFrom(buf.array()));
            } else {
                for (int i = 0; i < n; i++) {
                    b.addInt64Data(t.longs()[i]);
                }
            }
        }
        return b.build();
    }
}

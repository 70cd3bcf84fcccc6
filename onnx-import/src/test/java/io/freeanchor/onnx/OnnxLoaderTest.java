package io.freeanchor.onnx;

import static io.freeanchor.onnx.TestModels.attrFloat;
import static io.freeanchor.onnx.TestModels.attrFloats;
import static io.freeanchor.onnx.TestModels.attrGraph;
import static io.freeanchor.onnx.TestModels.attrInt;
import static io.freeanchor.onnx.TestModels.attrInts;
import static io.freeanchor.onnx.TestModels.attrString;
import static io.freeanchor.onnx.TestModels.attrStrings;
import static io.freeanchor.onnx.TestModels.attrTensor;
import static io.freeanchor.onnx.TestModels.floatData;
import static io.freeanchor.onnx.TestModels.floatRaw;
import static io.freeanchor.onnx.TestModels.int32Data;
import static io.freeanchor.onnx.TestModels.int64Data;
import static io.freeanchor.onnx.TestModels.model;
import static io.freeanchor.onnx.TestModels.node;
import static io.freeanchor.onnx.TestModels.tensor;
import static io.freeanchor.onnx.TestModels.tensorInfo;
import static io.freeanchor.onnx.TestModels.tensorInfoNoShape;
import static io.freeanchor.onnx.TestModels.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.freeanchor.onnx.proto.OnnxProto.AttributeProto;
import io.freeanchor.onnx.proto.OnnxProto.GraphProto;
import io.freeanchor.onnx.proto.OnnxProto.ModelProto;
import io.freeanchor.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.freeanchor.onnx.proto.OnnxProto.SparseTensorProto;
import io.freeanchor.onnx.proto.OnnxProto.StringStringEntryProto;
import io.freeanchor.onnx.proto.OnnxProto.TensorProto;
import io.freeanchor.onnx.proto.OnnxProto.TypeProto;
import io.freeanchor.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxLoaderTest {
    @TempDir
    Path dir;

    /** A small Conv -> Relu -> Resize -> Custom model with attributes of every supported type. */
    static ModelProto richModel() {
        GraphProto g = GraphProto.newBuilder()
                .setName("rich")
                .addInput(tensorInfo("image", DataType.FLOAT, "batch", 3, "height", "width"))
                .addInput(tensorInfo("w", DataType.FLOAT, 4, 3, 1, 1)) // an old-style weight input
                .addOutput(tensorInfo("out", DataType.FLOAT, "batch", 4, null, null))
                .addInitializer(floatRaw("w", new long[] {4, 3, 1, 1}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
                .addInitializer(floatData("b", new long[] {4}, 0.5f, -0.5f, 1.5f, -1.5f))
                .addNode(node("Conv", "conv1", List.of("image", "w", "b"), List.of("c1"),
                        attrInts("kernel_shape", 1, 1), attrInts("strides", 1, 1), attrInts("pads", 0, 0, 0, 0),
                        attrInt("group", 1), attrString("auto_pad", "NOTSET")))
                .addNode(node("Relu", "", List.of("c1"), List.of("r1")))
                .addNode(node("Constant", "scales_const", List.of(), List.of("scales"),
                        attrTensor("value", floatData("", new long[] {4}, 1, 1, 2, 2))))
                .addNode(node("Resize", "resize", List.of("r1", "", "scales"), List.of("up"),
                        attrString("mode", "nearest"), attrFloat("cubic_coeff_a", -0.75f),
                        attrString("coordinate_transformation_mode", "asymmetric")))
                .addNode(node("Custom", "custom", List.of("up"), List.of("out", ""),
                        attrFloats("gains", 0.25f, 4f), attrStrings("tags", "a", "bé"), attrInts("empty")).toBuilder()
                        .setDomain("com.example"))
                .build();
        return model(g).toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(2))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("test"))
                .build();
    }

    @Test
    void loadsMultiNodeModelWithEveryAttributeType() {
        Path file = write(dir.resolve("rich.onnx"), richModel());
        OnnxModel m = OnnxLoader.load(file);

        assertEquals(8, m.irVersion());
        assertEquals("freeanchor-test", m.producerName());
        assertEquals("1.0", m.producerVersion());
        assertEquals(17, m.opset());
        assertEquals(2L, m.opsetImports().get("com.example"));
        assertEquals("test", m.metadata().get("author"));

        Graph g = m.graph();
        assertEquals("rich", g.name());
        assertEquals(List.of("conv1", "", "scales_const", "resize", "custom"),
                g.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("Conv", "Relu", "Constant", "Resize", "Custom"),
                g.nodes().stream().map(Node::opType).toList());

        Node conv = g.nodes().get(0);
        assertEquals(List.of("image", "w", "b"), conv.inputs());
        assertEquals(List.of("c1"), conv.outputs());
        assertEquals("", conv.domain());
        assertArrayEquals(new long[] {1, 1}, ((Attribute.Ints) conv.attributes().get("kernel_shape")).values());
        assertArrayEquals(new long[] {0, 0, 0, 0}, ((Attribute.Ints) conv.attributes().get("pads")).values());
        assertEquals(new Attribute.Int("group", 1), conv.attributes().get("group"));
        assertEquals(new Attribute.Str("auto_pad", "NOTSET"), conv.attributes().get("auto_pad"));

        assertEquals("Relu(r1)", g.nodes().get(1).label());

        Attribute.Tensor value = assertInstanceOf(Attribute.Tensor.class,
                g.nodes().get(2).attributes().get("value"));
        assertEquals(DataType.FLOAT, value.value().type());
        assertArrayEquals(new long[] {4}, value.value().dims());
        assertArrayEquals(new float[] {1, 1, 2, 2}, value.value().toFloats());
        assertEquals("scales_const.value", value.value().name());

        Node resize = g.nodes().get(3);
        assertEquals(List.of("r1", "", "scales"), resize.inputs(), "absent optional inputs keep their position");
        assertTrue(resize.input(1).isEmpty());
        assertEquals("scales", resize.input(2).orElseThrow());
        assertEquals(new Attribute.Float("cubic_coeff_a", -0.75f), resize.attributes().get("cubic_coeff_a"));
        assertEquals(new Attribute.Str("mode", "nearest"), resize.attributes().get("mode"));

        Node custom = g.nodes().get(4);
        assertEquals("com.example", custom.domain());
        assertEquals(List.of("out", ""), custom.outputs());
        assertArrayEquals(new float[] {0.25f, 4f}, ((Attribute.Floats) custom.attributes().get("gains")).values());
        assertEquals(new Attribute.Strings("tags", List.of("a", "bé")), custom.attributes().get("tags"));
        assertArrayEquals(new long[0], ((Attribute.Ints) custom.attributes().get("empty")).values());

        assertEquals(2, g.initializers().size());
        assertArrayEquals(new float[] {0.5f, -0.5f, 1.5f, -1.5f}, g.initializers().get("b").toFloats());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, g.initializers().get("w").toFloats());
    }

    @Test
    void initializerListedAsInputIsNotAnInput() {
        Graph g = OnnxLoader.load(write(dir.resolve("m.onnx"), richModel())).graph();
        assertEquals(List.of("image"), g.inputs().stream().map(ValueInfo::name).toList());
        assertTrue(g.initializers().containsKey("w"));
    }

    @Test
    void shapesFixedSymbolicUnknownAndAbsent() {
        GraphProto g = GraphProto.newBuilder()
                .addInput(tensorInfo("x", DataType.FLOAT, "N", 3, null, 224))
                .addInput(tensorInfoNoShape("y", DataType.INT64))
                .addInput(ValueInfoProto.newBuilder().setName("z")) // no type at all
                .addInput(tensorInfo("s", DataType.BOOL)) // scalar: shape with no dims
                .addInput(tensorInfo("neg", DataType.FLOAT16, -1, 2))
                .addOutput(tensorInfo("o", DataType.FLOAT, "N", 1000))
                .addNode(node("Identity", "", List.of("x"), List.of("o")))
                .build();
        Graph graph = OnnxLoader.parse(model(g).toByteArray(), "shapes").graph();
        ValueInfo x = graph.inputs().get(0);
        assertEquals(DataType.FLOAT, x.elementType());
        assertEquals(List.of(new Dim.Symbolic("N"), new Dim.Fixed(3), new Dim.Unknown(), new Dim.Fixed(224)),
                x.shape());
        assertEquals("x: FLOAT[N, 3, ?, 224]", x.toString());
        assertEquals(DataType.INT64, graph.inputs().get(1).elementType());
        assertNull(graph.inputs().get(1).shape());
        assertEquals(DataType.UNDEFINED, graph.inputs().get(2).elementType());
        assertNull(graph.inputs().get(2).shape());
        assertEquals(List.of(), graph.inputs().get(3).shape());
        assertEquals(List.of(new Dim.Unknown(), new Dim.Fixed(2)), graph.inputs().get(4).shape());
        assertEquals(List.of(new Dim.Symbolic("N"), new Dim.Fixed(1000)), graph.outputs().get(0).shape());
    }

    // ------------------------------------------------------------ tensors

    private static OnnxModel withInitializers(TensorProto... tensors) {
        GraphProto.Builder g = GraphProto.newBuilder().addOutput(tensorInfo("o", DataType.FLOAT, 1));
        for (TensorProto t : tensors) {
            g.addInitializer(t);
        }
        return OnnxLoader.parse(model(g.build()).toByteArray(), "tensors.onnx");
    }

    private static OnnxFormatException initializerError(TensorProto t) {
        return assertThrows(OnnxFormatException.class, () -> withInitializers(t));
    }

    @Test
    void typedFieldsAndRawDataGiveTheSameBytes() {
        float[] values = {1.5f, -2f, 0f, Float.MIN_VALUE, Float.NaN, 3e38f};
        long[] dims = {2, 3};
        Graph g = withInitializers(floatData("typed", dims, values), floatRaw("raw", dims, values)).graph();
        TensorData typed = g.initializers().get("typed");
        TensorData raw = g.initializers().get("raw");
        assertEquals(typed.bytes(), raw.bytes());
        assertArrayEquals(values, typed.toFloats());
        assertArrayEquals(dims, typed.dims());
    }

    @Test
    void int64DataTensor() {
        long[] values = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 1L << 40};
        TensorData t = withInitializers(int64Data("shape", new long[] {6}, values)).graph().initializers().get("shape");
        assertEquals(DataType.INT64, t.type());
        assertArrayEquals(values, t.toLongs());
        assertEquals(48, t.bytes().remaining());
        assertEquals(Long.MIN_VALUE, t.bytes().getLong(0));
    }

    @Test
    void int32DataHoldsFloat16BitPatterns() {
        float[] halfs = {1f, -2.5f, 65504f, 0.0001f};
        int[] bits = new int[halfs.length];
        for (int i = 0; i < halfs.length; i++) {
            bits[i] = Short.toUnsignedInt(Float.floatToFloat16(halfs[i]));
        }
        TensorData t = withInitializers(int32Data("h", DataType.FLOAT16, new long[] {2, 2}, bits))
                .graph().initializers().get("h");
        assertEquals(DataType.FLOAT16, t.type());
        assertEquals(8, t.bytes().remaining());
        for (int i = 0; i < halfs.length; i++) {
            assertEquals((short) bits[i], t.bytes().getShort(2 * i));
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(halfs[i])), t.toFloats()[i]);
        }
    }

    @Test
    void int32DataForSmallIntegerTypes() {
        Graph g = withInitializers(
                int32Data("i8", DataType.INT8, new long[] {3}, -128, -1, 127),
                int32Data("u8", DataType.UINT8, new long[] {2}, 0, 255),
                int32Data("i16", DataType.INT16, new long[] {2}, -32768, 32767),
                int32Data("u16", DataType.UINT16, new long[] {1}, 65535),
                int32Data("bool", DataType.BOOL, new long[] {3}, 0, 1, 1),
                int32Data("i32", DataType.INT32, new long[] {2}, Integer.MIN_VALUE, 7),
                tensor("u32", DataType.UINT32, 1).addUint64Data(4_000_000_000L).build(),
                tensor("u64", DataType.UINT64, 1).addUint64Data(-1L).build(),
                tensor("f64", DataType.DOUBLE, 2).addDoubleData(Math.PI).addDoubleData(-0.0).build(),
                tensor("scalar", DataType.FLOAT).addFloatData(42f).build(),
                tensor("empty", DataType.FLOAT, 0, 3).build()).graph();
        assertArrayEquals(new long[] {-128, -1, 127}, g.initializers().get("i8").toLongs());
        assertArrayEquals(new long[] {0, 255}, g.initializers().get("u8").toLongs());
        assertArrayEquals(new long[] {-32768, 32767}, g.initializers().get("i16").toLongs());
        assertArrayEquals(new long[] {65535}, g.initializers().get("u16").toLongs());
        assertArrayEquals(new long[] {0, 1, 1}, g.initializers().get("bool").toLongs());
        assertArrayEquals(new long[] {Integer.MIN_VALUE, 7}, g.initializers().get("i32").toLongs());
        assertArrayEquals(new long[] {4_000_000_000L}, g.initializers().get("u32").toLongs());
        assertEquals(4, g.initializers().get("u32").bytes().remaining());
        assertArrayEquals(new long[] {-1L}, g.initializers().get("u64").toLongs());
        assertEquals(Math.PI, g.initializers().get("f64").bytes().getDouble(0));
        assertEquals(0, g.initializers().get("scalar").rank());
        assertArrayEquals(new float[] {42f}, g.initializers().get("scalar").toFloats());
        assertEquals(0, g.initializers().get("empty").elementCount());
        assertEquals(0, g.initializers().get("empty").bytes().remaining());
    }

    @Test
    void tensorBytesAreReadOnly() {
        TensorData t = withInitializers(floatData("t", new long[] {1}, 1f)).graph().initializers().get("t");
        assertThrows(ReadOnlyBufferException.class, () -> t.bytes().putFloat(0, 2f));
    }

    @Test
    void rawDataSizeMismatchIsRejected() {
        OnnxFormatException e = initializerError(
                TestModels.rawTensor("w", DataType.FLOAT, new long[] {2, 3}, new byte[20]));
        assertMessage(e, "tensors.onnx", "initializer 'w'", "FLOAT[2, 3]", "24", "20");
    }

    @Test
    void typedValueCountMismatchIsRejected() {
        assertMessage(initializerError(floatData("w", new long[] {3}, 1f, 2f)),
                "initializer 'w'", "float_data", "3", "2");
        // A FLOAT tensor whose values sit in the wrong field.
        assertMessage(initializerError(tensor("w", DataType.FLOAT, 1).addInt64Data(1).build()),
                "initializer 'w'", "float_data");
    }

    @Test
    void negativeAndOverflowingDimsAreRejected() {
        assertMessage(initializerError(tensor("w", DataType.FLOAT, 2, -3).setRawData(ByteString.EMPTY).build()),
                "initializer 'w'", "negative dimension -3");
        assertMessage(initializerError(tensor("w", DataType.FLOAT, 1L << 40, 1L << 40).build()),
                "initializer 'w'", "more elements");
        assertMessage(initializerError(tensor("w", DataType.FLOAT, 1L << 20, 1L << 20).build()),
                "initializer 'w'", "over 2 GB");
    }

    @Test
    void unknownAndUnsupportedDataTypesAreRejected() {
        assertMessage(initializerError(TensorProto.newBuilder().setName("f8").setDataType(17).addDims(1)
                .setRawData(ByteString.copyFrom(new byte[1])).build()), "initializer 'f8'", "data type code 17");
        assertMessage(initializerError(TensorProto.newBuilder().setName("none").addDims(1).build()),
                "initializer 'none'", "no data_type");
        assertMessage(initializerError(tensor("s", DataType.STRING, 1)
                .addStringData(ByteString.copyFromUtf8("x")).build()), "initializer 's'", "STRING");
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(model(
                GraphProto.newBuilder().addInput(ValueInfoProto.newBuilder().setName("in").setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(99)))).build()).toByteArray(), "t"));
        assertMessage(e, "graph input 'in'", "99");
    }

    @Test
    void duplicateAndNamelessInitializersAreRejected() {
        assertMessage(assertThrows(OnnxFormatException.class,
                () -> withInitializers(floatData("w", new long[] {1}, 1f), floatData("w", new long[] {1}, 2f))),
                "'w'", "twice");
        assertMessage(initializerError(floatData("", new long[] {1}, 1f)), "no name");
    }

    @Test
    void sparseInitializersAreRejected() {
        GraphProto g = GraphProto.newBuilder().addSparseInitializer(SparseTensorProto.newBuilder()
                .setValues(floatData("sp", new long[] {1}, 1f)).addDims(4)).build();
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(model(g).toByteArray(), "s")),
                "sparse", "'sp'");
    }

    // ------------------------------------------------------------ nodes

    @Test
    void graphAttributeIsRejectedNamingTheNode() {
        GraphProto body = GraphProto.newBuilder().setName("then").addNode(node("Identity", "", List.of("a"),
                List.of("b"))).build();
        GraphProto g = GraphProto.newBuilder()
                .addNode(node("If", "if_0", List.of("cond"), List.of("y"), attrGraph("then_branch", body)))
                .build();
        Path file = write(dir.resolve("if.onnx"), model(g));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(file));
        assertMessage(e, file.toString(), "node 'if_0' (If)", "then_branch", "control flow");
    }

    @Test
    void attributeWithoutTypeIsInferredAsInIrVersion1() {
        GraphProto g = GraphProto.newBuilder().addNode(node("Op", "n", List.of(), List.of("y"),
                AttributeProto.newBuilder().setName("axis").setI(3).build(),
                AttributeProto.newBuilder().setName("perm").addInts(1).addInts(0).build(),
                AttributeProto.newBuilder().setName("alpha").setF(0.5f).build())).build();
        Node n = OnnxLoader.parse(model(g).toByteArray(), "v1").graph().nodes().get(0);
        assertEquals(new Attribute.Int("axis", 3), n.attributes().get("axis"));
        assertArrayEquals(new long[] {1, 0}, ((Attribute.Ints) n.attributes().get("perm")).values());
        assertEquals(new Attribute.Float("alpha", 0.5f), n.attributes().get("alpha"));

        GraphProto empty = GraphProto.newBuilder().addNode(node("Op", "n", List.of(), List.of("y"),
                AttributeProto.newBuilder().setName("nothing").build())).build();
        assertMessage(assertThrows(OnnxFormatException.class,
                () -> OnnxLoader.parse(model(empty).toByteArray(), "v1")), "node 'n' (Op)", "'nothing'", "no value");
    }

    @Test
    void unsupportedAttributeTypesAreRejected() {
        GraphProto g = GraphProto.newBuilder().addNode(node("Op", "n", List.of(), List.of("y"),
                AttributeProto.newBuilder().setName("ts").setType(AttributeProto.AttributeType.TENSORS_VALUE)
                        .addTensors(floatData("a", new long[] {1}, 1f)).build())).build();
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(model(g).toByteArray(), "m")),
                "node 'n' (Op) attribute 'ts'", "TENSORS");
        GraphProto future = GraphProto.newBuilder().addNode(node("Op", "n", List.of(), List.of("y"),
                AttributeProto.newBuilder().setName("x").setType(77).setI(1).build())).build();
        assertMessage(assertThrows(OnnxFormatException.class,
                () -> OnnxLoader.parse(model(future).toByteArray(), "m")), "attribute 'x'", "77");
    }

    @Test
    void nodeWithoutOpTypeIsRejected() {
        GraphProto g = GraphProto.newBuilder().addNode(node("Relu", "r", List.of("x"), List.of("y")))
                .addNode(node("", "mystery", List.of("y"), List.of("z"))).build();
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(model(g).toByteArray(), "m")),
                "node #1 ('mystery')", "no op_type");
    }

    @Test
    void badConstantTensorNamesTheNode() {
        GraphProto g = GraphProto.newBuilder().addNode(node("Constant", "c", List.of(), List.of("y"),
                attrTensor("value", floatData("", new long[] {2}, 1f)))).build();
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(model(g).toByteArray(), "m")),
                "node 'c' (Constant) attribute 'value'", "float_data");
    }

    // ------------------------------------------------------------ broken files

    @Test
    void missingFile() {
        Path file = dir.resolve("nope.onnx");
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(file)),
                file.toString(), "not found");
    }

    @Test
    void directoryInsteadOfFile() {
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(dir)), dir.toString(),
                "directory");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.onnx"));
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(file)), file.toString(), "empty");
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(new byte[0], "mem")), "mem",
                "empty");
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] whole = richModel().toByteArray();
        Path file = dir.resolve("half.onnx");
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(file));
        assertMessage(e, file.toString(), "truncated", "at byte", "of " + whole.length / 2);
        assertNotNull(e.getCause());
    }

    @Test
    void everyTruncationFailsCleanly() {
        byte[] whole = richModel().toByteArray();
        for (int len = 1; len < whole.length; len++) {
            byte[] cut = Arrays.copyOf(whole, len);
            try {
                OnnxLoader.parse(cut, "cut");
            } catch (OnnxFormatException e) {
                assertTrue(e.getMessage().startsWith("cut: "), e.getMessage());
                assertFalse(e.getMessage().contains("\n"));
            }
        }
    }

    @Test
    void garbageBytes() throws IOException {
        Path text = dir.resolve("text.onnx");
        Files.writeString(text, "this is not an ONNX model at all\n");
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(text)), text.toString(),
                "not");

        Random random = new Random(1234);
        for (int i = 0; i < 200; i++) {
            byte[] noise = new byte[1 + random.nextInt(4096)];
            random.nextBytes(noise);
            OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(noise, "noise"));
            assertTrue(e.getMessage().startsWith("noise: "), e.getMessage());
        }
    }

    @Test
    void gitLfsPointerIsRecognised() throws IOException {
        Path file = dir.resolve("lfs.onnx");
        Files.writeString(file, "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n");
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(file)), "Git LFS");
    }

    @Test
    void modelWithoutGraph() {
        byte[] bytes = ModelProto.newBuilder().setIrVersion(8).build().toByteArray();
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(bytes, "nograph.onnx")),
                "nograph.onnx", "no graph");
    }

    @Test
    void fileOver2GbIsRejectedBeforeParsing() throws IOException {
        Path file = dir.resolve("huge.onnx");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength((1L << 31) + 16); // sparse: no disk space used
        }
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(file)), file.toString(),
                "2 GB", "external data");
    }

    // ------------------------------------------------------------ aliasing

    @Test
    void rawDataAliasesTheMappedFile() {
        Path file = write(dir.resolve("m.onnx"), richModel());
        TensorData w = OnnxLoader.load(file).graph().initializers().get("w");
        assertTrue(w.bytes().isDirect(), "raw_data should be a view of the mapped file, not a heap copy");
    }

    @Test
    void parseCopiesTheCallersArray() {
        byte[] bytes = richModel().toByteArray();
        OnnxModel m = OnnxLoader.parse(bytes, "mem");
        byte[] before = new byte[48];
        m.graph().initializers().get("w").bytes().get(before);
        Arrays.fill(bytes, (byte) 0x55);
        byte[] after = new byte[48];
        m.graph().initializers().get("w").bytes().get(after);
        assertArrayEquals(before, after);
        assertEquals(ByteBuffer.wrap(TestModels.floatsLE(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)),
                m.graph().initializers().get("w").bytes());
    }

    static void assertMessage(OnnxFormatException e, String... parts) {
        String msg = e.getMessage();
        assertFalse(msg.contains("\n"), () -> "message is not one line: " + msg);
        for (String p : parts) {
            assertTrue(msg.contains(p), () -> "message lacks '" + p + "': " + msg);
        }
    }
}

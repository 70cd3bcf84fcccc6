package io.freeanchor.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ONNX model file into the immutable IR ({@link OnnxModel}).
 *
 * <p>The file is memory-mapped and parsed in place: {@code raw_data} of initializers and constants
 * is not copied, the resulting {@link TensorData} buffers are read-only views of the mapping (which
 * lives as long as any of them is reachable). Tensors stored in the typed fields of TensorProto
 * ({@code float_data}, {@code int64_data}, ...) are converted to little-endian bytes. ONNX external
 * data is mapped from files inside the model's directory.
 *
 * <p>Every failure is an {@link OnnxFormatException} with a one-line message that starts with the
 * file name.
 */
public final class OnnxLoader {
    /** Protobuf's own limit; one message, hence one ONNX file, cannot be larger. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

    /** Nesting depth allowed while parsing (protobuf's default is 100). */
    static final int RECURSION_LIMIT = 256;

    /** The largest tensor one ByteBuffer can hold. */
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE;

    private OnnxLoader() {
    }

    /**
     * Loads a model file. External data, if any, is read from files in the model's directory.
     *
     * @throws OnnxFormatException if the file is missing, unreadable, not a valid ONNX model or uses
     *                             a feature this importer does not support
     */
    public static OnnxModel load(Path file) {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new OnnxFormatException(source + ": is a directory, not an ONNX model file");
        }
        Path absolute = file.toAbsolutePath().normalize();
        ModelProto proto;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new OnnxFormatException(source + ": file is empty (0 bytes), not an ONNX model");
            }
            if (size > MAX_FILE_BYTES) {
                throw new OnnxFormatException(source + ": file is " + size + " bytes; a single protobuf message, "
                        + "hence an ONNX file, cannot exceed 2 GB (" + MAX_FILE_BYTES + " bytes); "
                        + "save the weights as ONNX external data instead");
            }
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            checkNotLfsPointer(map, source);
            // Wrap the mapping as an immutable ByteString: only then does the direct-buffer decoder
            // alias bytes fields (CodedInputStream.newInstance(ByteBuffer) treats its buffer as
            // mutable and copies every bytes field, aliasing or not).
            proto = parseModel(UnsafeByteOperations.unsafeWrap(map).newCodedInput(), size, source, true);
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException(source + ": file not found", e);
        } catch (AccessDeniedException e) {
            throw new OnnxFormatException(source + ": permission denied", e);
        } catch (IOException e) {
            throw new OnnxFormatException(source + ": cannot read: " + e, e);
        }
        try (Context ctx = new Context(source, absolute.getParent())) {
            return convertModel(proto, ctx);
        }
    }

    /**
     * Parses a model held in memory. {@code sourceName} is used in error messages. The bytes are
     * copied as needed, so the caller may reuse the array. A model with external data is rejected:
     * there is no directory to resolve it against; use {@link #load(Path)}.
     *
     * @throws OnnxFormatException if the bytes are not a valid ONNX model or use a feature this
     *                             importer does not support
     */
    public static OnnxModel parse(byte[] bytes, String sourceName) {
        String source = sourceName == null ? "<bytes>" : sourceName;
        if (bytes.length == 0) {
            throw new OnnxFormatException(source + ": empty input (0 bytes), not an ONNX model");
        }
        checkNotLfsPointer(ByteBuffer.wrap(bytes), source);
        ModelProto proto = parseModel(CodedInputStream.newInstance(bytes), bytes.length, source, false);
        try (Context ctx = new Context(source, null)) {
            return convertModel(proto, ctx);
        }
    }

    // ---------------------------------------------------------------- protobuf parsing

    private static ModelProto parseModel(CodedInputStream in, long size, String source, boolean alias) {
        in.setSizeLimit(Integer.MAX_VALUE);
        in.setRecursionLimit(RECURSION_LIMIT);
        in.enableAliasing(alias);
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(in);
            if (!in.isAtEnd()) {
                // The parser stops early at a stray end-group tag, which random bytes often contain.
                throw new OnnxFormatException(source + ": not an ONNX model: the protobuf data ends unexpectedly at byte "
                        + in.getTotalBytesRead() + " of " + size + " (garbage or corrupt file)");
            }
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(source + ": not a valid ONNX model (corrupt, truncated or not protobuf), "
                    + "failed at byte " + in.getTotalBytesRead() + " of " + size + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OnnxFormatException(source + ": cannot read: " + e, e);
        } catch (OnnxFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new OnnxFormatException(source + ": not a valid ONNX model, protobuf parsing failed: " + e, e);
        }
        if (!proto.hasGraph()) {
            throw new OnnxFormatException(source + ": not an ONNX model: it has no graph (ModelProto.graph is missing)");
        }
        return proto;
    }

    private static void checkNotLfsPointer(ByteBuffer buf, String source) {
        byte[] prefix = "version https://git-lfs".getBytes(StandardCharsets.US_ASCII);
        if (buf.remaining() < prefix.length || buf.remaining() > 1024) {
            return;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf.get(buf.position() + i) != prefix[i]) {
                return;
            }
        }
        throw new OnnxFormatException(source + ": is a Git LFS pointer file, not the model; fetch it with 'git lfs pull'");
    }

    // ---------------------------------------------------------------- model and graph

    private static OnnxModel convertModel(ModelProto m, Context ctx) {
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto op : m.getOpsetImportList()) {
            opsets.merge(op.getDomain(), op.getVersion(), Math::max);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        Graph graph = convertGraph(m.getGraph(), ctx);
        return new OnnxModel(m.getIrVersion(), m.getProducerName(), m.getProducerVersion(), opsets, metadata, graph);
    }

    private static Graph convertGraph(GraphProto g, Context ctx) {
        if (g.getSparseInitializerCount() > 0) {
            String first = g.getSparseInitializer(0).getValues().getName();
            throw ctx.error("graph has " + g.getSparseInitializerCount() + " sparse initializer(s) (first: '" + first
                    + "'); sparse tensors are not supported");
        }
        Map<String, TensorData> initializers = new HashMap<>();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            String name = t.getName();
            if (name.isEmpty()) {
                throw ctx.error("initializer #" + i + " has no name");
            }
            if (initializers.containsKey(name)) {
                throw ctx.error("initializer '" + name + "' is defined twice");
            }
            initializers.put(name, convertTensor(t, "initializer '" + name + "'", name, ctx));
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                inputs.add(convertValueInfo(v, "graph input", ctx));
            }
        }
        List<ValueInfo> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            outputs.add(convertValueInfo(v, "graph output", ctx));
        }
        List<Node> nodes = new ArrayList<>(g.getNodeCount());
        for (int i = 0; i < g.getNodeCount(); i++) {
            nodes.add(convertNode(g.getNode(i), i, ctx));
        }
        return new Graph(g.getName(), inputs, outputs, nodes, initializers);
    }

    private static ValueInfo convertValueInfo(ValueInfoProto v, String role, Context ctx) {
        String what = role + " '" + v.getName() + "'";
        if (v.getName().isEmpty()) {
            throw ctx.error(role + " has no name");
        }
        if (!v.hasType()) {
            return new ValueInfo(v.getName(), DataType.UNDEFINED, null);
        }
        TypeProto type = v.getType();
        String kind = switch (type.getValueCase()) {
            case TENSOR_TYPE, VALUE_NOT_SET -> null;
            case SEQUENCE_TYPE -> "a sequence";
            case MAP_TYPE -> "a map";
            case OPTIONAL_TYPE -> "an optional";
            case SPARSE_TENSOR_TYPE -> "a sparse tensor";
        };
        if (kind != null) {
            throw ctx.error(what + " is " + kind + "; only dense tensor inputs and outputs are supported");
        }
        if (!type.hasTensorType()) {
            return new ValueInfo(v.getName(), DataType.UNDEFINED, null);
        }
        TypeProto.Tensor tt = type.getTensorType();
        DataType elem = dataType(tt.getElemType(), what + " elem_type", ctx);
        List<Dim> shape = null;
        if (tt.hasShape()) {
            shape = new ArrayList<>(tt.getShape().getDimCount());
            for (TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
                shape.add(convertDim(d));
            }
        }
        return new ValueInfo(v.getName(), elem, shape);
    }

    private static Dim convertDim(TensorShapeProto.Dimension d) {
        return switch (d.getValueCase()) {
            // Some exporters write -1 for "dynamic"; that is no size.
            case DIM_VALUE -> d.getDimValue() >= 0 ? new Dim.Fixed(d.getDimValue()) : new Dim.Unknown();
            case DIM_PARAM -> d.getDimParam().isEmpty() ? new Dim.Unknown() : new Dim.Symbolic(d.getDimParam());
            case VALUE_NOT_SET -> new Dim.Unknown();
        };
    }

    // ---------------------------------------------------------------- nodes and attributes

    private static Node convertNode(NodeProto n, int index, Context ctx) {
        String label = !n.getName().isEmpty() ? n.getName()
                : n.getOpType() + "(" + (n.getOutputCount() == 0 ? "" : n.getOutput(0)) + ")";
        String what = "node '" + label + "' (" + (n.getOpType().isEmpty() ? "no op_type" : n.getOpType()) + ")";
        if (n.getOpType().isEmpty()) {
            throw ctx.error("node #" + index + " ('" + label + "') has no op_type");
        }
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().isEmpty()) {
                throw ctx.error(what + " has an attribute without a name");
            }
            if (attributes.containsKey(a.getName())) {
                throw ctx.error(what + " has attribute '" + a.getName() + "' twice");
            }
            attributes.put(a.getName(), convertAttribute(a, what, label, ctx));
        }
        return new Node(n.getName(), n.getOpType(), n.getDomain(), n.getInputList(), n.getOutputList(), attributes);
    }

    private static Attribute convertAttribute(AttributeProto a, String nodeWhat, String nodeLabel, Context ctx) {
        String name = a.getName();
        String what = nodeWhat + " attribute '" + name + "'";
        if (!a.getRefAttrName().isEmpty()) {
            throw ctx.error(what + " refers to function attribute '" + a.getRefAttrName()
                    + "', which is only allowed inside a function body");
        }
        AttributeType type;
        if (a.hasType() && a.getType() != AttributeType.UNDEFINED_VALUE) {
            type = AttributeType.forNumber(a.getType());
            if (type == null) {
                throw ctx.error(what + " has unknown attribute type " + a.getType());
            }
        } else {
            type = inferType(a);
            if (type == null) {
                throw ctx.error(what + " has no type and no value");
            }
        }
        return switch (type) {
            case FLOAT -> new Attribute.Float(name, a.getF());
            case INT -> new Attribute.Int(name, a.getI());
            case STRING -> new Attribute.Str(name, a.getS().toStringUtf8());
            case TENSOR -> {
                if (!a.hasT()) {
                    throw ctx.error(what + " is of type TENSOR but holds no tensor (field t)");
                }
                String tensorName = a.getT().getName().isEmpty() ? nodeLabel + "." + name : a.getT().getName();
                yield new Attribute.Tensor(name, convertTensor(a.getT(), what, tensorName, ctx));
            }
            case FLOATS -> {
                float[] v = new float[a.getFloatsCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = a.getFloats(i);
                }
                yield new Attribute.Floats(name, v);
            }
            case INTS -> {
                long[] v = new long[a.getIntsCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = a.getInts(i);
                }
                yield new Attribute.Ints(name, v);
            }
            case STRINGS -> {
                List<String> v = new ArrayList<>(a.getStringsCount());
                for (ByteString s : a.getStringsList()) {
                    v.add(s.toStringUtf8());
                }
                yield new Attribute.Strings(name, v);
            }
            case GRAPH, GRAPHS -> throw ctx.error(what + " is a subgraph (" + type
                    + "); control flow (If, Loop, Scan) is not supported");
            default -> throw ctx.error(what + " has type " + type + ", which is not supported");
        };
    }

    /** IR version 1 files did not set the type; it follows from the field in use. */
    private static AttributeType inferType(AttributeProto a) {
        if (a.hasF()) {
            return AttributeType.FLOAT;
        } else if (a.hasI()) {
            return AttributeType.INT;
        } else if (a.hasS()) {
            return AttributeType.STRING;
        } else if (a.hasT()) {
            return AttributeType.TENSOR;
        } else if (a.hasG()) {
            return AttributeType.GRAPH;
        } else if (a.getFloatsCount() > 0) {
            return AttributeType.FLOATS;
        } else if (a.getIntsCount() > 0) {
            return AttributeType.INTS;
        } else if (a.getStringsCount() > 0) {
            return AttributeType.STRINGS;
        } else if (a.getTensorsCount() > 0) {
            return AttributeType.TENSORS;
        } else if (a.getGraphsCount() > 0) {
            return AttributeType.GRAPHS;
        }
        return null;
    }

    // ---------------------------------------------------------------- tensors

    private static DataType dataType(int code, String what, Context ctx) {
        try {
            return DataType.fromCode(code);
        } catch (IllegalArgumentException e) {
            throw ctx.error(what + " has unknown or unsupported data type code " + code
                    + " (supported: " + Arrays.toString(DataType.values()) + ")");
        }
    }

    /**
     * Converts a TensorProto. All sizes are checked against each other before anything sized by
     * the file is allocated or mapped.
     *
     * @param what the tensor's description for messages, e.g. "initializer 'w'"
     */
    private static TensorData convertTensor(TensorProto t, String what, String name, Context ctx) {
        if (!t.hasDataType() || t.getDataType() == DataType.UNDEFINED.code()) {
            throw ctx.error(what + " has no data_type");
        }
        DataType type = dataType(t.getDataType(), what, ctx);
        if (type == DataType.STRING) {
            throw ctx.error(what + " is a STRING tensor; string tensors are not supported");
        }
        if (t.hasSegment()) {
            throw ctx.error(what + " is segmented (TensorProto.segment); segmented tensors are not supported");
        }
        long[] dims = new long[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) {
                throw ctx.error(what + " has negative dimension " + dims[i] + " at axis " + i + " in dims "
                        + Arrays.toString(t.getDimsList().toArray()));
            }
        }
        long byteCount;
        try {
            for (long d : dims) {
                count = Math.multiplyExact(count, d);
            }
            byteCount = Math.multiplyExact(count, (long) type.byteSize());
        } catch (ArithmeticException e) {
            throw ctx.error(what + " of shape " + Arrays.toString(dims) + " has more elements than a long can count");
        }
        String shape = type + Arrays.toString(dims);
        if (byteCount > MAX_TENSOR_BYTES) {
            throw ctx.error(what + " " + shape + " is " + byteCount + " bytes; tensors over 2 GB ("
                    + MAX_TENSOR_BYTES + " bytes) are not supported");
        }
        ByteBuffer bytes;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            if (t.hasRawData()) {
                throw ctx.error(what + " has both raw_data and external data");
            }
            bytes = ctx.external(t, what, shape, byteCount);
        } else if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != byteCount) {
                throw ctx.error(what + " " + shape + " needs " + byteCount + " bytes but raw_data has " + raw.size());
            }
            // A view, not a copy: for a mapped file this aliases the mapping.
            bytes = raw.asReadOnlyByteBuffer();
        } else {
            bytes = fromTypedFields(t, type, count, byteCount, what, shape, ctx);
        }
        return new TensorData(name, type, dims, bytes);
    }

    private static ByteBuffer fromTypedFields(TensorProto t, DataType type, long count, long byteCount, String what,
                                              String shape, Context ctx) {
        String field;
        int have;
        long need = count;
        switch (type) {
            case FLOAT, COMPLEX64 -> {
                field = "float_data";
                have = t.getFloatDataCount();
                need = type == DataType.COMPLEX64 ? 2 * count : count;
            }
            case DOUBLE, COMPLEX128 -> {
                field = "double_data";
                have = t.getDoubleDataCount();
                need = type == DataType.COMPLEX128 ? 2 * count : count;
            }
            case INT64 -> {
                field = "int64_data";
                have = t.getInt64DataCount();
            }
            case UINT32, UINT64 -> {
                field = "uint64_data";
                have = t.getUint64DataCount();
            }
            case INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16 -> {
                field = "int32_data";
                have = t.getInt32DataCount();
            }
            default -> throw ctx.error(what + " has type " + type + ", which cannot be stored in typed fields");
        }
        if (have != need) {
            throw ctx.error(what + " " + shape + " needs " + need + " values in " + field + " (or raw_data) but has "
                    + have);
        }
        ByteBuffer b = ByteBuffer.allocate((int) byteCount).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) need;
        switch (type) {
            case FLOAT, COMPLEX64 -> {
                for (int i = 0; i < n; i++) {
                    b.putFloat(4 * i, t.getFloatData(i));
                }
            }
            case DOUBLE, COMPLEX128 -> {
                for (int i = 0; i < n; i++) {
                    b.putDouble(8 * i, t.getDoubleData(i));
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    b.putLong(8 * i, t.getInt64Data(i));
                }
            }
            case UINT64 -> {
                for (int i = 0; i < n; i++) {
                    b.putLong(8 * i, t.getUint64Data(i));
                }
            }
            case UINT32 -> {
                for (int i = 0; i < n; i++) {
                    b.putInt(4 * i, (int) t.getUint64Data(i));
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    b.putInt(4 * i, t.getInt32Data(i));
                }
            }
            // 16-bit types, FLOAT16 and BFLOAT16 included, keep their bit pattern in the low half.
            case INT16, UINT16, FLOAT16, BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    b.putShort(2 * i, (short) t.getInt32Data(i));
                }
            }
            case INT8, UINT8 -> {
                for (int i = 0; i < n; i++) {
                    b.put(i, (byte) t.getInt32Data(i));
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    b.put(i, (byte) (t.getInt32Data(i) != 0 ? 1 : 0));
                }
            }
            default -> throw new AssertionError(type);
        }
        return b;
    }

    // ---------------------------------------------------------------- context and external data

    /** Per-load state: the name used in messages, the model directory, open external data files. */
    private static final class Context implements AutoCloseable {
        private final String source;
        private final Path modelDir;
        private Path realModelDir;
        private final Map<Path, FileChannel> channels = new HashMap<>();

        Context(String source, Path modelDir) {
            this.source = source;
            this.modelDir = modelDir;
        }

        OnnxFormatException error(String message) {
            return new OnnxFormatException(source + ": " + message);
        }

        OnnxFormatException error(String message, Throwable cause) {
            return new OnnxFormatException(source + ": " + message, cause);
        }

        ByteBuffer external(TensorProto t, String what, String shape, long byteCount) {
            if (modelDir == null) {
                throw error(what + " uses external data, which needs the model's directory; "
                        + "load the model from its file (OnnxLoader.load(Path))");
            }
            String location = null;
            long offset = 0;
            long length = -1;
            for (StringStringEntryProto e : t.getExternalDataList()) {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = parseNonNegative(e.getValue(), what, "offset");
                    case "length" -> length = parseNonNegative(e.getValue(), what, "length");
                    default -> {
                        // checksum and unknown keys are ignored
                    }
                }
            }
            if (location == null || location.isEmpty()) {
                throw error(what + " uses external data but has no 'location' entry");
            }
            if (length >= 0 && length != byteCount) {
                throw error(what + " " + shape + " needs " + byteCount + " bytes but its external data length is "
                        + length);
            }
            Path file = resolveExternal(location, what);
            try {
                FileChannel channel = channels.get(file);
                if (channel == null) {
                    channel = FileChannel.open(file, StandardOpenOption.READ);
                    channels.put(file, channel);
                }
                long size = channel.size();
                if (offset > size || byteCount > size - offset) {
                    throw error(what + ": external data '" + location + "' is " + size + " bytes, but offset "
                            + offset + " + length " + byteCount + " runs past its end");
                }
                if (byteCount == 0) {
                    return ByteBuffer.allocate(0);
                }
                return channel.map(FileChannel.MapMode.READ_ONLY, offset, byteCount);
            } catch (IOException e) {
                throw error(what + ": cannot read external data '" + location + "': " + e, e);
            }
        }

        private long parseNonNegative(String value, String what, String key) {
            long v;
            try {
                v = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw error(what + " has external data " + key + " '" + value + "', which is not a number", e);
            }
            if (v < 0) {
                throw error(what + " has negative external data " + key + " " + v);
            }
            return v;
        }

        /**
         * The external data file for {@code location}: it must be a relative path that stays inside
         * the model's directory, also after following symbolic links.
         */
        private Path resolveExternal(String location, String what) {
            String where = what + ": external data location '" + location + "'";
            Path relative;
            try {
                relative = Path.of(location);
            } catch (InvalidPathException e) {
                throw error(where + " is not a valid path", e);
            }
            if (relative.isAbsolute() || relative.getRoot() != null || location.startsWith("/")
                    || location.startsWith("\\")) {
                throw error(where + " is an absolute path; it must be relative to the model's directory");
            }
            Path resolved = modelDir.resolve(relative).normalize();
            if (!resolved.startsWith(modelDir) || resolved.equals(modelDir)) {
                throw error(where + " points outside the model's directory " + modelDir);
            }
            if (!Files.exists(resolved)) {
                throw error(where + " not found (looked for " + resolved + ")");
            }
            Path real;
            try {
                if (realModelDir == null) {
                    realModelDir = modelDir.toRealPath();
                }
                real = resolved.toRealPath();
            } catch (IOException e) {
                throw error(where + " cannot be resolved: " + e, e);
            }
            if (!real.startsWith(realModelDir)) {
                throw error(where + " resolves to " + real + " (through a symbolic link), outside the model's directory "
                        + realModelDir);
            }
            if (!Files.isRegularFile(real)) {
                throw error(where + " is not a regular file");
            }
            return real;
        }

        @Override
        public void close() {
            // Mappings stay valid after their channel is closed.
            for (FileChannel c : channels.values()) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // read-only; nothing to lose
                }
            }
            channels.clear();
        }
    }
}

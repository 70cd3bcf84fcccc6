package io.freeanchor.onnx;

import static io.freeanchor.onnx.OnnxLoaderTest.assertMessage;
import static io.freeanchor.onnx.TestModels.external;
import static io.freeanchor.onnx.TestModels.floatsLE;
import static io.freeanchor.onnx.TestModels.model;
import static io.freeanchor.onnx.TestModels.tensorInfo;
import static io.freeanchor.onnx.TestModels.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.onnx.proto.OnnxProto.GraphProto;
import io.freeanchor.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalDataTest {
    @TempDir
    Path root;

    /** root/model/ holds the model and weights.bin; root/outside.bin lies outside the model dir. */
    Path modelDir;

    @BeforeEach
    void setUp() throws IOException {
        modelDir = Files.createDirectory(root.resolve("model"));
        Files.createDirectory(modelDir.resolve("sub"));
        // 16 junk bytes, then 4 floats, then 2 floats.
        byte[] weights = new byte[16 + 24];
        Arrays.fill(weights, 0, 16, (byte) 0x7f);
        System.arraycopy(floatsLE(1, 2, 3, 4, 5, 6), 0, weights, 16, 24);
        Files.write(modelDir.resolve("weights.bin"), weights);
        Files.write(modelDir.resolve("sub").resolve("more.bin"), floatsLE(9, 8));
        Files.write(root.resolve("outside.bin"), floatsLE(1, 2, 3, 4));
    }

    private Path modelWith(TensorProto... tensors) {
        GraphProto.Builder g = GraphProto.newBuilder().addOutput(tensorInfo("o", DataType.FLOAT, 1));
        for (TensorProto t : tensors) {
            g.addInitializer(t);
        }
        return write(modelDir.resolve("model.onnx"), model(g.build()));
    }

    private OnnxFormatException loadFails(TensorProto t) {
        Path file = modelWith(t);
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxLoader.load(file));
        assertMessage(e, file.toString(), "initializer '" + t.getName() + "'");
        return e;
    }

    @Test
    void validExternalDataIsMapped() {
        Path file = modelWith(
                external("a", DataType.FLOAT, new long[] {2, 2}, "weights.bin", 16L, 16L),
                external("b", DataType.FLOAT, new long[] {2}, "weights.bin", 32L, null),
                external("c", DataType.FLOAT, new long[] {2}, "sub/more.bin", null, null),
                external("d", DataType.FLOAT, new long[] {2}, "sub/../sub/more.bin", null, 8L),
                external("e", DataType.FLOAT, new long[] {0}, "weights.bin", 40L, 0L));
        Graph g = OnnxLoader.load(file).graph();
        assertArrayEquals(new float[] {1, 2, 3, 4}, g.initializers().get("a").toFloats());
        assertArrayEquals(new long[] {2, 2}, g.initializers().get("a").dims());
        assertArrayEquals(new float[] {5, 6}, g.initializers().get("b").toFloats());
        assertArrayEquals(new float[] {9, 8}, g.initializers().get("c").toFloats());
        assertArrayEquals(new float[] {9, 8}, g.initializers().get("d").toFloats());
        assertEquals(0, g.initializers().get("e").bytes().remaining());
        assertTrue(g.initializers().get("a").bytes().isDirect());
    }

    @Test
    void relativeModelPathWorks() {
        Path file = modelWith(external("a", DataType.FLOAT, new long[] {4}, "weights.bin", 16L, 16L));
        Path relative = Path.of("").toAbsolutePath().relativize(file);
        assertArrayEquals(new float[] {1, 2, 3, 4},
                OnnxLoader.load(relative).graph().initializers().get("a").toFloats());
    }

    @Test
    void absolutePathIsRejected() {
        String abs = root.resolve("outside.bin").toAbsolutePath().toString();
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, abs, null, null)), "absolute");
        // Even one that points inside the model directory.
        String inside = modelDir.resolve("weights.bin").toAbsolutePath().toString();
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, inside, 16L, null)), "absolute");
    }

    @Test
    void dotDotEscapeIsRejected() {
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "../outside.bin", null, null)),
                "'../outside.bin'", "outside the model's directory");
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "sub/../../outside.bin", null, null)),
                "outside the model's directory");
    }

    @Test
    void symlinkOutOfTheDirectoryIsRejected() throws IOException {
        Path link = modelDir.resolve("link.bin");
        try {
            Files.createSymbolicLink(link, root.resolve("outside.bin"));
        } catch (UnsupportedOperationException | IOException e) {
            Assumptions.abort("symbolic links not supported here: " + e);
        }
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "link.bin", null, null)),
                "symbolic link", "outside the model's directory");

        // A link that stays inside the directory is fine.
        Files.createSymbolicLink(modelDir.resolve("inner.bin"), Path.of("sub", "more.bin"));
        Path file = modelWith(external("w", DataType.FLOAT, new long[] {2}, "inner.bin", null, null));
        assertArrayEquals(new float[] {9, 8}, OnnxLoader.load(file).graph().initializers().get("w").toFloats());
    }

    @Test
    void offsetPlusLengthPastEndIsRejected() {
        // weights.bin is 40 bytes.
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "weights.bin", 32L, 16L)),
                "40 bytes", "offset 32", "runs past its end");
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {1}, "weights.bin", 1L << 40, null)),
                "runs past its end");
    }

    @Test
    void lengthNotMatchingTheTensorIsRejected() {
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "weights.bin", 16L, 12L)),
                "FLOAT[4]", "16 bytes", "length is 12");
    }

    @Test
    void badExternalEntriesAreRejected() {
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "missing.bin", null, null)),
                "'missing.bin'", "not found");
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "", null, null)), "location");
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "sub", null, null)),
                "not a regular file");
        assertMessage(loadFails(TestModels.tensor("w", DataType.FLOAT, 4)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(TestModels.entry("location", "weights.bin"))
                .addExternalData(TestModels.entry("offset", "sixteen")).build()), "offset", "'sixteen'");
        assertMessage(loadFails(external("w", DataType.FLOAT, new long[] {4}, "weights.bin", -4L, null)),
                "negative");
    }

    @Test
    void externalDataWithoutModelDirectoryIsRejected() {
        byte[] bytes = model(GraphProto.newBuilder()
                .addInitializer(external("w", DataType.FLOAT, new long[] {4}, "weights.bin", 16L, null))
                .build()).toByteArray();
        assertMessage(assertThrows(OnnxFormatException.class, () -> OnnxLoader.parse(bytes, "mem.onnx")),
                "mem.onnx", "initializer 'w'", "external data", "load(Path)");
    }

    @Test
    void constantNodeWithExternalData() {
        GraphProto g = GraphProto.newBuilder().addNode(TestModels.node("Constant", "k", List.of(), List.of("k_out"),
                TestModels.attrTensor("value", external("", DataType.FLOAT, new long[] {2}, "weights.bin", 32L, 8L))))
                .build();
        Path file = write(modelDir.resolve("const.onnx"), model(g));
        Attribute.Tensor t = (Attribute.Tensor) OnnxLoader.load(file).graph().nodes().get(0).attributes().get("value");
        assertArrayEquals(new float[] {5, 6}, t.value().toFloats());
    }
}

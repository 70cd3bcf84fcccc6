package io.freeanchor.onnx;

import static io.freeanchor.onnx.TestModels.int32Sequence;
import static io.freeanchor.onnx.TestModels.model;
import static io.freeanchor.onnx.TestModels.node;
import static io.freeanchor.onnx.TestModels.tensorInfo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.onnx.proto.OnnxProto.GraphProto;
import io.freeanchor.onnx.proto.OnnxProto.ModelProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models bigger than protobuf's historical 64 MB limit. The data is streamed to disk (never held in
 * memory by the test) and the loaded tensor must alias the mapped file rather than copy it.
 */
class LargeModelTest {
    @TempDir
    Path dir;

    private static ModelProto smallPart() {
        return model(GraphProto.newBuilder()
                .setName("big")
                .addInput(tensorInfo("x", DataType.INT32, "N"))
                .addOutput(tensorInfo("y", DataType.INT32, "N"))
                .addNode(node("Add", "add", List.of("x", "big_weight"), List.of("y")))
                .build());
    }

    private void loadAndCheck(long elements) throws IOException {
        Path file = TestModels.writeWithStreamedInitializer(dir.resolve("big.onnx"), smallPart(), "big_weight",
                DataType.INT32, new long[] {elements}, 4 * elements, int32Sequence(elements));
        assertTrue(Files.size(file) > 4 * elements);

        OnnxModel m = OnnxLoader.load(file);
        Graph g = m.graph();
        assertEquals("big", g.name());
        assertEquals(1, g.nodes().size());
        assertEquals(List.of("x"), g.inputs().stream().map(ValueInfo::name).toList());
        TensorData w = g.initializers().get("big_weight");
        assertEquals(DataType.INT32, w.type());
        assertArrayEquals(new long[] {elements}, w.dims());
        ByteBuffer b = w.bytes();
        assertEquals(4 * elements, b.remaining());
        assertTrue(b.isDirect(), "the initializer must alias the mapped file, not be copied to the heap");
        assertTrue(b.isReadOnly());
        for (long i : new long[] {0, 1, 12345, elements / 2, elements - 2, elements - 1}) {
            assertEquals((int) i, b.getInt((int) (4 * i)), "element " + i);
        }
    }

    /** ~70 MB of raw_data: above protobuf's old 64 MB default limit. */
    @Test
    void rawDataAbove64Mb() throws IOException {
        loadAndCheck(70L * 1024 * 1024 / 4);
    }

    /** ~300 MB of raw_data; runs only under -Pfull. */
    @Test
    @Tag("full")
    void rawData300Mb() throws IOException {
        loadAndCheck(300L * 1024 * 1024 / 4);
    }
}

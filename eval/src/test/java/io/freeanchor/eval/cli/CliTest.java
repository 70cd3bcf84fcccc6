package io.freeanchor.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.Fixtures;
import io.freeanchor.network.Tolerance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run and info commands on the committed fixtures, and their handling of bad input. */
class CliTest {
    @TempDir
    Path tmp;

    private final Path micro = Fixtures.dir("micro");
    private final Path model = micro.resolve("model_dynamic.onnx");
    private final Path input = micro.resolve("input.npy");

    @Test
    void runWritesEveryOutputMatchingPyTorch() {
        CliRunner r = CliRunner.run("run", "--model", model.toString(), "--input", "input=" + input,
                "--output-dir", tmp.toString(), "--threads", "2");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(10, lines.length, r.out());
        for (int i = 0; i < 10; i++) {
            String name = lines[i].split(" ")[0];
            Tensor ours = Npy.read(tmp.resolve(name + ".npy"));
            Tensor ref = Npy.read(micro.resolve(String.format("output_%02d.npy", i)));
            Tolerance.assertClose(ours, ref, 1e-4, "output " + i);
        }
    }

    @Test
    void infoReportsShapesHistogramsMacsAndMemory() {
        CliRunner r = CliRunner.run("info", "--model", model.toString(), "--input-shape", "input=2,3,64,64");
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.contains("input FLOAT32[2, 3, 64, 64]"), out);
        assertTrue(out.contains("ops before optimization (257 nodes)"), out);
        assertTrue(out.contains("Conv+Add+Relu"), out);
        assertTrue(out.contains("MACs by op type"), out);
        assertTrue(out.contains("peak activation memory"), out);
        assertTrue(out.contains("with --precision fp16 on --device java"), out);
        assertTrue(out.contains("parameters 253,372"), out);
    }

    @Test
    void missingModelFile() {
        assertBadInput(CliRunner.run("info", "--model", tmp.resolve("nope.onnx").toString()), "nope.onnx");
    }

    @Test
    void truncatedModelFile() throws Exception {
        byte[] all = Files.readAllBytes(model);
        Path cut = tmp.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        assertBadInput(CliRunner.run("info", "--model", cut.toString()), "cut.onnx");
    }

    @Test
    void garbageModelFile() throws Exception {
        Path junk = tmp.resolve("junk.onnx");
        Files.writeString(junk, "this is not a protobuf, just some text that is long enough to matter\n".repeat(20));
        assertBadInput(CliRunner.run("info", "--model", junk.toString()), "junk.onnx");
    }

    @Test
    void emptyModelFile() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.onnx"));
        assertBadInput(CliRunner.run("info", "--model", empty.toString()), "empty.onnx");
    }

    @Test
    void missingInputOption() {
        assertBadInput(CliRunner.run("run", "--model", model.toString()), "--input");
    }

    @Test
    void extraInput() {
        CliRunner r = CliRunner.run("run", "--model", model.toString(), "--input", "input=" + input,
                "--input", "other=" + input, "--output-dir", tmp.toString());
        assertBadInput(r, "other");
    }

    @Test
    void wrongInputName() {
        assertBadInput(CliRunner.run("run", "--model", model.toString(), "--input", "images=" + input,
                "--output-dir", tmp.toString()), "images");
    }

    @Test
    void wrongDtype() {
        Path ints = tmp.resolve("ints.npy");
        Npy.write(ints, Tensor.ofLongs(new int[] {1, 3, 64, 64}, new long[3 * 64 * 64]));
        assertBadInput(CliRunner.run("run", "--model", model.toString(), "--input", "input=" + ints,
                "--output-dir", tmp.toString()), "INT64");
    }

    @Test
    void wrongRank() {
        Path rank3 = tmp.resolve("rank3.npy");
        Npy.write(rank3, Tensor.ofFloats(new int[] {3, 64, 64}, new float[3 * 64 * 64]));
        assertBadInput(CliRunner.run("run", "--model", model.toString(), "--input", "input=" + rank3,
                "--output-dir", tmp.toString()), "rank");
    }

    @Test
    void truncatedNpy() throws Exception {
        byte[] all = Files.readAllBytes(input);
        Path cut = tmp.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(all, all.length - 100));
        assertBadInput(CliRunner.run("run", "--model", model.toString(), "--input", "input=" + cut,
                "--output-dir", tmp.toString()), "cut.npy");
    }

    @Test
    void overflowingDimensions() {
        assertBadInput(CliRunner.run("info", "--model", model.toString(), "--input-shape", "input=1,3,99999999999,1"),
                "99999999999");
        assertBadInput(CliRunner.run("info", "--model", model.toString(), "--input-shape", "input=4096,3,8192,8192"),
                "4096,3,8192,8192");
    }

    @Test
    void shapeContradictingTheModel() {
        assertBadInput(CliRunner.run("info", "--model", model.toString(), "--input-shape", "input=1,4,64,64"), "input");
    }

    @Test
    void unknownDevice() {
        assertBadInput(CliRunner.run("run", "--model", model.toString(), "--input", "input=" + input,
                "--device", "tpu", "--output-dir", tmp.toString()), "tpu");
    }

    static void assertBadInput(CliRunner r, String mentioned) {
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), "exit code; stderr: " + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(mentioned), "error should mention '" + mentioned + "': " + r.err());
        if (!mentioned.equals("--input")) {
            assertTrue(r.oneErrorLine(), "one line, no stack trace: " + r.err());
        }
    }
}

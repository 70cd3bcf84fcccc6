package io.freeanchor.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class BenchCommandTest {
    private static final Path REPO = Path.of(System.getProperty("freeanchor.repo", "..")).toAbsolutePath();
    private static final String TINY = REPO.resolve("fixtures/tiny/model_dynamic.onnx").toString();

    private record Result(int code, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    private static Result bench(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = BenchCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void parsesEveryOption() {
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs("--model", "m.onnx", "--batch", "4", "--threads", "3", "--runs", "7", "--warmup", "0",
                "--input-shape", "input=1,3,64,96", "--device", "java-reference", "--compare-ort", "--seed", "5");
        assertEquals(Path.of("m.onnx"), c.model);
        assertEquals(4, c.batch);
        assertEquals(3, c.backendOptions.threadCount());
        assertEquals("java-reference", c.backendOptions.device());
        assertEquals(7, c.runs);
        assertEquals(0, c.warmup);
        assertEquals(List.of("input=1,3,64,96"), c.inputShapes);
        assertTrue(c.compareOrt);
        assertEquals(5, c.seed);
    }

    @Test
    void defaultsAreTenRunsTwoWarmUpsAndNoOrt() {
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs("--model", "m.onnx");
        assertEquals(10, c.runs);
        assertEquals(2, c.warmup);
        assertEquals(null, c.batch);
        assertEquals(false, c.compareOrt);
        assertEquals(Runtime.getRuntime().availableProcessors(), c.backendOptions.threadCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--runs 0", "--warmup -1", "--batch 0", "--threads 0", "--device nope", "--bogus", "--runs x",
            "--input-shape input=1,3,x,4", "--input-shape nope=1,3,96,160", "--input-shape input", "MODEL=missing",
            "--precision fp64", "--device java-reference --precision fp16"})
    void badInputIsOneLineAndExitCode2(String extra) {
        String[] args;
        if (extra.equals("MODEL=missing")) {
            args = new String[] {"--model", REPO.resolve("no/such/model.onnx").toString()};
        } else {
            String[] more = extra.split(" ");
            args = new String[more.length + 2];
            args[0] = "--model";
            args[1] = TINY;
            System.arraycopy(more, 0, args, 2, more.length);
        }
        Result r = bench(args);
        assertEquals(2, r.code(), () -> Arrays.toString(args) + ": " + r.err());
        List<String> errLines = r.err().lines().toList();
        assertEquals(1, errLines.size(), () -> Arrays.toString(args) + " printed: " + r.err());
        assertTrue(errLines.getFirst().startsWith("error: "), errLines::getFirst);
        assertEquals("", r.out());
    }

    @Test
    void missingModelOptionIsOneLineAndExitCode2() {
        Result r = bench("--runs", "1");
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void timesTinyAgainstOnnxRuntimeAndEndsWithTheMedianLine() {
        Result r = bench("--model", TINY, "--batch", "2", "--runs", "2", "--warmup", "1", "--threads", "2", "--compare-ort");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertTrue(lines.getLast().matches("median [0-9.]+ s per batch of 2"), lines.getLast());
        assertTrue(r.out().contains("input      input [2, 3, 96, 160]"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("ratio ours/onnxruntime [0-9.]+")), r.out());

        // The outputs agree with ONNX Runtime's (the tolerance of every whole-graph test).
        Matcher diff = Pattern.compile("max relative difference of outputs .* ([0-9.]+e[-+][0-9]+)").matcher(r.out());
        assertTrue(diff.find(), r.out());
        assertTrue(Double.parseDouble(diff.group(1)) <= 1e-4, diff.group(0));

        // The live heap peak is reported next to the bound 2 x (plan peak + weights); the tiny model is far within it.
        assertTrue(lines.stream().anyMatch(l -> l.matches(
                "heap       peak [0-9.]+ MiB live \\(.*\\); bound 2 x \\(plan peak \\+ weights\\) = [0-9.]+ MiB: (within|OVER);.*")), r.out());

        // Op-type shares account for all of the measured step time.
        double shares = 0;
        int rows = 0;
        boolean inOpTable = false;
        for (String l : lines) {
            if (l.startsWith("time by op type")) {
                inOpTable = true;
            } else if (inOpTable && l.startsWith("  ") && !l.trim().startsWith("op type")) {
                Matcher m = Pattern.compile(" ([0-9.]+)%").matcher(l);
                assertTrue(m.find(), l);
                shares += Double.parseDouble(m.group(1));
                rows++;
            } else if (inOpTable && !l.startsWith("  ")) {
                inOpTable = false;
            }
        }
        assertTrue(rows >= 3, r.out());
        assertEquals(100, shares, 0.5, r.out());
        assertTrue(r.out().contains("Conv+Relu"), r.out());
        assertTrue(r.out().contains("3x3/s1"), r.out());
    }

    @Test
    void inputShapeAndBatchOverride() {
        Result r = bench("--model", TINY, "--input-shape", "input=1,3,96,160", "--runs", "1", "--warmup", "0", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("input [1, 3, 96, 160]"), r.out());
        assertTrue(r.outLines().getLast().matches("median [0-9.]+ s per batch of 1"), r.out());

        // --batch overrides the batch of --input-shape
        r = bench("--model", TINY, "--input-shape", "input=1,3,96,160", "--batch", "3", "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("input [3, 3, 96, 160]"), r.out());
        assertTrue(r.outLines().getLast().matches("median [0-9.]+ s per batch of 3"), r.out());
    }

    /**
     * --heap-steps: a run with a full collection after every step; the live peak is then at least
     * what the activation plan and the outputs hold (the buffers are live from binding on).
     */
    @Test
    void heapStepsCountsEveryStepBoundary() {
        Result r = bench("--model", TINY, "--runs", "1", "--warmup", "0", "--threads", "1", "--heap-steps");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("heap       peak ([0-9.]+) MiB live \\(largest heap occupancy right after a full garbage"
                + " collection, at: ([^)]*)\\);").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) >= activationPeak(r.out()), r.out());
        assertTrue(r.out().contains("after young collections <= "), r.out());
    }

    /** --precision fp16 on java: outputs within 1e-2 of ONNX Runtime's, activation buffers half the fp32 plan's. */
    @Test
    void fp16StorageOnJavaHalvesTheActivationPlan() {
        Result fp32 = bench("--model", TINY, "--runs", "1", "--warmup", "0", "--threads", "2");
        Result fp16 = bench("--model", TINY, "--runs", "1", "--warmup", "0", "--threads", "2", "--precision", "fp16", "--compare-ort");
        assertEquals(0, fp32.code(), fp32.err());
        assertEquals(0, fp16.code(), fp16.err());
        assertTrue(fp16.out().contains("backend    java-fp16, 2 threads"), fp16.out());
        Matcher diff = Pattern.compile("max relative difference of outputs .* ([0-9.]+e[-+][0-9]+)").matcher(fp16.out());
        assertTrue(diff.find(), fp16.out());
        assertTrue(Double.parseDouble(diff.group(1)) <= 1e-2, diff.group(0));
        double peak32 = activationPeak(fp32.out()), peak16 = activationPeak(fp16.out());
        assertEquals(peak32 / 2, peak16, 0.11, fp16.out());
        assertTrue(fp16.out().contains("(fp16 storage; + "), fp16.out());
    }

    private static double activationPeak(String out) {
        Matcher m = Pattern.compile("memory     activation buffers ([0-9.]+) MiB").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, BenchCommand.median(new double[] {3, 1, 2}));
        assertEquals(2.5, BenchCommand.median(new double[] {4, 1, 3, 2}));
    }
}

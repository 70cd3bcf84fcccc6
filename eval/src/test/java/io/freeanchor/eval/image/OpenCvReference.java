package io.freeanchor.eval.image;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freeanchor.network.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tools/opencv_reference.py with Debian's /usr/bin/python3 (OpenCV 4.6, numpy, PIL) into a
 * directory and reads the manifest it writes. Missing Python or modules fail the test with a message
 * naming the Debian packages, never skip it.
 */
final class OpenCvReference {
    static final String PYTHON = "/usr/bin/python3";
    static final String PACKAGES = "python3-opencv python3-numpy python3-pil";

    private OpenCvReference() {}

    static Path script() {
        return Fixtures.repoRoot().resolve("tools").resolve("opencv_reference.py");
    }

    /** Runs the given sections into {@code out}; {@code inputs} may be null. Returns the section's manifest. */
    static JsonNode generate(Path out, String section, Path inputs) {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " not found: the OpenCV reference tests need Debian's Python with " + PACKAGES);
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script().toString(), "--out", out.toString(), "--only", section));
        if (inputs != null) {
            cmd.add("--inputs");
            cmd.add(inputs.toString());
        }
        try {
            Path log = Files.createTempFile("opencv_reference", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(300, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("tools/opencv_reference.py did not finish in 300 s");
                }
                String output = Files.readString(log, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    fail("tools/opencv_reference.py failed (exit " + p.exitValue() + "; it needs " + PACKAGES + "):\n" + output);
                }
                System.out.print(output);
            } finally {
                Files.deleteIfExists(log);
            }
            return new ObjectMapper().readTree(out.resolve(section).resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Per-value comparison of two uint8 arrays. */
    record Diff(long values, long differing, int maxAbs) {
        static Diff of(byte[] a, byte[] b) {
            if (a.length != b.length) {
                throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
            }
            long diff = 0;
            int max = 0;
            for (int i = 0; i < a.length; i++) {
                int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
                if (d != 0) {
                    diff++;
                    max = Math.max(max, d);
                }
            }
            return new Diff(a.length, diff, max);
        }

        double identicalFraction() {
            return 1.0 - (double) differing / values;
        }

        @Override
        public String toString() {
            return String.format("identical %.6f%% (%d of %d values differ), max |diff| %d",
                    100 * identicalFraction(), differing, values, maxAbs);
        }
    }
}

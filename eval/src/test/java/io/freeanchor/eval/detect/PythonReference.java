package io.freeanchor.eval.detect;

import static org.junit.jupiter.api.Assertions.fail;

import io.freeanchor.network.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code tools/reference_postprocess.py} with Debian's {@code /usr/bin/python3} (python3-torch,
 * python3-numpy). A missing interpreter or torch FAILS the calling test with a clear message.
 */
final class PythonReference {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private PythonReference() {}

    static Path script() {
        return Fixtures.repoRoot().resolve("tools").resolve("reference_postprocess.py");
    }

    /** Fails the test unless /usr/bin/python3 with torch and numpy is there. */
    static void requirePython() throws Exception {
        if (!Files.isExecutable(PYTHON)) {
            fail("the post-processing oracle needs Debian's /usr/bin/python3 with python3-torch and python3-numpy"
                    + " (apt-get install python3-torch python3-numpy); " + PYTHON + " is missing");
        }
        Result r = exec(List.of(PYTHON.toString(), "-c", "import torch, numpy; print(torch.__version__)"), 120);
        if (r.exitCode != 0) {
            fail("/usr/bin/python3 cannot import torch and numpy (install Debian's python3-torch python3-numpy): "
                    + r.output);
        }
    }

    /** Runs the script with the given arguments; fails the test on a non-zero exit. */
    static void run(String... args) throws Exception {
        requirePython();
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON.toString());
        cmd.add(script().toString());
        cmd.addAll(List.of(args));
        Result r = exec(cmd, 300);
        if (r.exitCode != 0) {
            fail("reference_postprocess.py failed (exit " + r.exitCode + "): " + String.join(" ", cmd) + "\n" + r.output);
        }
    }

    private record Result(int exitCode, String output) {}

    private static Result exec(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("reference-postprocess", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(Fixtures.repoRoot().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (out.length() > 4000) {
                out = "..." + out.substring(out.length() - 4000);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            fail("cannot start " + cmd.get(0) + ": " + e.getMessage());
            throw e;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}

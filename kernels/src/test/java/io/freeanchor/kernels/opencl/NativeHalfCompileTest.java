package io.freeanchor.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Native half arithmetic (conv_gemm with -DHALF_ARITH=1) needs a cl_khr_fp16 device, which the test
 * machines lack (PoCL's CPU device), so its source is at least compiled: clang-15 -fsyntax-only for
 * target spir64 (which has cl_khr_fp16) over common.cl + conv_gemm.cl with -DHALF_STORAGE
 * -DHALF_ARITH=1 and each tile configuration's options, warnings as errors. The same source without
 * the extension pragma must be rejected, so the check does see the half arithmetic. Without clang-15
 * it skips with a message, or fails where OpenCL tests are required (CI: clang-15 comes with PoCL).
 */
class NativeHalfCompileTest {
    private static final String PRAGMA = "#pragma OPENCL EXTENSION cl_khr_fp16 : enable";
    static final List<TileConfig> TILES = TileConfig.CANDIDATES;

    @TempDir
    Path dir;

    private static String source() throws IOException {
        StringBuilder s = new StringBuilder();
        for (String name : new String[] {"common.cl", "conv_gemm.cl"}) {
            try (InputStream in = OpenClBackend.class.getResourceAsStream(name)) {
                s.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return s.toString();
    }

    /** Exit code and output of clang-15 -fsyntax-only on the source with the tile configuration's options. */
    private Result clang(String source, TileConfig tiles) throws IOException, InterruptedException {
        Path file = dir.resolve("conv_gemm_half.cl");
        Files.writeString(file, source);
        List<String> cmd = new ArrayList<>(List.of("clang-15", "-x", "cl", "-cl-std=CL1.2", "-Xclang",
                "-finclude-default-header", "-target", "spir64", "-fsyntax-only", "-Werror", "-DHALF_STORAGE",
                "-DHALF_ARITH=1"));
        cmd.addAll(Arrays.asList(tiles.options().split(" ")));
        cmd.add(file.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            String why = "clang-15 not found (" + e.getMessage() + "); it comes with Debian's pocl-opencl-icd";
            if (OpenClTestDevice.required()) {
                Assertions.fail("the native half-arithmetic compile check must run in CI, but: " + why);
            }
            System.err.println("SKIPPED native half-arithmetic compile check: " + why);
            Assumptions.abort(why);
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    record Result(int exit, String output) {}

    @ParameterizedTest(name = "{0}")
    @FieldSource("TILES")
    void nativeHalfArithmeticCompiles(TileConfig tiles) throws Exception {
        String source = source();
        assertTrue(source.contains(PRAGMA), "common.cl enables cl_khr_fp16 for HALF_ARITH=1");
        Result r = clang(source, tiles);
        assertEquals(0, r.exit(), tiles.id() + ":\n" + r.output());
    }

    @Test
    void withoutTheExtensionHalfArithmeticIsRejected() throws Exception {
        Result r = clang(source().replace(PRAGMA, ""), TILES.getFirst());
        assertNotEquals(0, r.exit(), "clang accepted half arithmetic without cl_khr_fp16: the check proves nothing");
        assertTrue(r.output().contains("half"), r.output());
    }
}

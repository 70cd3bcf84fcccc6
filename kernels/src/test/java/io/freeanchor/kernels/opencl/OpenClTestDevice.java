package io.freeanchor.kernels.opencl;

import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL device tests run on: device 0 (PoCL's CPU device in CI). Without one, the tests fail in
 * CI (environment variable CI set, or FREEANCHOR_REQUIRE_OPENCL, which .ci/run sets) and skip
 * elsewhere with a visible message.
 */
public final class OpenClTestDevice {
    private OpenClTestDevice() {}

    public static boolean required() {
        return System.getenv("CI") != null || System.getenv("FREEANCHOR_REQUIRE_OPENCL") != null
                || Boolean.getBoolean("freeanchor.requireOpenCl");
    }

    /** Device 0, or a skip (developer machine) / failure (CI) saying why there is none. */
    public static ClDevice get() {
        String why;
        try {
            List<ClDevice> all = ClDevices.list();
            if (!all.isEmpty()) {
                return all.getFirst();
            }
            why = "no OpenCL platform or device found; " + OpenClUnavailableException.HOW_TO_GET_ONE;
        } catch (OpenClUnavailableException e) {
            why = e.getMessage();
        }
        if (required()) {
            Assertions.fail("OpenCL tests must run in CI, but: " + why);
        }
        System.err.println("SKIPPED OpenCL tests: " + why);
        Assumptions.abort("OpenCL tests skipped: " + why);
        return null;
    }
}

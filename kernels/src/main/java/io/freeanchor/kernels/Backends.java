package io.freeanchor.kernels;

import java.util.List;

/** Creates a backend from a device name as users type it; never substitutes another device. */
public final class Backends {
    /** The embedded default: the Vector API CPU backend. */
    public static final String DEFAULT = "java";

    private Backends() {}

    /** Device names this build knows, with a short description each. */
    public static List<String[]> known() {
        return List.of(
                new String[] {"java", "Java CPU backend (Vector API, multi-threaded): the default; fp32, or fp16 storage"},
                new String[] {"java-reference", "plain single-threaded Java loops: the test oracle, slow"},
                new String[] {"opencl[:N]", "OpenCL device N of 'freeanchor devices' (default 0), fp32 or fp16 storage"});
    }

    /**
     * @param device  a name from {@link #known()}
     * @param threads worker threads, >= 1 (the reference backend always uses one)
     */
    public static Backend create(String device, int threads) {
        return create(device, threads, "fp32");
    }

    /**
     * @param precision "fp32", or "fp16" (half storage, FP32 arithmetic but OpenCL's {@link
     *                  io.freeanchor.kernels.opencl.OpenClBackend.HalfArithmetic}) on java and opencl
     */
    public static Backend create(String device, int threads, String precision) {
        if (device.equals("opencl") || device.startsWith("opencl:")) {
            String index = device.equals("opencl") ? "0" : device.substring("opencl:".length());
            if (!index.matches("\\d{1,6}")) {
                throw new IllegalArgumentException("device '" + device + "': expected opencl or opencl:N with N a device index");
            }
            return new io.freeanchor.kernels.opencl.OpenClBackend(Integer.parseInt(index),
                    io.freeanchor.kernels.opencl.OpenClBackend.Precision.parse(precision));
        }
        String p = precision.toLowerCase(java.util.Locale.ROOT);
        if (!p.equals("fp32") && !p.equals("fp16")) {
            throw new IllegalArgumentException("--precision must be fp32 or fp16, got '" + precision + "'");
        }
        boolean half = p.equals("fp16");
        if (half && (device.equals("java-reference") || device.equals("reference"))) {
            throw new IllegalArgumentException("--precision fp16 is not available on device '" + device
                    + "' (the reference backend is the fp32 oracle; fp16 storage runs on --device java or opencl[:N])");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        return switch (device) {
            case "java", "cpu" -> half ? new HalfStorageBackend(threads) : new JavaBackend(threads);
            case "java-reference", "reference" -> new ReferenceBackend();
            default -> throw new IllegalArgumentException("unknown device '" + device + "'; known devices: "
                    + String.join(", ", known().stream().map(k -> k[0]).toList()));
        };
    }
}

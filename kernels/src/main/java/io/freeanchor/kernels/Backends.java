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
                new String[] {"java", "Java CPU backend (Vector API, multi-threaded): the default"},
                new String[] {"java-reference", "plain single-threaded Java loops: the test oracle, slow"});
    }

    /**
     * @param device  a name from {@link #known()}
     * @param threads worker threads, >= 1 (the reference backend always uses one)
     */
    public static Backend create(String device, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        return switch (device) {
            case "java", "cpu" -> new JavaBackend(threads);
            case "java-reference", "reference" -> new ReferenceBackend();
            default -> throw new IllegalArgumentException("unknown device '" + device + "'; known devices: "
                    + String.join(", ", known().stream().map(k -> k[0]).toList()));
        };
    }
}

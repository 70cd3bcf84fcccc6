package io.freeanchor.eval.cli;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Backends;
import picocli.CommandLine.Option;

/** The --device and --threads options every command that runs the network shares. */
public final class BackendOptions {
    @Option(names = "--threads", paramLabel = "N", description = "Inference worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--device", paramLabel = "NAME", defaultValue = Backends.DEFAULT,
            description = "Backend: java (default) or java-reference.")
    String device;

    /** The backend the user asked for; never another one. */
    public Backend open() {
        return Backends.create(device, threadCount());
    }

    /** --threads, or all cores when not given. */
    public int threadCount() {
        return threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    }

    public String device() {
        return device;
    }
}

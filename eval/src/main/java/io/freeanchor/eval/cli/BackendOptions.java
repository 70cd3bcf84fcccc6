package io.freeanchor.eval.cli;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Backends;
import picocli.CommandLine.Option;

/** The --device and --threads options every command that runs the network shares. */
final class BackendOptions {
    @Option(names = "--threads", paramLabel = "N", description = "Inference worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--device", paramLabel = "NAME", defaultValue = Backends.DEFAULT,
            description = "Backend: java (default) or java-reference.")
    String device;

    /** The backend the user asked for; never another one. */
    Backend open() {
        return Backends.create(device, threads == null ? Runtime.getRuntime().availableProcessors() : threads);
    }
}

package io.freeanchor.eval.cli;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Backends;
import picocli.CommandLine.Option;

/** The --device, --threads and --precision options every command that runs the network shares. */
final class BackendOptions {
    @Option(names = "--threads", paramLabel = "N", description = "Inference worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--device", paramLabel = "NAME", defaultValue = Backends.DEFAULT,
            description = "Backend: java (default), java-reference, or opencl[:N] (N from 'freeanchor devices', default 0).")
    String device;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32",
            description = "fp32 (default), or fp16 on opencl: weights and activations stored as half, arithmetic in fp32.")
    String precision;

    /** The backend the user asked for; never another one. */
    Backend open() {
        return Backends.create(device, threads == null ? Runtime.getRuntime().availableProcessors() : threads, precision);
    }
}

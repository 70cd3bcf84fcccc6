package io.freeanchor.eval.cli;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.Backends;
import picocli.CommandLine.Option;

/** The --device, --threads and --precision options every command that runs the network shares. */
public final class BackendOptions {
    @Option(names = "--threads", paramLabel = "N", description = "Inference worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--device", paramLabel = "NAME", defaultValue = Backends.DEFAULT,
            description = "Backend: java (default), java-reference, or opencl[:N] (N from 'freeanchor devices', default 0).")
    String device;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32",
            description = "fp32 (default), or fp16 on java and opencl: weights and activations stored as half, arithmetic in fp32"
                    + " (on OpenCL devices with cl_khr_fp16 the convolutions' inner products in half, see 'freeanchor devices').")
    String precision;

    /** The backend the user asked for; never another one. */
    public Backend open() {
        return Backends.create(device, threadCount(), precision);
    }

    /** --threads, or all cores when not given. */
    public int threadCount() {
        return threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    }

    public String device() {
        return device;
    }

    public String precision() {
        return precision;
    }
}

package io.freeanchor.eval.cli;

import io.freeanchor.kernels.opencl.ClDevice;
import io.freeanchor.kernels.opencl.ClDevices;
import io.freeanchor.kernels.opencl.OpenClUnavailableException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Lists the devices --device accepts: the Java CPU backends and every OpenCL platform/device. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the Java CPU backends and every OpenCL platform and device (memory, compute units, FP16).")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int cores = Runtime.getRuntime().availableProcessors();
        long heap = Runtime.getRuntime().maxMemory();
        out.printf("java            Java CPU backend (Vector API), %d cores, %.1f GiB Java heap: the default%n", cores, heap / 1073741824.0);
        out.println("java-reference  plain single-threaded Java loops (the test oracle)");
        List<ClDevice> devices;
        try {
            devices = ClDevices.list();
        } catch (OpenClUnavailableException e) {
            out.println("OpenCL: none: " + e.getMessage());
            return 0;
        }
        if (devices.isEmpty()) {
            out.println("OpenCL: the ICD loader finds no platform or device; install a driver, e.g. Debian's pocl-opencl-icd (CPU)"
                    + " or your GPU vendor's OpenCL driver");
            return 0;
        }
        String platform = null;
        for (ClDevice d : devices) {
            if (!d.platformName().equals(platform)) {
                platform = d.platformName();
                out.println("OpenCL platform: " + d.platformName() + " (" + d.platformVersion() + ")");
            }
            out.println("  " + d.describe());
        }
        out.println("fp16 (--precision fp16) stores tensors as half on every OpenCL device and on java; arithmetic is fp32,"
                + " except the OpenCL convolutions' inner products on devices with cl_khr_fp16 (half, summed in fp32 every"
                + " 16 steps; JAVA_OPTS=-Dfreeanchor.opencl.halfArithmetic=off keeps fp32).");
        return 0;
    }
}

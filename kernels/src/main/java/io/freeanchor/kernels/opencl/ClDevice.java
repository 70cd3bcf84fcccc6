package io.freeanchor.kernels.opencl;

import java.lang.foreign.MemorySegment;

/**
 * One OpenCL device as the system lists it. {@code index} counts devices over all platforms in the
 * loader's order: it is the N of {@code --device opencl:N}.
 */
public record ClDevice(int index, MemorySegment platform, MemorySegment id, String platformName,
                       String platformVersion, String name, String vendor, String driverVersion, String version,
                       String type, int computeUnits, long globalMemBytes, long maxAllocBytes, long localMemBytes,
                       long maxWorkGroupSize, String extensions) {

    /** Whether the device has half arithmetic (cl_khr_fp16); half storage works everywhere. */
    public boolean fp16() {
        return (" " + extensions + " ").contains(" cl_khr_fp16 ");
    }

    /** Whether the device has doubles (cl_khr_fp64): the head kernels then match the Java backends bit for bit. */
    public boolean fp64() {
        return (" " + extensions + " ").contains(" cl_khr_fp64 ");
    }

    /** Identifies the compiler for caches: device, driver and OpenCL version. */
    public String cacheKey() {
        return platformName + "|" + name + "|" + driverVersion + "|" + version;
    }

    /** One line for listings. */
    public String describe() {
        return String.format("opencl:%d  %s [%s, %s]  %s, %.1f GiB global memory, %d compute units, fp16 arithmetic: %s",
                index, name, platformName, driverVersion, type, globalMemBytes / 1073741824.0, computeUnits,
                fp16() ? "yes (cl_khr_fp16)" : "no (half storage only)");
    }
}

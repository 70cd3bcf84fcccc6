package io.freeanchor.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Lists OpenCL platforms and devices through the ICD loader. */
public final class ClDevices {
    private static final int CL_PLATFORM_NOT_FOUND_KHR = -1001, CL_DEVICE_NOT_FOUND = -1;

    private ClDevices() {}

    /** Every device of every platform; empty when the loader finds no platform. Throws when no loader. */
    public static List<ClDevice> list() {
        OpenCl cl = OpenCl.get();
        List<ClDevice> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            int rc = (int) Native.call(cl.getPlatformIDs, 0, MemorySegment.NULL, count);
            if (rc == CL_PLATFORM_NOT_FOUND_KHR || rc == 0 && count.get(JAVA_INT, 0) == 0) {
                return out;
            }
            ClErrors.check(rc, "clGetPlatformIDs");
            int np = count.get(JAVA_INT, 0);
            MemorySegment platforms = arena.allocate(ADDRESS, np);
            Native.check(cl.getPlatformIDs, "clGetPlatformIDs", np, platforms, MemorySegment.NULL);
            for (int p = 0; p < np; p++) {
                MemorySegment platform = platforms.getAtIndex(ADDRESS, p);
                String pName = platformString(cl, platform, OpenCl.CL_PLATFORM_NAME);
                String pVersion = platformString(cl, platform, OpenCl.CL_PLATFORM_VERSION);
                rc = (int) Native.call(cl.getDeviceIDs, platform, OpenCl.CL_DEVICE_TYPE_ALL, 0, MemorySegment.NULL, count);
                if (rc == CL_DEVICE_NOT_FOUND) {
                    continue;
                }
                ClErrors.check(rc, "clGetDeviceIDs");
                int nd = count.get(JAVA_INT, 0);
                MemorySegment devices = arena.allocate(ADDRESS, nd);
                Native.check(cl.getDeviceIDs, "clGetDeviceIDs", platform, OpenCl.CL_DEVICE_TYPE_ALL, nd, devices,
                        MemorySegment.NULL);
                for (int d = 0; d < nd; d++) {
                    MemorySegment dev = devices.getAtIndex(ADDRESS, d);
                    long type = deviceLong(cl, dev, OpenCl.CL_DEVICE_TYPE);
                    out.add(new ClDevice(out.size(), platform, dev, pName, pVersion,
                            deviceString(cl, dev, OpenCl.CL_DEVICE_NAME), deviceString(cl, dev, OpenCl.CL_DEVICE_VENDOR),
                            deviceString(cl, dev, OpenCl.CL_DRIVER_VERSION), deviceString(cl, dev, OpenCl.CL_DEVICE_VERSION),
                            (type & OpenCl.CL_DEVICE_TYPE_GPU) != 0 ? "GPU" : (type & OpenCl.CL_DEVICE_TYPE_CPU) != 0 ? "CPU" : "accelerator",
                            deviceInt(cl, dev, OpenCl.CL_DEVICE_MAX_COMPUTE_UNITS),
                            deviceLong(cl, dev, OpenCl.CL_DEVICE_GLOBAL_MEM_SIZE),
                            deviceLong(cl, dev, OpenCl.CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                            deviceLong(cl, dev, OpenCl.CL_DEVICE_LOCAL_MEM_SIZE),
                            deviceLong(cl, dev, OpenCl.CL_DEVICE_MAX_WORK_GROUP_SIZE),
                            deviceString(cl, dev, OpenCl.CL_DEVICE_EXTENSIONS)));
                }
            }
        }
        return out;
    }

    /**
     * Device N of {@link #list()}; one clear line when there is none (no loader, no platform, index out
     * of range).
     */
    public static ClDevice get(int index) {
        List<ClDevice> all = list();
        if (all.isEmpty()) {
            throw new OpenClUnavailableException("no OpenCL platform or device found");
        }
        if (index < 0 || index >= all.size()) {
            throw new IllegalArgumentException("no OpenCL device " + index + "; devices are opencl:0.."
                    + (all.size() - 1) + " (see 'freeanchor devices')");
        }
        return all.get(index);
    }

    private static String platformString(OpenCl cl, MemorySegment platform, int param) {
        return info(cl.getPlatformInfo, "clGetPlatformInfo", platform, param);
    }

    private static String deviceString(OpenCl cl, MemorySegment dev, int param) {
        return info(cl.getDeviceInfo, "clGetDeviceInfo", dev, param);
    }

    private static String info(MethodHandle h, String call, MemorySegment obj, int param) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            Native.check(h, call, obj, param, 0L, MemorySegment.NULL, size);
            long n = size.get(JAVA_LONG, 0);
            MemorySegment buf = arena.allocate(Math.max(n, 1));
            Native.check(h, call, obj, param, n, buf, MemorySegment.NULL);
            byte[] bytes = buf.asSlice(0, Math.max(0, n - 1)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            return new String(bytes, StandardCharsets.UTF_8).trim();
        }
    }

    private static long deviceLong(OpenCl cl, MemorySegment dev, int param) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_LONG);
            Native.check(cl.getDeviceInfo, "clGetDeviceInfo", dev, param, 8L, v, MemorySegment.NULL);
            return v.get(JAVA_LONG, 0);
        }
    }

    private static int deviceInt(OpenCl cl, MemorySegment dev, int param) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            Native.check(cl.getDeviceInfo, "clGetDeviceInfo", dev, param, 4L, v, MemorySegment.NULL);
            return v.get(JAVA_INT, 0);
        }
    }
}

package io.freeanchor.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One kernel of a built program. Arguments are set by position from Java values: a {@link ClBuffer},
 * an Integer (int), a Float, a Long (long) or an int[] of 2, 4 or 8 (an intN vector). Not thread-safe
 * (OpenCL kernel arguments are state), like the backend that uses it.
 */
public final class ClKernel implements AutoCloseable {
    private final OpenCl cl;
    private final MemorySegment handle;
    private final String name;
    private boolean released;

    ClKernel(OpenCl cl, MemorySegment handle, String name) {
        this.cl = cl;
        this.handle = handle;
        this.name = name;
    }

    public String name() {
        return name;
    }

    MemorySegment handle() {
        return handle;
    }

    /** Sets arguments 0.. from the given values. */
    public ClKernel args(Object... values) {
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < values.length; i++) {
                Object v = values[i];
                MemorySegment seg;
                switch (v) {
                    case ClBuffer b -> {
                        seg = arena.allocate(ADDRESS);
                        seg.set(ADDRESS, 0, b.handle);
                    }
                    case Integer n -> {
                        seg = arena.allocate(JAVA_INT);
                        seg.set(JAVA_INT, 0, n);
                    }
                    case Float f -> {
                        seg = arena.allocate(JAVA_FLOAT);
                        seg.set(JAVA_FLOAT, 0, f);
                    }
                    case Long l -> {
                        seg = arena.allocate(JAVA_LONG);
                        seg.set(JAVA_LONG, 0, l);
                    }
                    case int[] vec -> {
                        if (vec.length != 2 && vec.length != 4 && vec.length != 8) {
                            throw new IllegalArgumentException("intN argument needs 2, 4 or 8 values, got " + vec.length);
                        }
                        seg = arena.allocate(JAVA_INT, vec.length);
                        MemorySegment.copy(vec, 0, seg, JAVA_INT, 0, vec.length);
                    }
                    default -> throw new IllegalArgumentException("unsupported kernel argument " + v);
                }
                int rc = (int) Native.call(cl.setKernelArg, handle, i, seg.byteSize(), seg);
                ClErrors.check(rc, "clSetKernelArg(" + name + ", " + i + ")");
            }
        }
        return this;
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            Native.check(cl.releaseKernel, "clReleaseKernel", handle);
        }
    }
}

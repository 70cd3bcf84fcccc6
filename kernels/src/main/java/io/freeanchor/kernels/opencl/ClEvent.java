package io.freeanchor.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A command's event (cl_event): wait for it, read its profiling times, release it. */
public final class ClEvent implements AutoCloseable {
    private final OpenCl cl;
    final MemorySegment handle;
    private boolean released;

    ClEvent(OpenCl cl, MemorySegment handle) {
        this.cl = cl;
        this.handle = handle;
    }

    /** Blocks until the command has finished. */
    public void await() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(ADDRESS);
            list.set(ADDRESS, 0, handle);
            Native.check(cl.waitForEvents, "clWaitForEvents", 1, list);
        }
    }

    /** Device clock when the command started running, in ns (the queue profiles; call after {@link #await}). */
    public long startNanos() {
        return profile(OpenCl.CL_PROFILING_COMMAND_START);
    }

    /** Device clock when the command ended, in ns. */
    public long endNanos() {
        return profile(OpenCl.CL_PROFILING_COMMAND_END);
    }

    private long profile(int what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = arena.allocate(JAVA_LONG);
            Native.check(cl.getEventProfilingInfo, "clGetEventProfilingInfo", handle, what, 8L, t, MemorySegment.NULL);
            return t.get(JAVA_LONG, 0);
        }
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            Native.check(cl.releaseEvent, "clReleaseEvent", handle);
        }
    }
}

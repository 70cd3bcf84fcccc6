package io.freeanchor.kernels.opencl;

import java.lang.foreign.MemorySegment;

/** A device buffer (cl_mem) of a fixed size in bytes. */
public final class ClBuffer implements AutoCloseable {
    private final OpenCl cl;
    final MemorySegment handle;
    private final long bytes;
    private boolean released;

    ClBuffer(OpenCl cl, MemorySegment handle, long bytes) {
        this.cl = cl;
        this.handle = handle;
        this.bytes = bytes;
    }

    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            Native.check(cl.releaseMemObject, "clReleaseMemObject", handle);
        }
    }
}

package io.freeanchor.kernels.opencl;

import java.lang.foreign.MemorySegment;

/**
 * Host memory allocated by the driver and mapped for the host to write ({@link ClContext#hostBuffer}):
 * the staging area of asynchronous uploads. Closing unmaps and releases it.
 */
public final class ClHostBuffer implements AutoCloseable {
    private final ClBuffer buffer;
    private final MemorySegment mapped;
    private final Runnable unmap;
    private boolean released;

    ClHostBuffer(ClBuffer buffer, MemorySegment mapped, Runnable unmap) {
        this.buffer = buffer;
        this.mapped = mapped;
        this.unmap = unmap;
    }

    /** The mapped bytes. */
    public MemorySegment segment() {
        return mapped;
    }

    public long bytes() {
        return buffer.bytes();
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            try {
                unmap.run();
            } finally {
                buffer.close();
            }
        }
    }
}

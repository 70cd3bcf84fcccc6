package io.freeanchor.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A context on one device with two in-order command queues (with profiling): the compute queue, which
 * runs kernels and the blocking copies, and a transfer queue for {@link #writeAsync} uploads that
 * overlap the compute queue's work. Owns every handle it creates (programs, kernels); buffers are
 * owned by the caller. Closing releases them in reverse order.
 */
public final class ClContext implements AutoCloseable {
    private final OpenCl cl;
    private final ClDevice device;
    private final MemorySegment context;
    private final MemorySegment queue;
    private final MemorySegment transfers;
    /** Commands enqueued on the compute queue so far, and how many of the first of them are known complete. */
    private long enqueued, completed;
    private final ProgramCache cache;
    private final List<MemorySegment> programs = new ArrayList<>();
    private final List<ClKernel> kernels = new ArrayList<>();
    private boolean closed;

    public ClContext(ClDevice device) {
        this.cl = OpenCl.get();
        this.device = device;
        this.cache = new ProgramCache(device);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(JAVA_INT);
            MemorySegment devs = arena.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device.id());
            context = (MemorySegment) Native.call(cl.createContext, MemorySegment.NULL, 1, devs, MemorySegment.NULL,
                    MemorySegment.NULL, err);
            ClErrors.check(err.get(JAVA_INT, 0), "clCreateContext");
            queue = (MemorySegment) Native.call(cl.createCommandQueue, context, device.id(),
                    OpenCl.CL_QUEUE_PROFILING_ENABLE, err);
            if (err.get(JAVA_INT, 0) != 0) {
                Native.call(cl.releaseContext, context);
                ClErrors.check(err.get(JAVA_INT, 0), "clCreateCommandQueue");
            }
            transfers = (MemorySegment) Native.call(cl.createCommandQueue, context, device.id(),
                    OpenCl.CL_QUEUE_PROFILING_ENABLE, err);
            if (err.get(JAVA_INT, 0) != 0) {
                Native.call(cl.releaseCommandQueue, queue);
                Native.call(cl.releaseContext, context);
                ClErrors.check(err.get(JAVA_INT, 0), "clCreateCommandQueue (transfers)");
            }
        }
    }

    public ClDevice device() {
        return device;
    }

    /** A read-write device buffer of at least one byte. */
    public ClBuffer buffer(long bytes) {
        return buffer(bytes, OpenCl.CL_MEM_READ_WRITE);
    }

    private ClBuffer buffer(long bytes, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(JAVA_INT);
            long size = Math.max(bytes, 1);
            MemorySegment mem = (MemorySegment) Native.call(cl.createBuffer, context, flags, size,
                    MemorySegment.NULL, err);
            int rc = err.get(JAVA_INT, 0);
            if (rc != 0) {
                throw new OpenClException("clCreateBuffer(" + size + " bytes) failed: " + ClErrors.name(rc) + " (" + rc
                        + "); the device has " + device.globalMemBytes() + " bytes, at most " + device.maxAllocBytes()
                        + " per buffer", rc);
            }
            return new ClBuffer(cl, mem, size);
        }
    }

    /**
     * Host memory the driver can copy from without staging it (a mapped {@code CL_MEM_ALLOC_HOST_PTR}
     * buffer: pinned on GPU drivers), the source {@link #writeAsync} wants for a real overlap.
     */
    public ClHostBuffer hostBuffer(long bytes) {
        ClBuffer b = buffer(bytes, OpenCl.CL_MEM_READ_WRITE | OpenCl.CL_MEM_ALLOC_HOST_PTR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(JAVA_INT);
            MemorySegment p = (MemorySegment) Native.call(cl.enqueueMapBuffer, transfers, b.handle, OpenCl.CL_TRUE,
                    OpenCl.CL_MAP_WRITE, 0L, b.bytes(), 0, MemorySegment.NULL, MemorySegment.NULL, err);
            int rc = err.get(JAVA_INT, 0);
            if (rc != 0) {
                b.close();
                ClErrors.check(rc, "clEnqueueMapBuffer(" + b.bytes() + " bytes)");
            }
            return new ClHostBuffer(b, p.reinterpret(b.bytes()), () -> Native.check(cl.enqueueUnmapMemObject,
                    "clEnqueueUnmapMemObject", transfers, b.handle, p, 0, MemorySegment.NULL, MemorySegment.NULL));
        }
    }

    /** Blocking host-to-device copy of {@code bytes} bytes from native memory (after every command before it). */
    public void write(ClBuffer dst, long offset, MemorySegment src, long bytes) {
        Native.check(cl.enqueueWriteBuffer, "clEnqueueWriteBuffer", queue, dst.handle, OpenCl.CL_TRUE, offset, bytes,
                src, 0, MemorySegment.NULL, MemorySegment.NULL);
        completed = ++enqueued;
    }

    /** Blocking device-to-host copy (waits for every command before it: the queue is in order). */
    public void read(ClBuffer src, long offset, MemorySegment dst, long bytes) {
        Native.check(cl.enqueueReadBuffer, "clEnqueueReadBuffer", queue, src.handle, OpenCl.CL_TRUE, offset, bytes,
                dst, 0, MemorySegment.NULL, MemorySegment.NULL);
        completed = ++enqueued;
    }

    /**
     * Starts copying {@code bytes} bytes of {@code src} (which must stay untouched until the returned
     * event completes) to the start of {@code dst} on the transfer queue, beside whatever the compute
     * queue runs, and returns at once. With {@code afterCompute} the copy first waits for every
     * command enqueued on the compute queue so far (they may still read dst). The compute queue must
     * {@link #computeWaitsFor} the event before using dst.
     */
    public ClEvent writeAsync(ClBuffer dst, MemorySegment src, long bytes, boolean afterCompute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment waitList = MemorySegment.NULL;
            ClEvent computeDone = afterCompute ? barrier(queue, null) : null;
            if (computeDone != null) {
                waitList = arena.allocate(ADDRESS);
                waitList.set(ADDRESS, 0, computeDone.handle);
            }
            MemorySegment event = arena.allocate(ADDRESS);
            try {
                Native.check(cl.enqueueWriteBuffer, "clEnqueueWriteBuffer (async)", transfers, dst.handle, OpenCl.CL_FALSE,
                        0L, bytes, src, computeDone == null ? 0 : 1, waitList, event);
            } finally {
                if (computeDone != null) {
                    computeDone.close();
                }
            }
            ClEvent done = new ClEvent(cl, event.get(ADDRESS, 0));
            Native.check(cl.flush, "clFlush", transfers); // submit now, not at the next blocking call
            return done;
        }
    }

    /** Makes every command enqueued on the compute queue from now on wait for {@code e}. */
    public void computeWaitsFor(ClEvent e) {
        barrier(queue, e).close();
    }

    /** A barrier on {@code q} after its commands so far (and after {@code waitFor}, if given); returns its event. */
    private ClEvent barrier(MemorySegment q, ClEvent waitFor) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment waitList = MemorySegment.NULL;
            if (waitFor != null) {
                waitList = arena.allocate(ADDRESS);
                waitList.set(ADDRESS, 0, waitFor.handle);
            }
            MemorySegment event = arena.allocate(ADDRESS);
            Native.check(cl.enqueueBarrierWithWaitList, "clEnqueueBarrierWithWaitList", q, waitFor == null ? 0 : 1, waitList,
                    event);
            if (q == queue) {
                enqueued++;
            }
            return new ClEvent(cl, event.get(ADDRESS, 0));
        }
    }

    /** Commands enqueued on the compute queue so far (kernels, copies, barriers). */
    public long enqueued() {
        return enqueued;
    }

    /**
     * How many of the compute queue's first commands are known to have finished: all that were
     * enqueued before the host last waited for the queue (a blocking copy, a timed launch or
     * {@link #finish}; the queue runs in order).
     */
    public long completed() {
        return completed;
    }

    /** Enqueues a device-side copy. */
    public void copy(ClBuffer src, long srcOffset, ClBuffer dst, long dstOffset, long bytes) {
        if (bytes > 0) {
            Native.check(cl.enqueueCopyBuffer, "clEnqueueCopyBuffer", queue, src.handle, dst.handle, srcOffset, dstOffset,
                    bytes, 0, MemorySegment.NULL, MemorySegment.NULL);
            enqueued++;
        }
    }

    /**
     * Builds a program from source with the given options (e.g. -D tile sizes), through the on-disk
     * binary cache; returns its kernels by name. Build failures carry the compiler's log.
     */
    public List<ClKernel> build(String label, String source, String options, String... kernelNames) {
        MemorySegment program = cache.load(this, source, options);
        if (program == null) {
            program = buildFromSource(label, source, options);
            cache.store(this, program, source, options);
        }
        programs.add(program);
        List<ClKernel> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(JAVA_INT);
            for (String name : kernelNames) {
                MemorySegment k = (MemorySegment) Native.call(cl.createKernel, program, arena.allocateFrom(name), err);
                ClErrors.check(err.get(JAVA_INT, 0), "clCreateKernel(" + name + ")");
                ClKernel kernel = new ClKernel(cl, k, name);
                kernels.add(kernel);
                out.add(kernel);
            }
        }
        return out;
    }

    private MemorySegment buildFromSource(String label, String source, String options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(JAVA_INT);
            MemorySegment strings = arena.allocate(ADDRESS);
            strings.set(ADDRESS, 0, arena.allocateFrom(source));
            MemorySegment program = (MemorySegment) Native.call(cl.createProgramWithSource, context, 1, strings,
                    MemorySegment.NULL, err);
            ClErrors.check(err.get(JAVA_INT, 0), "clCreateProgramWithSource(" + label + ")");
            finishBuild(program, label, options);
            return program;
        }
    }

    /** clBuildProgram; on failure releases the program and throws with the build log. */
    void finishBuild(MemorySegment program, String label, String options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment devs = arena.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device.id());
            int rc = (int) Native.call(cl.buildProgram, program, 1, devs, arena.allocateFrom(options),
                    MemorySegment.NULL, MemorySegment.NULL);
            if (rc != 0) {
                String log = buildLog(program);
                Native.call(cl.releaseProgram, program);
                throw new OpenClException("clBuildProgram(" + label + ", options '" + options + "') failed: "
                        + ClErrors.name(rc) + " (" + rc + "); build log:\n" + log, rc);
            }
        }
    }

    private String buildLog(MemorySegment program) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            Native.check(cl.getProgramBuildInfo, "clGetProgramBuildInfo", program, device.id(), OpenCl.CL_PROGRAM_BUILD_LOG,
                    0L, MemorySegment.NULL, size);
            long n = size.get(JAVA_LONG, 0);
            MemorySegment buf = arena.allocate(Math.max(n, 1));
            Native.check(cl.getProgramBuildInfo, "clGetProgramBuildInfo", program, device.id(), OpenCl.CL_PROGRAM_BUILD_LOG,
                    n, buf, MemorySegment.NULL);
            return new String(buf.asSlice(0, Math.max(0, n - 1)).toArray(JAVA_BYTE), StandardCharsets.UTF_8).trim();
        }
    }

    /** A program from a cached binary (built for this device), or null when the driver refuses it. */
    MemorySegment programFromBinary(byte[] binary, String options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(JAVA_INT);
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment devs = arena.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device.id());
            MemorySegment lengths = arena.allocate(JAVA_LONG);
            lengths.set(JAVA_LONG, 0, binary.length);
            MemorySegment bins = arena.allocate(ADDRESS);
            bins.set(ADDRESS, 0, arena.allocateFrom(JAVA_BYTE, binary));
            MemorySegment program = (MemorySegment) Native.call(cl.createProgramWithBinary, context, 1, devs, lengths, bins,
                    status, err);
            if (err.get(JAVA_INT, 0) != 0 || status.get(JAVA_INT, 0) != 0) {
                return null;
            }
            try {
                finishBuild(program, "cached binary", options);
            } catch (OpenClException e) {
                return null; // a stale or foreign binary: the caller rebuilds from source
            }
            return program;
        }
    }

    /** The device binary of a built program (one device). */
    byte[] binaryOf(MemorySegment program) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            Native.check(cl.getProgramInfo, "clGetProgramInfo", program, OpenCl.CL_PROGRAM_BINARY_SIZES, 8L, size,
                    MemorySegment.NULL);
            long n = size.get(JAVA_LONG, 0);
            MemorySegment buf = arena.allocate(Math.max(n, 1));
            MemorySegment ptrs = arena.allocate(ADDRESS);
            ptrs.set(ADDRESS, 0, buf);
            Native.check(cl.getProgramInfo, "clGetProgramInfo", program, OpenCl.CL_PROGRAM_BINARIES, ADDRESS.byteSize(),
                    ptrs, MemorySegment.NULL);
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    /** Enqueues a kernel over a global range (local size chosen by the driver when local is null). */
    public void launch(ClKernel kernel, long[] global, long[] local) {
        enqueue(kernel, global, local, MemorySegment.NULL);
    }

    /** Runs a kernel and waits; returns its device time in nanoseconds from profiling events. */
    public long launchTimed(ClKernel kernel, long[] global, long[] local) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(ADDRESS);
            enqueue(kernel, global, local, event);
            try (ClEvent done = new ClEvent(cl, event.get(ADDRESS, 0))) {
                done.await();
                completed = enqueued;
                return done.endNanos() - done.startNanos();
            }
        }
    }

    private void enqueue(ClKernel kernel, long[] global, long[] local, MemorySegment event) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment g = arena.allocateFrom(JAVA_LONG, global);
            MemorySegment l = local == null ? MemorySegment.NULL : arena.allocateFrom(JAVA_LONG, local);
            int rc = (int) Native.call(cl.enqueueNDRangeKernel, queue, kernel.handle(), global.length, MemorySegment.NULL,
                    g, l, 0, MemorySegment.NULL, event);
            ClErrors.check(rc, "clEnqueueNDRangeKernel(" + kernel.name() + ", global " + java.util.Arrays.toString(global)
                    + (local == null ? "" : ", local " + java.util.Arrays.toString(local)) + ")");
            enqueued++;
        }
    }

    /** Waits for every enqueued command, on both queues. */
    public void finish() {
        Native.check(cl.finish, "clFinish", transfers);
        Native.check(cl.finish, "clFinish", queue);
        completed = enqueued;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Native.call(cl.finish, transfers);
        Native.call(cl.finish, queue);
        for (ClKernel k : kernels) {
            k.close();
        }
        for (MemorySegment p : programs) {
            Native.call(cl.releaseProgram, p);
        }
        Native.call(cl.releaseCommandQueue, transfers);
        Native.call(cl.releaseCommandQueue, queue);
        Native.call(cl.releaseContext, context);
    }
}

package io.freeanchor.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * FFM downcalls into the system's OpenCL ICD loader ({@code libOpenCL.so.1}) for the OpenCL 1.2 calls
 * this project uses. Raw calls only: they return the CL error code (or take an errcode pointer) and
 * {@link ClErrors#check} turns failures into exceptions; the wrappers ({@link ClContext}, ...) own
 * the handles. Loaded once, on first use; a missing loader is an {@link OpenClUnavailableException}.
 */
final class OpenCl {
    // Parameter names of the clGet*Info calls we use (cl.h).
    static final int CL_PLATFORM_VERSION = 0x0901, CL_PLATFORM_NAME = 0x0902, CL_PLATFORM_VENDOR = 0x0903;
    static final int CL_DEVICE_TYPE = 0x1000, CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002,
            CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004, CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010,
            CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F, CL_DEVICE_LOCAL_MEM_SIZE = 0x1023, CL_DEVICE_NAME = 0x102B,
            CL_DEVICE_VENDOR = 0x102C, CL_DRIVER_VERSION = 0x102D, CL_DEVICE_VERSION = 0x102F,
            CL_DEVICE_EXTENSIONS = 0x1030;
    static final long CL_DEVICE_TYPE_ALL = 0xFFFFFFFFL, CL_DEVICE_TYPE_CPU = 2, CL_DEVICE_TYPE_GPU = 4;
    static final long CL_QUEUE_PROFILING_ENABLE = 1 << 1;
    static final long CL_MEM_READ_WRITE = 1, CL_MEM_ALLOC_HOST_PTR = 1 << 4;
    static final long CL_MAP_WRITE = 1 << 1;
    static final int CL_PROGRAM_BINARY_SIZES = 0x1165, CL_PROGRAM_BINARIES = 0x1166, CL_PROGRAM_BUILD_LOG = 0x1183;
    static final int CL_PROFILING_COMMAND_START = 0x1282, CL_PROFILING_COMMAND_END = 0x1283;
    static final int CL_TRUE = 1, CL_FALSE = 0;

    private static final Object LOCK = new Object();
    private static volatile OpenCl instance;
    private static volatile RuntimeException loadFailure;

    final MethodHandle getPlatformIDs, getPlatformInfo, getDeviceIDs, getDeviceInfo, createContext,
            createCommandQueue, createBuffer, enqueueWriteBuffer, enqueueReadBuffer, enqueueCopyBuffer,
            createProgramWithSource, createProgramWithBinary, buildProgram, getProgramBuildInfo, getProgramInfo,
            createKernel, setKernelArg, enqueueNDRangeKernel, getEventProfilingInfo, waitForEvents, finish,
            releaseMemObject, releaseKernel, releaseProgram, releaseCommandQueue, releaseContext, releaseEvent,
            enqueueMapBuffer, enqueueUnmapMemObject, enqueueBarrierWithWaitList, flush;

    private OpenCl(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        Binder b = new Binder(linker, lib);
        getPlatformIDs = b.fn("clGetPlatformIDs", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        getPlatformInfo = b.fn("clGetPlatformInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        getDeviceIDs = b.fn("clGetDeviceIDs", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        getDeviceInfo = b.fn("clGetDeviceInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        createContext = b.fn("clCreateContext", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        createCommandQueue = b.fn("clCreateCommandQueue", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        createBuffer = b.fn("clCreateBuffer", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS);
        enqueueWriteBuffer = b.fn("clEnqueueWriteBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        enqueueReadBuffer = b.fn("clEnqueueReadBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        enqueueCopyBuffer = b.fn("clEnqueueCopyBuffer", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        createProgramWithSource = b.fn("clCreateProgramWithSource", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        createProgramWithBinary = b.fn("clCreateProgramWithBinary", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS);
        buildProgram = b.fn("clBuildProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        getProgramBuildInfo = b.fn("clGetProgramBuildInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        getProgramInfo = b.fn("clGetProgramInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        createKernel = b.fn("clCreateKernel", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        setKernelArg = b.fn("clSetKernelArg", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
        enqueueNDRangeKernel = b.fn("clEnqueueNDRangeKernel", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        getEventProfilingInfo = b.fn("clGetEventProfilingInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        waitForEvents = b.fn("clWaitForEvents", JAVA_INT, JAVA_INT, ADDRESS);
        finish = b.fn("clFinish", JAVA_INT, ADDRESS);
        releaseMemObject = b.fn("clReleaseMemObject", JAVA_INT, ADDRESS);
        releaseKernel = b.fn("clReleaseKernel", JAVA_INT, ADDRESS);
        releaseProgram = b.fn("clReleaseProgram", JAVA_INT, ADDRESS);
        releaseCommandQueue = b.fn("clReleaseCommandQueue", JAVA_INT, ADDRESS);
        releaseContext = b.fn("clReleaseContext", JAVA_INT, ADDRESS);
        releaseEvent = b.fn("clReleaseEvent", JAVA_INT, ADDRESS);
        enqueueMapBuffer = b.fn("clEnqueueMapBuffer", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        enqueueUnmapMemObject = b.fn("clEnqueueUnmapMemObject", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS,
                ADDRESS);
        enqueueBarrierWithWaitList = b.fn("clEnqueueBarrierWithWaitList", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        flush = b.fn("clFlush", JAVA_INT, ADDRESS);
    }

    /** The bindings; throws {@link OpenClUnavailableException} (every time) when the loader is missing. */
    static OpenCl get() {
        OpenCl cl = instance;
        if (cl != null) {
            return cl;
        }
        synchronized (LOCK) {
            if (instance == null && loadFailure == null) {
                try {
                    instance = new OpenCl(SymbolLookup.libraryLookup("libOpenCL.so.1", Arena.global()));
                } catch (IllegalArgumentException e) {
                    loadFailure = new OpenClUnavailableException("no OpenCL ICD loader (libOpenCL.so.1) on this machine");
                }
            }
            if (loadFailure != null) {
                throw new OpenClUnavailableException(loadFailure.getMessage().substring(0,
                        loadFailure.getMessage().indexOf(';')));
            }
            return instance;
        }
    }

    /** Binds C functions by name; a missing symbol means a loader older than OpenCL 1.2. */
    private record Binder(Linker linker, SymbolLookup lib) {
        MethodHandle fn(String name, MemoryLayout ret, MemoryLayout... args) {
            MemorySegment addr = lib.find(name).orElseThrow(() -> new OpenClUnavailableException(
                    "the OpenCL loader lacks " + name + " (OpenCL 1.2 needed)"));
            return linker.downcallHandle(addr, FunctionDescriptor.of(ret, args));
        }
    }
}

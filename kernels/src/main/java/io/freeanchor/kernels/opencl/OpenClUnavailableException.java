package io.freeanchor.kernels.opencl;

/** No OpenCL loader, platform or device on this machine: the message says how to get one. */
public final class OpenClUnavailableException extends OpenClException {
    static final String HOW_TO_GET_ONE = "install an OpenCL driver (ICD), e.g. on Debian/Ubuntu:"
            + " apt-get install ocl-icd-libopencl1 pocl-opencl-icd (PoCL, a CPU device), or your GPU vendor's OpenCL driver";

    public OpenClUnavailableException(String what) {
        super(what + "; " + HOW_TO_GET_ONE, 0);
    }
}

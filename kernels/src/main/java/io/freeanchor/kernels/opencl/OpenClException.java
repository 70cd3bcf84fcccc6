package io.freeanchor.kernels.opencl;

/** A failed OpenCL call: names the call and the CL_* error; build failures carry the compiler log. */
public class OpenClException extends RuntimeException {
    private final int code;

    public OpenClException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The OpenCL error code (0 when the failure is not one). */
    public int code() {
        return code;
    }
}

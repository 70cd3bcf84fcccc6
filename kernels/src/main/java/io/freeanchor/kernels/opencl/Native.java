package io.freeanchor.kernels.opencl;

import java.lang.invoke.MethodHandle;

/** Invokes a bound OpenCL function, turning Throwable into unchecked exceptions. */
final class Native {
    private Native() {}

    static Object call(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Calls a function returning a cl_int error code and checks it. */
    static void check(MethodHandle h, String name, Object... args) {
        ClErrors.check((int) call(h, args), name);
    }
}

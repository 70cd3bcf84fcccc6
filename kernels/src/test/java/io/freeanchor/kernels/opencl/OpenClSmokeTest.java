package io.freeanchor.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.freeanchor.kernels.BinaryOp;
import io.freeanchor.kernels.Tensor;
import org.junit.jupiter.api.Test;

/** Bindings, listing and error reporting. */
class OpenClSmokeTest {
    @Test
    void listsDevicesWithTheirProperties() {
        ClDevice d = OpenClTestDevice.get();
        assertTrue(d.computeUnits() >= 1, d.describe());
        assertTrue(d.globalMemBytes() > 0, d.describe());
        assertTrue(d.describe().startsWith("opencl:0 "), d.describe());
    }

    @Test
    void addsOnTheDeviceAndCopiesBack() {
        ClDevice d = OpenClTestDevice.get();
        try (OpenClBackend b = new OpenClBackend(d, OpenClBackend.Precision.FP32, null)) {
            Tensor x = Tensor.ofFloats(new int[] {3}, new float[] {1, 2, 3});
            Tensor y = Tensor.ofFloats(new int[] {3}, new float[] {10, 20, 30});
            Tensor z = Tensor.zeros(io.freeanchor.kernels.DType.FLOAT32, new int[] {3});
            b.binary(BinaryOp.ADD, x, y, z);
            assertArrayEquals(new float[] {0, 0, 0}, z.floats(), "results stay on the device until synced");
            b.syncToHost(z);
            assertArrayEquals(new float[] {11, 22, 33}, z.floats());
            x.floats()[0] = 100;
            b.hostWritten(x);
            b.binary(BinaryOp.ADD, x, y, z);
            b.syncToHost(z);
            assertArrayEquals(new float[] {110, 22, 33}, z.floats());
        }
    }

    @Test
    void buildFailureCarriesTheCompilerLog() {
        ClDevice d = OpenClTestDevice.get();
        try (ClContext ctx = new ClContext(d)) {
            OpenClException e = assertThrows(OpenClException.class,
                    () -> ctx.build("broken", "__kernel void k(__global float* x) { x[0] = undefined_name; }", "", "k"));
            assertTrue(e.getMessage().contains("CL_BUILD_PROGRAM_FAILURE"), e.getMessage());
            assertTrue(e.getMessage().contains("undefined_name"), e.getMessage());
        }
    }

    @Test
    void errorsNameTheCallAndTheClCode() {
        ClDevice d = OpenClTestDevice.get();
        try (ClContext ctx = new ClContext(d)) {
            OpenClException e = assertThrows(OpenClException.class, () -> ctx.buffer(Long.MAX_VALUE / 2));
            assertTrue(e.getMessage().startsWith("clCreateBuffer("), e.getMessage());
            assertTrue(e.getMessage().contains("CL_INVALID_BUFFER_SIZE") || e.getMessage().contains("CL_MEM_OBJECT_ALLOCATION_FAILURE"),
                    e.getMessage());
        }
    }
}

package io.freeanchor.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.opencl.OpenClBackend.HalfArithmetic;
import io.freeanchor.kernels.opencl.OpenClBackend.Precision;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Which half arithmetic a backend gets from {@code -Dfreeanchor.opencl.halfArithmetic}, precision and
 * the device's cl_khr_fp16, and the local memory of tiles staged as half. No OpenCL needed.
 */
class HalfArithmeticSelectionTest {
    private static ClDevice device(String extensions, long localMemBytes) {
        return new ClDevice(3, MemorySegment.NULL, MemorySegment.NULL, "platform", "OpenCL 3.0", "gpu", "vendor", "1.0",
                "OpenCL 3.0", "GPU", 8, 1L << 32, 1L << 30, localMemBytes, 1024, extensions);
    }

    private static final ClDevice FP16 = device("cl_khr_fp64 cl_khr_fp16", 65536), NO_FP16 = device("cl_khr_fp64", 65536);

    private static HalfArithmetic select(String property, Precision p, ClDevice d) {
        return OpenClWinogradTest.withProperty(HalfArithmetic.PROPERTY, property, () -> HalfArithmetic.select(p, d));
    }

    @Test
    void fp16PrecisionFollowsTheProperty() {
        assertEquals(HalfArithmetic.NATIVE, select("auto", Precision.FP16, FP16));
        assertEquals(HalfArithmetic.OFF, select("auto", Precision.FP16, NO_FP16));
        assertEquals(HalfArithmetic.NATIVE, select("ON", Precision.FP16, FP16));
        assertEquals(HalfArithmetic.OFF, select("off", Precision.FP16, FP16));
        assertEquals(HalfArithmetic.EMULATED, select("emulate", Precision.FP16, FP16));
        assertEquals(HalfArithmetic.EMULATED, select("emulate", Precision.FP16, NO_FP16));
        IllegalArgumentException on = assertThrows(IllegalArgumentException.class, () -> select("on", Precision.FP16, NO_FP16));
        assertEquals("-Dfreeanchor.opencl.halfArithmetic=on, but OpenCL device 3 (gpu) has no cl_khr_fp16;"
                + " use auto, off or emulate", on.getMessage());
    }

    @Test
    void fp32NeverComputesInHalf() {
        for (String v : new String[] {"auto", "on", "off", "emulate"}) {
            assertEquals(HalfArithmetic.OFF, select(v, Precision.FP32, FP16), v);
        }
        assertEquals(HalfArithmetic.OFF, select("on", Precision.FP32, NO_FP16));
    }

    @Test
    void badValuesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> select("yes", Precision.FP32, FP16));
        assertEquals("-Dfreeanchor.opencl.halfArithmetic must be auto, on, off or emulate, got 'yes'", e.getMessage());
    }

    @Test
    void halfTilesTakeHalfTheLocalMemory() {
        TileConfig c = new TileConfig(64, 32, 16, 4, 2, true);
        assertEquals((64 + 32) * 16 * 4, c.localMemBytes(false));
        assertEquals((64 + 32) * 16 * 2, c.localMemBytes(true));
        assertEquals(0, new TileConfig(16, 64, 1, 2, 4, false).localMemBytes(true));
        ClDevice small = device("cl_khr_fp16", 3072);
        assertFalse(c.fits(small, false));
        assertTrue(c.fits(small, true));
        // The GPU default stages (64 + 64) * 8 operands: 4096 bytes in FP32, 2048 in half.
        assertEquals(new TileConfig(64, 64, 8, 4, 4, true), TileConfig.defaultFor(small, true));
        assertEquals(new TileConfig(16, 64, 1, 2, 4, false), TileConfig.defaultFor(small, false));
    }
}

package io.freeanchor.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MachinePeakTest {
    private static List<String> cpu(String vendor, int family, int model, String mhz, String flags) {
        return List.of("processor\t: 0", "vendor_id\t: " + vendor, "cpu family\t: " + family, "model\t\t: " + model,
                "model name\t: test", "cpu MHz\t\t: " + mhz, "flags\t\t: fpu sse avx2 fma" + flags);
    }

    @Test
    void zen2IsTwo256BitFmaPipes() {
        MachinePeak.Estimate e = MachinePeak.estimate(cpu("AuthenticAMD", 23, 0x31, "2000.000", ""), 2);
        assertEquals(2 * 32 * 2.0, e.gflops(), 1e-9); // 2 cores x (2 pipes x 8 lanes x 2) x 2 GHz
        assertTrue(e.formula().contains("2 cores x 32 FLOP/cycle"), e.formula());
    }

    @Test
    void zen1IsTwo128BitPipesAndZen5Two512Bit() {
        assertEquals(1 * 16 * 3.0, MachinePeak.estimate(cpu("AuthenticAMD", 23, 1, "3000.0", ""), 1).gflops(), 1e-9);
        assertEquals(2 * 64 * 2.5, MachinePeak.estimate(cpu("AuthenticAMD", 26, 0x44, "2500.0", " avx512f"), 2).gflops(), 1e-9);
    }

    @Test
    void unknownCpusGiveNoEstimate() {
        assertNull(MachinePeak.estimate(cpu("GenuineIntel", 6, 143, "2000.0", " avx512f"), 2));
        assertNull(MachinePeak.estimate(List.of("processor\t: 0"), 2));
    }
}

package io.freeanchor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The theoretical FP32 peak from /proc/cpuinfo: cores x FMA pipes x lanes x 2 x clock. x86 reports
 * neither the FMA pipe count nor its width, so they come from the CPU family (AMD only, where we know
 * them); the clock is the reported "cpu MHz", which under a hypervisor is the nominal one, not boost.
 * Returns null where the CPU is not one we know.
 */
final class MachinePeak {
    /** The estimate and the formula that gave it, in words. */
    record Estimate(double gflops, String formula) {}

    private MachinePeak() {}

    static Estimate theoretical(int threads) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return estimate(lines, Math.min(threads, Runtime.getRuntime().availableProcessors()));
    }

    /** The estimate for {@code cores} cores of the CPU described by /proc/cpuinfo's lines; null if unknown. */
    static Estimate estimate(List<String> lines, int cores) {
        String vendor = field(lines, "vendor_id"), family = field(lines, "cpu family"), model = field(lines, "model");
        String mhz = field(lines, "cpu MHz");
        if (vendor == null || family == null || model == null || mhz == null || !vendor.equals("AuthenticAMD")) {
            return null;
        }
        int fam = Integer.parseInt(family), mod = Integer.parseInt(model);
        boolean avx512 = lines.stream().anyMatch(l -> l.startsWith("flags") && l.contains(" avx512f"));
        // FP32 FLOP per cycle per core = FMA pipes x lanes x 2.
        int flopPerCycle;
        String micro;
        if (fam == 23 && mod < 0x30) {
            flopPerCycle = 2 * 4 * 2; micro = "Zen/Zen+ (2 FMA pipes x 128 bit)";
        } else if (fam == 23 || fam == 25 && !avx512) {
            flopPerCycle = 2 * 8 * 2; micro = "Zen 2/3 (2 FMA pipes x 256 bit)";
        } else if (fam == 25) {
            flopPerCycle = 2 * 8 * 2; micro = "Zen 4 (2 FMA pipes x 256 bit; AVX-512 double-pumped)";
        } else if (fam == 26 && avx512) {
            flopPerCycle = 2 * 16 * 2; micro = "Zen 5 (2 FMA pipes x 512 bit)";
        } else {
            return null;
        }
        double ghz = Double.parseDouble(mhz) / 1000;
        double gflops = cores * flopPerCycle * ghz;
        return new Estimate(gflops, String.format(Locale.ROOT,
                "%d cores x %d FLOP/cycle [%s, family %d model %d as reported] x %.2f GHz (reported clock) = %.1f GFLOP/s",
                cores, flopPerCycle, micro, fam, mod, ghz, gflops));
    }

    private static String field(List<String> lines, String key) {
        for (String l : lines) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).trim().equals(key)) {
                return l.substring(colon + 1).trim();
            }
        }
        return null;
    }
}

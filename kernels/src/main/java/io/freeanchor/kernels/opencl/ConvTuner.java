package io.freeanchor.kernels.opencl;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Picks the implicit-GEMM tile configuration per convolution shape: on the first call of a shape it
 * times every candidate that fits the device (one profiled run on the first image after a warm-up;
 * convolutions under {@link #MIN_TUNED_FLOPS} per image just take the default) and keeps
 * the fastest, in memory and on disk next to the program binaries ({@code tune-<key>.properties},
 * keyed like them by device, driver, precision and source hash). A forced configuration (tests,
 * benchmarks, or {@code -Dfreeanchor.opencl.tune=false}, which forces the first candidate) skips it (tuning off: {@link TileConfig#defaultFor}).
 */
final class ConvTuner {
    /**
     * Launches the convolution with one kernel; timed runs cover the first image only (cheaper tuning)
     * and return the device time in ns, untimed ones the whole batch and return 0.
     */
    interface Launch {
        long run(ClKernel kernel, TileConfig config, boolean timed);
    }

    /** Convolutions below this many flops per image are not worth tuning: they use the default. */
    static final double MIN_TUNED_FLOPS = 2e8;

    private final ClContext ctx;
    private final String source;
    private final String baseOptions;
    private final TileConfig forced;
    private final Map<TileConfig, ClKernel> kernels = new HashMap<>();
    private final Map<String, TileConfig> chosen = new TreeMap<>();
    private final Path file;

    ConvTuner(ClContext ctx, String source, String baseOptions, TileConfig forced) {
        this.ctx = ctx;
        this.source = source;
        this.baseOptions = baseOptions;
        boolean tuningOff = "false".equals(System.getProperty("freeanchor.opencl.tune"));
        this.forced = forced != null ? forced : tuningOff ? TileConfig.defaultFor(ctx.device()) : null;
        this.file = ProgramCache.cacheDir().resolve("tune-" + ProgramCache.key(ctx.device(), source, baseOptions) + ".properties");
        load();
    }

    /** The kernel of one configuration, built on first use. */
    ClKernel kernel(TileConfig c) {
        return kernels.computeIfAbsent(c, k -> ctx.build("conv_gemm " + k.id(), source, baseOptions + " " + k.options(),
                "conv_gemm").getFirst());
    }

    /** Runs the convolution of the given shape with its tuned configuration (tuning it first if new). */
    void run(String shapeKey, double flopsPerImage, Launch launch) {
        TileConfig c = forced != null ? forced : chosen.get(shapeKey);
        if (c == null && flopsPerImage < MIN_TUNED_FLOPS) {
            c = TileConfig.defaultFor(ctx.device());
        }
        if (c == null) {
            c = tune(launch);
            chosen.put(shapeKey, c);
            save();
        }
        launch.run(kernel(c), c, false);
    }

    private TileConfig tune(Launch launch) {
        TileConfig best = null;
        long bestNs = Long.MAX_VALUE;
        for (TileConfig c : TileConfig.CANDIDATES) {
            if (!c.fits(ctx.device())) {
                continue;
            }
            ClKernel k = kernel(c);
            launch.run(k, c, true); // warm-up
            long ns = launch.run(k, c, true);
            if (ns < bestNs) {
                bestNs = ns;
                best = c;
            }
        }
        if (best == null) {
            throw new OpenClException("no convolution tile configuration fits device " + ctx.device().name()
                    + " (work-group size " + ctx.device().maxWorkGroupSize() + ", local memory "
                    + ctx.device().localMemBytes() + " bytes)", 0);
        }
        return best;
    }

    /** Tuned shapes so far, shape key to configuration id (for reports). */
    Map<String, String> choices() {
        Map<String, String> out = new TreeMap<>();
        chosen.forEach((k, v) -> out.put(k, v.id()));
        return out;
    }

    private void load() {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            for (String k : p.stringPropertyNames()) {
                TileConfig c = TileConfig.parse(p.getProperty(k));
                if (TileConfig.CANDIDATES.contains(c)) {
                    chosen.put(k, c);
                }
            }
        } catch (IOException | RuntimeException e) {
            chosen.clear(); // a damaged file is re-tuned
        }
    }

    private void save() {
        try {
            Properties p = new Properties();
            chosen.forEach((k, v) -> p.setProperty(k, v.id()));
            StringWriter w = new StringWriter();
            p.store(w, "conv tile configurations for " + ctx.device().cacheKey());
            ProgramCache.writeAtomically(file, w.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // tuning results only save time
        }
    }
}

package io.freeanchor.kernels.opencl;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Picks how to run each convolution shape: the implicit-GEMM kernel with one of the tile
 * configurations, or, for the shapes {@link ClWinograd#eligible} accepts, Winograd F(2x2,3x3) with
 * one of the same configurations for its batched GEMM. On the first call of a shape it times every
 * candidate that fits the device (one profiled run on the first image after a warm-up; Winograd's
 * time is its three launches, its one-off filter transform excluded; convolutions under
 * {@link #MIN_TUNED_FLOPS} per image just take the default GEMM) and keeps the fastest, in memory and
 * on disk next to the program binaries ({@code tune-<key>.properties}, keyed like them by device,
 * driver, source hash and build options, which carry precision and half arithmetic; Winograd
 * choices are written {@code winograd:<tiles>}).
 *
 * <p>The GEMM kernel is built with the backend's {@link OpenClBackend.HalfArithmetic} ({@code
 * -DHALF_ARITH}, part of the key, so each mode has its own choices); Winograd keeps FP32 arithmetic
 * on FP32 scratch. With half arithmetic the tuner therefore compares Winograd in FP32 with GEMM in
 * half by time alone: both are within the FP16 tolerance, and the faster one wins.
 *
 * <p>A forced configuration (tests, benchmarks, or {@code -Dfreeanchor.opencl.tune=false}, which
 * forces {@link TileConfig#defaultFor}) skips tuning and runs GEMM. {@code
 * -Dfreeanchor.opencl.winograd=on} runs every eligible shape as Winograd (forced or default tiles,
 * untuned), {@code off} never does (shapes are then tuned over GEMM only, under their own key so the
 * auto choices stay), {@code auto} (default) lets the timing decide.
 */
final class ConvTuner {
    /**
     * Launches the convolution with one kernel; timed runs cover the first image only (cheaper tuning)
     * and return the device time in ns, untimed ones the whole batch and return 0.
     */
    interface Launch {
        long run(ClKernel kernel, TileConfig config, boolean timed);
    }

    /** A way to run one shape: GEMM or Winograd, with a tile configuration. */
    record Choice(boolean winograd, TileConfig tiles) {
        private static final String WINOGRAD = "winograd:";

        String id() {
            return (winograd ? WINOGRAD : "") + tiles.id();
        }

        static Choice parse(String id) {
            boolean w = id.startsWith(WINOGRAD);
            return new Choice(w, TileConfig.parse(w ? id.substring(WINOGRAD.length()) : id));
        }
    }

    /** Convolutions below this many flops per image are not worth tuning: they use the default. */
    static final double MIN_TUNED_FLOPS = 2e8;

    private final ClContext ctx;
    private final String source;
    private final String baseOptions;
    private final TileConfig forced;
    private final boolean halfTiles;
    private final ClWinograd.Mode winogradMode;
    private final Map<TileConfig, List<ClKernel>> kernels = new HashMap<>();
    private final Map<String, Choice> chosen = new TreeMap<>();
    private final Map<String, Map<String, Long>> timings = new TreeMap<>();
    private final Path file;
    /** How the latest {@link #run} ran its convolution. */
    private Choice last;

    /** @param options the program's options; the half arithmetic's -DHALF_ARITH is added here */
    ConvTuner(ClContext ctx, String source, String options, OpenClBackend.HalfArithmetic half, TileConfig forced) {
        this.ctx = ctx;
        this.source = source;
        this.baseOptions = options + " -DHALF_ARITH=" + half.option();
        this.halfTiles = half != OpenClBackend.HalfArithmetic.OFF;
        boolean tuningOff = "false".equals(System.getProperty("freeanchor.opencl.tune"));
        this.forced = forced != null ? forced : tuningOff ? TileConfig.defaultFor(ctx.device(), halfTiles) : null;
        this.winogradMode = ClWinograd.Mode.fromProperty();
        this.file = ProgramCache.cacheDir().resolve("tune-" + ProgramCache.key(ctx.device(), source, baseOptions) + ".properties");
        load();
    }

    /** The GEMM (index 0) and Winograd batched-GEMM (1) kernels of one configuration, built on first use. */
    private ClKernel kernel(TileConfig c, boolean winograd) {
        return kernels.computeIfAbsent(c, k -> ctx.build("conv_gemm " + k.id(), source, baseOptions + " " + k.options(),
                "conv_gemm", "wino_gemm")).get(winograd ? 1 : 0);
    }

    /**
     * Runs the convolution of the given shape the way chosen for it (tuning it first if new).
     *
     * @param winograd its Winograd launch, or null when the shape is not eligible
     */
    void run(String shapeKey, double flopsPerImage, Launch gemm, Launch winograd) {
        Choice c = choose(shapeKey, flopsPerImage, gemm, winograd);
        last = c;
        (c.winograd() ? winograd : gemm).run(kernel(c.tiles(), c.winograd()), c.tiles(), false);
    }

    /** How the latest convolution ran (a choice id as in {@link #choices}), or null before the first. */
    String lastChoice() {
        return last == null ? null : last.id();
    }

    private Choice choose(String shapeKey, double flopsPerImage, Launch gemm, Launch winograd) {
        boolean eligible = winograd != null && winogradMode != ClWinograd.Mode.OFF;
        if (eligible && winogradMode == ClWinograd.Mode.ON) {
            return new Choice(true, forced != null ? forced : TileConfig.defaultFor(ctx.device(), false));
        }
        if (forced != null) {
            return new Choice(false, forced);
        }
        String key = winograd != null && !eligible ? "gemm-only " + shapeKey : shapeKey;
        Choice c = chosen.get(key);
        if (c != null && (!c.winograd() || eligible)) {
            return c;
        }
        if (flopsPerImage < MIN_TUNED_FLOPS) {
            return new Choice(false, TileConfig.defaultFor(ctx.device(), halfTiles));
        }
        c = tune(key, gemm, eligible ? winograd : null);
        chosen.put(key, c);
        save();
        return c;
    }

    private Choice tune(String key, Launch gemm, Launch winograd) {
        Choice best = null;
        long bestNs = Long.MAX_VALUE;
        Map<String, Long> times = new TreeMap<>();
        for (boolean w : winograd == null ? new boolean[] {false} : new boolean[] {false, true}) {
            Launch launch = w ? winograd : gemm;
            for (TileConfig c : TileConfig.CANDIDATES) {
                if (!c.fits(ctx.device(), halfTiles && !w)) { // Winograd's GEMM stages FP32
                    continue;
                }
                ClKernel k = kernel(c, w);
                launch.run(k, c, true); // warm-up (and Winograd's filter transform)
                long ns = launch.run(k, c, true);
                Choice choice = new Choice(w, c);
                times.put(choice.id(), ns);
                if (ns < bestNs) {
                    bestNs = ns;
                    best = choice;
                }
            }
        }
        if (best == null) {
            throw new OpenClException("no convolution tile configuration fits device " + ctx.device().name()
                    + " (work-group size " + ctx.device().maxWorkGroupSize() + ", local memory "
                    + ctx.device().localMemBytes() + " bytes)", 0);
        }
        timings.put(key, times);
        return best;
    }

    /** The tuning file of this device, source and build options. */
    Path file() {
        return file;
    }

    /** Device ns per candidate id of the shapes tuned by this instance (for tests and reports). */
    Map<String, Map<String, Long>> timings() {
        return timings;
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
                Choice c = Choice.parse(p.getProperty(k));
                if (TileConfig.CANDIDATES.contains(c.tiles())) {
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

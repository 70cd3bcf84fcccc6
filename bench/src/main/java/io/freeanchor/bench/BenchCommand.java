package io.freeanchor.bench;

import io.freeanchor.eval.cli.BackendOptions;
import io.freeanchor.eval.cli.Main;
import io.freeanchor.eval.cli.ShapeArgs;
import io.freeanchor.eval.cli.UserInputException;
import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.HalfStorageBackend;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.network.Network;
import io.freeanchor.network.Plan;
import io.freeanchor.network.PlanOptions;
import io.freeanchor.network.Planner;
import io.freeanchor.onnx.Dim;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import io.freeanchor.onnx.ValueInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code freeanchor bench}: times the whole network on a seeded random input, with per-op-type time
 * shares, and optionally ONNX Runtime on the same input in the same process. Lives in the bench module
 * because ONNX Runtime must not be a dependency of the CLI proper; the launcher dispatches here.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time the model: warm-up runs, then timed runs on a seeded random input; prints time shares per op type"
                + " and, last, 'median <seconds> s per batch of <N>'.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "ONNX model file.")
    Path model;

    @Option(names = "--input-shape", paramLabel = "NAME=N,C,H,W",
            description = "Input shape; repeat per input. Default: the declared shape, a symbolic batch taken as 1.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--batch", paramLabel = "N", description = "Batch size: overrides the first dimension of every input.")
    Integer batch;

    @Option(names = "--runs", paramLabel = "R", defaultValue = "10", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "2", description = "Untimed warm-up runs (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the random input (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--compare-ort",
            description = "Also time ONNX Runtime (CPU, all graph optimizations, same intra-op threads, 1 inter-op thread)"
                    + " on the same input, alternating run by run with ours; print its median, the ratio and the largest"
                    + " output difference.")
    boolean compareOrt;

    @Option(names = "--heap-steps",
            description = "Before the timed runs, one more run that forces a full garbage collection after every step,"
                    + " so that the heap line's live peak covers every step boundary (slow: a collection per step).")
    boolean heapSteps;

    @Mixin
    BackendOptions backendOptions;

    public static void main(String[] args) {
        Main.exitWith(BenchCommand::execute, args);
    }

    /** Runs the command with the given streams; returns the exit code (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + e.getMessage() + " (see 'freeanchor bench --help')");
            return Main.EXIT_BAD_INPUT;
        });
        return Main.execute(cli, args, out, err);
    }

    @Override
    public Integer call() {
        if (runs < 1) {
            throw new UserInputException("--runs must be >= 1, got " + runs);
        }
        if (warmup < 0) {
            throw new UserInputException("--warmup must be >= 0, got " + warmup);
        }
        if (batch != null && batch < 1) {
            throw new UserInputException("--batch must be >= 1, got " + batch);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (HeapWatch heap = new HeapWatch()) {
            return bench(out, heap);
        }
    }

    private int bench(PrintWriter out, HeapWatch heap) {
        heap.stage("planning");
        OnnxModel m = OnnxLoader.load(model);
        Map<String, int[]> shapes = inputShapes(m);
        Plan plan = Planner.plan(m, shapes, PlanOptions.defaults());
        Map<String, Tensor> feeds = randomInputs(plan, seed);
        int n = shapes.values().iterator().next()[0];
        int threads = backendOptions.threadCount();
        heap.checkpoint("planned");

        try (Backend backend = backendOptions.open();
             OrtRunner ort = compareOrt ? OrtRunner.open(model.toAbsolutePath().toString(), null, threads) : null) {
            heap.stage("binding");
            Network net = Network.bind(plan, backend);
            heap.checkpoint("bound");
            heap.stage("running");
            out.printf("model      %s%n", model);
            feeds.forEach((k, v) -> out.printf("input      %s %s, seed %d (standard normal)%n", k, Arrays.toString(v.shape()), seed));
            out.printf("backend    %s, %d threads; %d warm-up and %d timed runs%n", backend.name(), backend.threads(), warmup, runs);
            out.printf(Locale.ROOT, "work       %.1f GMAC per batch%n", plan.totalMacs() / 1e9);
            if (ort != null) {
                out.printf("onnxruntime CPU, all graph optimizations, %d intra-op threads, 1 inter-op, sequential;"
                        + " timed runs alternate with ours%n", threads);
                ort.feed(feeds);
            }
            out.flush();

            Map<String, ConvShape> convs = ConvShapes.byStep(plan);
            Map<String, Long> macs = new HashMap<>();
            plan.stepInfos().forEach(s -> macs.put(s.name(), s.step().macs()));
            StepProfile profile = new StepProfile(convs, macs);
            double maxRelDiff = Double.NaN;
            for (int i = 0; i < warmup; i++) {
                Map<String, Tensor> ours = net.run(feeds);
                if (ort != null) {
                    if (i == 0) {
                        maxRelDiff = compare(heap, ort, ours);
                    } else {
                        ort.runDiscarding();
                    }
                }
            }
            if (heapSteps) {
                heap.stage("running, a full collection after every step");
                java.lang.ref.Reference.reachabilityFence(net.run(feeds, (name, op, nanos) -> heap.checkpoint("after step " + name)));
                heap.stage("running");
            }
            Map<String, Tensor> last = null;
            double[] ourSeconds = new double[runs];
            double[] ortSeconds = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                Map<String, Tensor> ours = net.run(feeds, profile);
                ourSeconds[i] = (System.nanoTime() - t0) / 1e9;
                last = ours;
                profile.runDone();
                if (ort != null) {
                    if (Double.isNaN(maxRelDiff)) { // no warm-up: compare on the first timed run, untimed
                        maxRelDiff = compare(heap, ort, ours);
                    }
                    long t1 = System.nanoTime();
                    ort.runDiscarding();
                    ortSeconds[i] = (System.nanoTime() - t1) / 1e9;
                }
            }
            heap.checkpoint("ran, outputs held");
            java.lang.ref.Reference.reachabilityFence(last);
            printProfile(out, profile);
            double median = median(ourSeconds);
            out.printf(Locale.ROOT, "ours       runs %s s; median %.4f s, %.1f GFLOP/s%n", list(ourSeconds), median,
                    2.0 * plan.totalMacs() / median / 1e9);
            if (ort != null) {
                double ortMedian = median(ortSeconds);
                out.printf(Locale.ROOT, "onnxruntime runs %s s; median %.4f s, %.1f GFLOP/s%n", list(ortSeconds), ortMedian,
                        2.0 * plan.totalMacs() / ortMedian / 1e9);
                out.printf(Locale.ROOT, "ratio ours/onnxruntime %.3f%n", median / ortMedian);
                out.printf(Locale.ROOT, "max relative difference of outputs (max|ours - ort| / max|ort|, worst output) %.3e%n", maxRelDiff);
            }
            printMemory(out, plan, net, backend, heap);
            out.printf(Locale.ROOT, "median %.4f s per batch of %d%n", median, n);
        }
        return 0;
    }

    /** --input-shape, else the declared shapes with a symbolic batch as 1; then --batch on dimension 0. */
    private Map<String, int[]> inputShapes(OnnxModel m) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        ShapeArgs.pairs(inputShapes, "--input-shape").forEach((k, v) -> shapes.put(k, ShapeArgs.shape(v, "--input-shape " + k)));
        for (ValueInfo in : m.graph().inputs()) {
            if (!shapes.containsKey(in.name())) {
                int[] s = declaredShape(in);
                if (s == null) {
                    throw new UserInputException("input '" + in.name() + "' " + in + " has no fixed shape; give --input-shape "
                            + in.name() + "=N,C,H,W");
                }
                shapes.put(in.name(), s);
            }
        }
        for (String name : shapes.keySet()) {
            if (m.graph().inputs().stream().noneMatch(v -> v.name().equals(name))) {
                throw new UserInputException("--input-shape " + name + ": the model has no input of that name (inputs: "
                        + m.graph().inputs().stream().map(ValueInfo::name).toList() + ")");
            }
        }
        if (shapes.isEmpty()) {
            throw new UserInputException("the model has no inputs to benchmark");
        }
        if (batch != null) {
            shapes.values().forEach(s -> s[0] = batch);
        }
        return shapes;
    }

    private static int[] declaredShape(ValueInfo in) {
        if (in.shape() == null || in.shape().isEmpty()) {
            return null;
        }
        int[] s = new int[in.shape().size()];
        for (int i = 0; i < s.length; i++) {
            Dim d = in.shape().get(i);
            if (d instanceof Dim.Fixed f && f.size() >= 1 && f.size() <= Integer.MAX_VALUE) {
                s[i] = (int) f.size();
            } else if (i == 0) {
                s[i] = 1;
            } else {
                return null;
            }
        }
        return s;
    }

    /** Standard-normal float32 inputs (like a normalized image), the same for a given seed. */
    static Map<String, Tensor> randomInputs(Plan plan, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        plan.inputs().forEach((name, type) -> {
            if (type.dtype() != DType.FLOAT32) {
                throw new UserInputException("input '" + name + "' is " + type + "; bench feeds random float32 inputs only");
            }
            int[] shape = type.shape();
            float[] v = new float[Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, Math::multiplyExact))];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
            }
            feeds.put(name, Tensor.ofFloats(shape, v));
        });
        return feeds;
    }

    /** max over outputs of max|ours - theirs| / max|theirs|; outputs matched by name. */
    static double maxRelativeDifference(Map<String, Tensor> ours, Map<String, Tensor> theirs) {
        double worst = 0;
        for (Map.Entry<String, Tensor> e : theirs.entrySet()) {
            Tensor a = ours.get(e.getKey());
            Tensor b = e.getValue();
            if (a == null || !Arrays.equals(a.shape(), b.shape())) {
                throw new IllegalStateException("output '" + e.getKey() + "': ours " + a + ", onnxruntime " + b);
            }
            float[] x = a.floats(), y = b.floats();
            double maxDiff = 0, maxRef = 0;
            for (int i = 0; i < b.size(); i++) {
                maxDiff = Math.max(maxDiff, Math.abs((double) x[i] - y[i]));
                maxRef = Math.max(maxRef, Math.abs((double) y[i]));
            }
            worst = Math.max(worst, maxRef == 0 ? maxDiff : maxDiff / maxRef);
        }
        return worst;
    }

    private static void printProfile(PrintWriter out, StepProfile p) {
        int r = p.runs();
        double total = p.totalNanos();
        out.println("time by op type (ours, mean per run)");
        out.printf("  %-22s %6s %10s %7s %9s%n", "op type", "steps", "ms", "share", "GFLOP/s");
        p.byOpType().entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().nanos, a.getValue().nanos))
                .forEach(e -> printGroup(out, e.getKey(), e.getValue(), r, total));
        if (!p.byConvClass().isEmpty()) {
            out.println("convolutions by layer class (kernel/stride)");
            p.byConvClass().entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue().nanos, a.getValue().nanos))
                    .forEach(e -> printGroup(out, e.getKey(), e.getValue(), r, total));
        }
    }

    private static void printGroup(PrintWriter out, String name, StepProfile.Group g, int runs, double totalNanos) {
        double ms = g.nanos / 1e6 / runs;
        String gflops = g.macsPerRun == 0 ? "" : String.format(Locale.ROOT, " %9.1f", 2.0 * g.macsPerRun / (ms * 1e6));
        out.printf(Locale.ROOT, "  %-22s %6d %10.2f %6.1f%%%s%n", name, g.stepsSeen / runs, ms, 100.0 * g.nanos / totalNanos, gflops);
    }

    /** The outputs' largest difference from ORT's (written to native memory), counting the heap there too. */
    private static double compare(HeapWatch heap, OrtRunner ort, Map<String, Tensor> ours) {
        heap.stage("compared with onnxruntime");
        double diff = ort.maxRelativeDifference(ours);
        heap.checkpoint("compared with onnxruntime, outputs held");
        heap.stage("running");
        return diff;
    }

    /**
     * The plan's activation peak and weights, then the heap's live peak (see {@link HeapWatch}) next
     * to the bound the issue sets: twice the activation plan's peak plus the weights. ONNX Runtime's
     * memory is native, in neither.
     */
    private static void printMemory(PrintWriter out, Plan plan, Network net, Backend backend, HeapWatch heap) {
        double mib = 1048576.0;
        long weights = plan.constantBytes();
        long bound = 2 * (plan.memory().peakBytes() + weights);
        // The activation buffers as the network allocated them: half-size with --precision fp16 on java.
        String scratch = backend instanceof HalfStorageBackend h
                ? String.format(Locale.ROOT, " (fp16 storage; + %.1f MiB of fp32 conversion scratch)", h.scratchBytes() / mib) : "";
        out.printf(Locale.ROOT, "memory     activation buffers %.1f MiB%s + outputs %.1f MiB, weights %.1f MiB"
                        + " (the network keeps %.1f MiB of them raw, the backend the prepared conv weights)%n",
                net.activationBytes() / mib, scratch, plan.memory().outputBytes() / mib, weights / mib,
                net.retainedConstantBytes() / mib);
        long peak = heap.peakBytes();
        out.printf(Locale.ROOT, "heap       peak %.1f MiB live (largest heap occupancy right after a full garbage collection, at: %s);"
                        + " bound 2 x (plan peak + weights) = %.1f MiB: %s; after young collections <= %.1f MiB (dead objects"
                        + " promoted to the old generation included); heap filled, garbage included, <= %.1f MiB;"
                        + " max heap %.1f MiB%n",
                peak / mib, heap.peakStage(), bound / mib, peak <= bound ? "within" : "OVER", heap.afterYoungBytes() / mib,
                HeapWatch.poolPeakBytes() / mib, Runtime.getRuntime().maxMemory() / mib);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int k = s.length / 2;
        return s.length % 2 == 1 ? s[k] : (s[k - 1] + s[k]) / 2;
    }

    private static String list(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.4f", d));
        }
        return sb.toString();
    }
}

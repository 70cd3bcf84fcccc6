package io.freeanchor.bench;

import io.freeanchor.eval.cli.Main;
import io.freeanchor.eval.cli.UserInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs {@link PeakFlops} and {@link ConvShapesBenchmark} through JMH's Runner API for every distinct
 * conv shape of a model's plan and prints one table: shape, count in the model, share of the model's
 * conv FLOPs, ms, GFLOP/s and % of the measured peak (and ONNX Runtime's ms and our ratio with
 * {@code --compare-ort}), then the same summed per layer class.
 */
@Command(name = "ConvReport", mixinStandardHelpOptions = true,
        description = "Per-conv-shape JMH benchmark of a model's convolutions, with GFLOP/s next to the machine's peak.")
public final class ConvReport implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "fixtures-full/model_dynamic.onnx", paramLabel = "M.onnx",
            description = "Model whose conv shapes are benchmarked (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--input-shape", defaultValue = "input=1,3,800,1344", paramLabel = "NAME=N,C,H,W",
            description = "Input shape to plan for; repeat per input (default: ${DEFAULT-VALUE}).")
    List<String> inputShapes;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all cores).")
    Integer threads;

    @Option(names = "--impl", defaultValue = "java", paramLabel = "DEVICE", description = "Our backend (default: ${DEFAULT-VALUE}).")
    String impl;

    @Option(names = "--compare-ort", description = "Also run each shape as a one-layer Conv+Relu model in ONNX Runtime.")
    boolean compareOrt;

    @Option(names = "--shapes", paramLabel = "REGEX", description = "Only shape tokens matching this (e.g. 'k3s1').")
    String shapeFilter;

    @Option(names = "--quick", description = "1 warm-up and 2 measured iterations of 1 s (default: 2 and 3 of 2 s).")
    boolean quick;

    private PrintWriter out;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        ConvReport report = new ConvReport();
        report.out = out;
        CommandLine cli = new CommandLine(report);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> Main.handle(e, err));
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + e.getMessage() + " (see ConvReport --help)");
            return Main.EXIT_BAD_INPUT;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    @Override
    public Integer call() throws RunnerException {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new UserInputException("--threads must be >= 1, got " + t);
        }
        List<ConvShapes.Entry> entries = ConvShapes.distinct(ConvShapeLister.plan(model, inputShapes));
        if (shapeFilter != null) {
            Pattern p;
            try {
                p = Pattern.compile(shapeFilter);
            } catch (PatternSyntaxException e) {
                throw new UserInputException("--shapes: not a regular expression: " + e.getDescription());
            }
            entries = entries.stream().filter(e -> p.matcher(e.shape().token()).find()).toList();
            if (entries.isEmpty()) {
                throw new UserInputException("--shapes '" + shapeFilter + "' matches none of the model's conv shapes");
            }
        }
        out.printf("model %s at %s, %d threads, %d distinct conv shapes%n", model, String.join(" ", inputShapes), t, entries.size());

        double peak = measuredPeak(t);
        out.printf(Locale.ROOT, "measured peak: %.1f GFLOP/s (PeakFlops: register-only %d-lane FloatVector FMA loop, %d accumulators, %d threads)%n",
                peak, PeakFlops.SPECIES.length(), PeakFlops.ACCUMULATORS, t);
        MachinePeak.Estimate theory = MachinePeak.theoretical(t);
        out.println("theoretical peak: " + (theory == null ? "unknown for this CPU" : theory.formula()));
        out.flush();

        Map<String, Double> ours = new LinkedHashMap<>(), theirs = new LinkedHashMap<>();
        for (ConvShapes.Entry e : entries) {
            ours.put(e.shape().token(), convMillis(e.shape(), impl, t));
            if (compareOrt) {
                theirs.put(e.shape().token(), convMillis(e.shape(), ConvShapesBenchmark.ORT, t));
            }
            out.printf(Locale.ROOT, "  measured %s: %.3f ms%s%n", e.shape().token(), ours.get(e.shape().token()),
                    compareOrt ? String.format(Locale.ROOT, " (onnxruntime %.3f ms)", theirs.get(e.shape().token())) : "");
            out.flush();
        }
        printTable(entries, ours, theirs, peak);
        return 0;
    }

    private ChainedOptionsBuilder options(String benchmark) {
        ChainedOptionsBuilder o = new OptionsBuilder().include(Pattern.quote(benchmark)).verbosity(VerboseMode.SILENT).forks(1);
        return quick ? o.warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(2).measurementTime(TimeValue.seconds(1)) : o;
    }

    private double measuredPeak(int t) throws RunnerException {
        RunResult r = new Runner(options(PeakFlops.class.getName() + ".fma").threads(t).build()).runSingle();
        double microsPerInvocation = r.getPrimaryResult().getScore();
        return t * PeakFlops.flopsPerInvocation() / (microsPerInvocation * 1e-6) / 1e9;
    }

    private double convMillis(ConvShape s, String implName, int t) throws RunnerException {
        RunResult r = new Runner(options(ConvShapesBenchmark.class.getName() + ".conv")
                .param("shape", s.token()).param("impl", implName).param("threads", Integer.toString(t)).build()).runSingle();
        return r.getPrimaryResult().getScore();
    }

    private void printTable(List<ConvShapes.Entry> entries, Map<String, Double> ours, Map<String, Double> theirs, double peak) {
        double convFlops = entries.stream().mapToDouble(e -> e.shape().flops() * e.count()).sum();
        boolean ort = !theirs.isEmpty();
        String header = String.format("%-28s %-7s %5s %7s %9s %8s %7s", "shape", "class", "count", "FLOPs", "ms", "GFLOP/s", "% peak")
                + (ort ? String.format(" %9s %8s", "ORT ms", "ours/ORT") : "");
        out.println();
        out.println("per shape (" + impl + "; FLOPs = share of the listed convolutions' FLOPs in the model)");
        out.println(header);
        Map<String, double[]> byClass = new TreeMap<>(); // class -> {count, flops, ourMs, ortMs}
        for (ConvShapes.Entry e : entries) {
            String k = e.shape().token();
            double ms = ours.get(k), gflops = e.shape().flops() / (ms * 1e6);
            out.printf(Locale.ROOT, "%-28s %-7s %5d %6.2f%% %9.3f %8.1f %6.1f%%%s%n", k, e.shape().layerClass(), e.count(),
                    100 * e.shape().flops() * e.count() / convFlops, ms, gflops, 100 * gflops / peak,
                    ort ? String.format(Locale.ROOT, " %9.3f %8.3f", theirs.get(k), ms / theirs.get(k)) : "");
            double[] c = byClass.computeIfAbsent(e.shape().layerClass(), x -> new double[4]);
            c[0] += e.count();
            c[1] += e.shape().flops() * e.count();
            c[2] += ms * e.count();
            c[3] += ort ? theirs.get(k) * e.count() : 0;
        }
        double[] all = new double[4];
        out.println();
        out.println("per layer class (times summed over every occurrence in the model)");
        out.println(String.format("%-36s %5s %7s %9s %8s %7s", "class", "count", "FLOPs", "ms", "GFLOP/s", "% peak")
                + (ort ? String.format(" %9s %8s", "ORT ms", "ours/ORT") : ""));
        byClass.forEach((cls, c) -> {
            printClassRow(cls, c, convFlops, peak, ort);
            for (int i = 0; i < 4; i++) {
                all[i] += c[i];
            }
        });
        printClassRow("all listed convolutions", all, convFlops, peak, ort);
    }

    private void printClassRow(String name, double[] c, double convFlops, double peak, boolean ort) {
        double gflops = c[1] / (c[2] * 1e6);
        out.printf(Locale.ROOT, "%-36s %5d %6.2f%% %9.3f %8.1f %6.1f%%%s%n", name, (int) c[0], 100 * c[1] / convFlops, c[2],
                gflops, 100 * gflops / peak, ort ? String.format(Locale.ROOT, " %9.3f %8.3f", c[3], c[2] / c[3]) : "");
    }
}

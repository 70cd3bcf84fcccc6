package io.freeanchor.eval.cli;

import io.freeanchor.kernels.DType;
import io.freeanchor.kernels.opencl.OpenClBackend;
import io.freeanchor.network.Plan;
import io.freeanchor.network.PlanOptions;
import io.freeanchor.network.Planner;
import io.freeanchor.network.ops.ConvOps;
import io.freeanchor.onnx.Dim;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import io.freeanchor.onnx.ValueInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code freeanchor info}: what the model is and what running it costs. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show inputs, outputs, op histograms before/after optimization, parameters, MACs and peak activation memory.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "ONNX model file.")
    Path model;

    @Option(names = "--input-shape", paramLabel = "NAME=N,C,H,W",
            description = "Shape to plan for; repeat per input. Default: the declared shape, with a symbolic batch taken as 1.")
    List<String> inputShapes = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        OnnxModel m = OnnxLoader.load(model);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        ShapeArgs.pairs(inputShapes, "--input-shape").forEach((k, v) -> shapes.put(k, ShapeArgs.shape(v, "--input-shape " + k)));
        for (ValueInfo in : m.graph().inputs()) {
            if (!shapes.containsKey(in.name())) {
                int[] s = defaultShape(in);
                if (s != null) {
                    shapes.put(in.name(), s);
                }
            }
        }
        out.printf("model      %s%n", model);
        out.printf("producer   %s %s, IR version %d, opsets %s%n", m.producerName(), m.producerVersion(), m.irVersion(), m.opsetImports());
        out.println("inputs (declared)");
        m.graph().inputs().forEach(v -> out.println("  " + v));
        out.println("outputs (declared)");
        m.graph().outputs().forEach(v -> out.println("  " + v));
        Plan plan = Planner.plan(m, shapes, PlanOptions.defaults());
        out.println("planned for");
        plan.inputs().forEach((k, v) -> out.println("  " + k + " " + v));
        out.println("outputs");
        plan.outputs().forEach(o -> out.println("  " + o + " " + plan.type(o)));
        out.printf("parameters %,d (%s)%n", plan.parameters(), bytes(plan.parameterBytes()));
        out.println("ops before optimization (" + m.graph().nodes().size() + " nodes)");
        printHistogram(out, plan.histogramBefore());
        out.println("ops after optimization (" + plan.steps().size() + " steps)");
        printHistogram(out, plan.histogramAfter());
        out.println("MACs by op type");
        plan.macsByOpType().forEach((k, v) -> out.printf("  %-16s %,22d  %6.2f G  %5.1f%%%n", k, v, v / 1e9, 100.0 * v / plan.totalMacs()));
        out.printf("  %-16s %,22d  %6.2f G%n", "total", plan.totalMacs(), plan.totalMacs() / 1e9);
        out.printf("peak activation memory %s in %d reusable buffers (+ %s of outputs); %s with --precision fp16"
                        + " on --device java (half buffers; outputs stay fp32)%n",
                bytes(plan.memory().peakBytes()), plan.memory().slotCount(), bytes(plan.memory().outputBytes()),
                bytes(plan.memory().peakBytes(DType.FLOAT16)));
        // What --device opencl allocates once and reuses for every batch of this shape: one buffer per
        // weight, activation slot and output, two per input (eval uploads the next batch beside the
        // current one); float tensors as half with --precision fp16.
        long inputBytes = plan.inputs().values().stream().mapToLong(v -> v.bytes()).sum();
        long device = plan.parameterBytes() + plan.memory().peakBytes() + 2 * inputBytes + plan.memory().outputBytes();
        OpenClBackend.WinogradBytes wino = winogradBytes(plan);
        long winoTotal = wino.inputScratch() + wino.outputScratch() + wino.filters();
        out.printf("opencl device memory budget %s at fp32, about %s at fp16 (weights, activations, two inputs, outputs);"
                        + " up to %s more where the tuner picks Winograd (FP32 at either precision: transformed filters %s,"
                        + " tile scratch %s + %s)%n",
                bytes(device), bytes(device / 2), bytes(winoTotal), bytes(wino.filters()), bytes(wino.inputScratch()),
                bytes(wino.outputScratch()));
        return 0;
    }

    /**
     * The OpenCL Winograd footprint if every eligible convolution took it: the largest input and
     * output scratch (one pair is reused) and the filters of each distinct weight.
     */
    private static OpenClBackend.WinogradBytes winogradBytes(Plan plan) {
        long v = 0, m = 0, filters = 0;
        Set<String> weights = new HashSet<>();
        for (Plan.StepInfo s : plan.stepInfos()) {
            if (s.step() instanceof ConvOps.ConvStep conv) {
                OpenClBackend.WinogradBytes b = OpenClBackend.winogradBytes(conv.params(), plan.type(s.inputs().get(0)).shape(),
                        plan.type(s.inputs().get(1)).shape(), plan.type(s.outputs().get(0)).shape());
                v = Math.max(v, b.inputScratch());
                m = Math.max(m, b.outputScratch());
                if (weights.add(s.inputs().get(1))) {
                    filters += b.filters();
                }
            }
        }
        return new OpenClBackend.WinogradBytes(v, m, filters);
    }

    /** The declared shape with a symbolic leading (batch) dimension taken as 1; null if not resolvable. */
    private static int[] defaultShape(ValueInfo in) {
        if (in.shape() == null) {
            return null;
        }
        int[] s = new int[in.shape().size()];
        for (int i = 0; i < s.length; i++) {
            Dim d = in.shape().get(i);
            if (d instanceof Dim.Fixed f) {
                s[i] = Math.toIntExact(f.size());
            } else if (i == 0) {
                s[i] = 1;
            } else {
                return null;
            }
        }
        return s;
    }

    private static void printHistogram(PrintWriter out, Map<String, Integer> h) {
        h.forEach((k, v) -> out.printf("  %-24s %5d%n", k, v));
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format("%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%.1f MiB", b / (double) (1L << 20));
        }
        return String.format("%.1f KiB", b / 1024.0);
    }
}

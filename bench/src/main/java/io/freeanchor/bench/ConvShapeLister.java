package io.freeanchor.bench;

import io.freeanchor.eval.cli.Main;
import io.freeanchor.eval.cli.ShapeArgs;
import io.freeanchor.eval.cli.UserInputException;
import io.freeanchor.network.Plan;
import io.freeanchor.network.PlanOptions;
import io.freeanchor.network.Planner;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the distinct convolution shapes of a model's plan with their counts and share of the MACs:
 * {@code java -cp "bench/target/bench.jar:bench/target/lib/*" io.freeanchor.bench.ConvShapeLister M.onnx input=1,3,800,1344}.
 * The tokens in the first column are {@link ConvShapesBenchmark}'s {@code shape} parameter values.
 */
public final class ConvShapeLister {
    private ConvShapeLister() {}

    /** Plans {@code model} for the given {@code NAME=N,C,H,W} input shapes. */
    static Plan plan(Path model, List<String> inputShapes) {
        OnnxModel m = OnnxLoader.load(model);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        ShapeArgs.pairs(inputShapes, "input shape").forEach((k, v) -> shapes.put(k, ShapeArgs.shape(v, "input shape " + k)));
        return Planner.plan(m, shapes, PlanOptions.defaults());
    }

    static void print(PrintWriter out, List<ConvShapes.Entry> entries) {
        out.printf("%-32s %6s %6s %10s %8s%n", "shape", "class", "count", "GMAC each", "MACs");
        for (ConvShapes.Entry e : entries) {
            out.printf(Locale.ROOT, "%-32s %6s %6d %10.3f %7.2f%%%n", e.shape().token(), e.shape().layerClass(), e.count(),
                    e.shape().macs() / 1e9, 100 * e.macShare());
        }
        out.printf("%d distinct shapes, %d convolutions%n", entries.size(), entries.stream().mapToInt(ConvShapes.Entry::count).sum());
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        int code = 0;
        try {
            if (args.length < 1) {
                throw new UserInputException("usage: ConvShapeLister M.onnx [NAME=N,C,H,W ...]");
            }
            print(out, ConvShapes.distinct(plan(Path.of(args[0]), List.of(args).subList(1, args.length))));
        } catch (RuntimeException e) {
            code = Main.handle(e, err);
        }
        out.flush();
        err.flush();
        System.exit(code);
    }
}

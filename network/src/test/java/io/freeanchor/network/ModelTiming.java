package io.freeanchor.network;

import io.freeanchor.kernels.Backend;
import io.freeanchor.kernels.JavaBackend;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.Tensor;
import io.freeanchor.onnx.OnnxLoader;
import io.freeanchor.onnx.OnnxModel;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hand-run whole-model timing on {@link JavaBackend} (not a unit test). After
 * {@code ./mvnw -q -pl network -am test-compile}, with the test class path of the network module:
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx8g -cp ... io.freeanchor.network.ModelTiming \
 *      fixtures-full/model_dynamic.onnx fixtures-full/input.npy [threads [runs]]
 * </pre>
 * Binds the plan (constant conv weights prepared then), runs once to warm up, then {@code runs}
 * timed runs; prints per-run wall time and process CPU time, the median, and the share of each op
 * type in the last run, and the heap in use. {@code runs} 0 only binds and reports the heap.
 * {@code -Dfreeanchor.winograd=false} runs every conv as GEMM, for comparison.
 */
public final class ModelTiming {
    private ModelTiming() {}

    public static void main(String[] args) throws Exception {
        OnnxModel model = OnnxLoader.load(Path.of(args[0]));
        Tensor input = Npy.read(Path.of(args[1]));
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Backend backend = new JavaBackend(threads)) {
            long b0 = System.nanoTime();
            Network net = Network.compile(model, Map.of("input", input.shape()), backend, PlanOptions.defaults());
            System.out.printf("input %s, %d threads, %.1f GMAC; plan + bind (weights prepared): %.2f s%n",
                    Arrays.toString(input.shape()), threads, net.plan().totalMacs() / 1e9, (System.nanoTime() - b0) / 1e9);
            if (runs == 0) { // bind only: what the plan and the prepared weights hold
                System.gc();
                System.out.printf("heap after bind: %.0f MiB live after GC; activation plan %.0f MiB + outputs %.0f MiB%n",
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0,
                        net.plan().memory().peakBytes() / 1048576.0, net.plan().memory().outputBytes() / 1048576.0);
                return;
            }
            long w0 = System.nanoTime();
            net.run(Map.of("input", input));
            System.out.printf("warm-up run: %.2f s%n", (System.nanoTime() - w0) / 1e9);
            double[] wall = new double[runs];
            Map<String, Long> byOp = new TreeMap<>();
            for (int r = 0; r < runs; r++) {
                byOp.clear();
                long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                net.run(Map.of("input", input), (name, op, nanos) -> byOp.merge(op, nanos, Long::sum));
                wall[r] = (System.nanoTime() - t0) / 1e9;
                double cpu = (os.getProcessCpuTime() - c0) / 1e9;
                System.out.printf("run %d: %.2f s wall, %.2f s process CPU (%.0f%% of %d threads)%n", r + 1, wall[r], cpu,
                        100 * cpu / wall[r] / threads, threads);
            }
            Arrays.sort(wall);
            long total = byOp.values().stream().mapToLong(Long::longValue).sum();
            byOp.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e ->
                    System.out.printf("  %-16s %5.1f%%%n", e.getKey(), 100.0 * e.getValue() / total));
            System.gc();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            System.out.printf("heap: %.0f MiB live after GC (plan, constants, prepared weights, buffers), "
                    + "%.0f MiB peak sum over pools, %.0f MiB committed; activation plan %.0f MiB + outputs %.0f MiB%n",
                    heap.getUsed() / 1048576.0, peak / 1048576.0, heap.getCommitted() / 1048576.0,
                    net.plan().memory().peakBytes() / 1048576.0, net.plan().memory().outputBytes() / 1048576.0);
            System.out.printf("median %.3f s per batch of %d%n", wall[runs / 2], input.dim(0));
        }
    }
}

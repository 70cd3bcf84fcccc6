package io.freeanchor.eval.detect;

import io.freeanchor.kernels.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test: ms per image of {@link PostProcessor#process} on 800x1344 outputs (201600 anchors x 80
 * classes) filled with random logits, single-threaded. Run with the test classpath:
 * {@code java -cp ... io.freeanchor.eval.detect.PostProcessorBench [iterations]}.
 */
public final class PostProcessorBench {
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private PostProcessorBench() {}

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        DetectorConfig cfg = DetectorConfig.defaults();
        PostProcessor post = new PostProcessor(cfg);
        String[] names = {"N(0,1) logits (99.8% of pairs above 0.05)", "N(-6,2) logits (7% above 0.05)",
            "all logits equal (score ties everywhere)"};
        for (int kind = 0; kind < 3; kind++) {
            HeadOutputs out = HeadOutputs.split(outputs(2, kind, new Random(kind)), cfg);
            for (int w = 0; w < 5; w++) { // warm-up
                post.process(out, w % 2, 480, 640);
            }
            long best = Long.MAX_VALUE;
            long total = 0;
            long cpu = 0;
            int dets = 0;
            for (int i = 0; i < iterations; i++) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                dets += post.process(out, i % 2, 480, 640).size();
                long dt = System.nanoTime() - t0;
                cpu += THREADS.getCurrentThreadCpuTime() - c0;
                total += dt;
                best = Math.min(best, dt);
            }
            System.out.printf("%-45s wall mean %.2f ms/image, best %.2f ms; thread CPU mean %.2f ms"
                    + " (%d detections/image)%n", names[kind], total / 1e6 / iterations, best / 1e6,
                    cpu / 1e6 / iterations, dets / iterations);
        }
    }

    static List<Tensor> outputs(int batch, int kind, Random r) {
        int[][] sizes = {{100, 168}, {50, 84}, {25, 42}, {13, 21}, {7, 11}};
        List<Tensor> cls = new ArrayList<>();
        List<Tensor> reg = new ArrayList<>();
        for (int[] s : sizes) {
            int hw = s[0] * s[1];
            float[] c = new float[batch * 720 * hw];
            for (int i = 0; i < c.length; i++) {
                c[i] = switch (kind) {
                    case 0 -> (float) r.nextGaussian();
                    case 1 -> (float) (r.nextGaussian() * 2 - 6);
                    default -> 0.5f;
                };
            }
            float[] d = new float[batch * 36 * hw];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) r.nextGaussian();
            }
            cls.add(Tensor.ofFloats(new int[] {batch, 720, s[0], s[1]}, c));
            reg.add(Tensor.ofFloats(new int[] {batch, 36, s[0], s[1]}, d));
        }
        List<Tensor> all = new ArrayList<>(cls);
        all.addAll(reg);
        return all;
    }
}

package io.freeanchor.bench;

import io.freeanchor.network.Plan;
import io.freeanchor.network.ops.ConvOps.ConvStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The convolutions of a plan: per step, and as distinct shapes with how often each occurs. */
public final class ConvShapes {
    private ConvShapes() {}

    /** A distinct shape, how many steps of the plan have it, and their share of the plan's MACs. */
    public record Entry(ConvShape shape, int count, double macShare) {
        /** MACs of all {@code count} occurrences. */
        public long totalMacs() {
            return shape.macs() * count;
        }
    }

    /** Every convolution step of the plan by step name, in execution order. */
    public static Map<String, ConvShape> byStep(Plan plan) {
        Map<String, ConvShape> out = new LinkedHashMap<>();
        for (Plan.StepInfo s : plan.stepInfos()) {
            if (s.step() instanceof ConvStep conv) {
                int[] x = plan.type(s.inputs().get(0)).shape();
                int[] w = plan.type(s.inputs().get(1)).shape();
                out.put(s.name(), ConvShape.of(x, w, conv.params()));
            }
        }
        return out;
    }

    /** Distinct shapes, the most MACs (over all occurrences) first. */
    public static List<Entry> distinct(Plan plan) {
        Map<ConvShape, Integer> counts = new LinkedHashMap<>();
        for (ConvShape s : byStep(plan).values()) {
            counts.merge(s, 1, Integer::sum);
        }
        double total = plan.totalMacs();
        List<Entry> out = new ArrayList<>();
        counts.forEach((s, k) -> out.add(new Entry(s, k, s.macs() * (double) k / total)));
        out.sort(Comparator.comparingLong(Entry::totalMacs).reversed().thenComparing(e -> e.shape().token()));
        return out;
    }
}

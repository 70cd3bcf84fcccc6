package io.freeanchor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.freeanchor.kernels.DType;
import io.freeanchor.network.ops.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The activation memory plan: values alive at the same time never share a slot; slots are reused. */
class MemoryPlanTest {
    private final List<PlanNode> nodes = new ArrayList<>();
    private final Map<String, ValueType> types = new HashMap<>();

    private void step(String out, int elements, String... in) {
        ValueType t = new ValueType(DType.FLOAT32, new int[] {elements});
        types.put(out, t);
        nodes.add(new PlanNode(out, "Op", List.of(in), List.of(out), Step.of(t, (b, i, o) -> {})));
    }

    @Test
    void chainUsesTwoSlots() {
        step("a", 10);
        step("b", 10, "a");
        step("c", 10, "b");
        step("d", 10, "c");
        step("y", 10, "d");
        MemoryPlan m = new MemoryPlan(nodes, types, Map.of(), List.of("y"));
        assertEquals(2, m.slotCount());
        assertEquals(-1, m.slotOf("y"), "graph outputs are allocated fresh");
        assertNotEquals(m.slotOf("a"), m.slotOf("b"));
        assertEquals(2 * 10 * 4, m.peakBytes());
    }

    /**
     * A small value made while only a big slot is free does not take it: assigned in step order it
     * would, and the next big value would then open a third big slot (300 elements in all).
     */
    @Test
    void bigSlotsGoToBigValues() {
        step("a", 100);
        step("b", 100, "a");
        step("s", 1, "b");
        step("c", 100, "s");
        step("d", 100, "c");
        step("y", 1, "d", "s");
        MemoryPlan m = new MemoryPlan(nodes, types, Map.of(), List.of("y"));
        assertEquals((100 + 100 + 1) * 4, m.peakBytes());
    }

    @Test
    void overlappingValuesNeverShareASlot() {
        Random r = new Random(5);
        for (int trial = 0; trial < 50; trial++) {
            nodes.clear();
            types.clear();
            int count = 5 + r.nextInt(30);
            for (int i = 0; i < count; i++) {
                List<String> in = new ArrayList<>();
                for (int k = 0; k < Math.min(i, 1 + r.nextInt(3)); k++) {
                    in.add("v" + r.nextInt(i));
                }
                step("v" + i, 1 + r.nextInt(1000), in.toArray(String[]::new));
            }
            MemoryPlan m = new MemoryPlan(nodes, types, Map.of(), List.of("v" + (count - 1)));
            int[] first = new int[count], last = new int[count];
            for (int i = 0; i < count; i++) {
                first[i] = last[i] = i;
                for (String in : nodes.get(i).inputs) {
                    int j = Integer.parseInt(in.substring(1));
                    last[j] = Math.max(last[j], i);
                }
            }
            for (int i = 0; i < count - 1; i++) {
                int s = m.slotOf("v" + i);
                assertTrue(s >= 0 && m.slotElements(s) >= types.get("v" + i).elements(), "slot of v" + i);
                for (int j = i + 1; j < count - 1; j++) {
                    if (first[i] <= last[j] && first[j] <= last[i]) {
                        assertNotEquals(s, m.slotOf("v" + j), "trial " + trial + ": v" + i + " and v" + j + " overlap");
                    }
                }
            }
        }
    }
}

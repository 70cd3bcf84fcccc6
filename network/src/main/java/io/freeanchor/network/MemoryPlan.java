package io.freeanchor.network;

import io.freeanchor.kernels.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Assigns every run-time activation a reusable buffer ("slot"). Views (Reshape and friends) share
 * their source's buffer, so liveness is tracked per buffer root. A slot is free again once the last
 * step reading any value in it has run; the next value takes the smallest free slot of its type that
 * is big enough, else grows the biggest free one, else opens a new slot. Graph outputs (and buffers
 * they view) are allocated fresh each run so callers may keep them.
 */
public final class MemoryPlan {
    /** Slot of each planned value; values absent here are inputs, constants or fresh outputs. */
    private final Map<String, Integer> slotOf = new HashMap<>();
    private final List<DType> slotTypes = new ArrayList<>();
    private final List<Long> slotElements = new ArrayList<>();
    private final long outputBytes;

    MemoryPlan(List<PlanNode> nodes, Map<String, ValueType> types, Map<String, String> rootOf, List<String> outputs) {
        Set<String> freshRoots = new HashSet<>();
        for (String o : outputs) {
            freshRoots.add(rootOf.getOrDefault(o, o));
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs) {
                if (!in.isEmpty()) {
                    lastUse.put(rootOf.getOrDefault(in, in), i);
                }
            }
        }
        long outBytes = 0;
        List<Integer> free = new ArrayList<>();
        Map<Integer, List<String>> releaseAt = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            PlanNode n = nodes.get(i);
            if (!n.step.isView()) {
                for (String out : n.outputs) {
                    ValueType t = types.get(out);
                    if (freshRoots.contains(out)) {
                        outBytes += t.bytes();
                        continue;
                    }
                    int slot = take(free, t);
                    slotOf.put(out, slot);
                    // A value nobody reads is free right after its step.
                    releaseAt.computeIfAbsent(lastUse.getOrDefault(out, i), k -> new ArrayList<>()).add(out);
                }
            }
            for (String done : releaseAt.getOrDefault(i, List.of())) {
                free.add(slotOf.get(done));
            }
        }
        this.outputBytes = outBytes;
    }

    private int take(List<Integer> free, ValueType t) {
        long need = t.elements();
        int best = -1;
        for (int k = 0; k < free.size(); k++) {
            int s = free.get(k);
            if (slotTypes.get(s) != t.dtype()) {
                continue;
            }
            if (best < 0) {
                best = k;
                continue;
            }
            long have = slotElements.get(s), bestHave = slotElements.get(free.get(best));
            boolean fits = have >= need, bestFits = bestHave >= need;
            // Prefer the smallest slot that fits; without one, the biggest (least growth).
            if (fits && (!bestFits || have < bestHave) || !fits && !bestFits && have > bestHave) {
                best = k;
            }
        }
        if (best < 0) {
            slotTypes.add(t.dtype());
            slotElements.add(need);
            return slotTypes.size() - 1;
        }
        int s = free.remove(best);
        slotElements.set(s, Math.max(slotElements.get(s), need));
        return s;
    }

    /** The slot holding a value, or -1 when it is not planned here. */
    public int slotOf(String value) {
        return slotOf.getOrDefault(value, -1);
    }

    public int slotCount() {
        return slotTypes.size();
    }

    public DType slotType(int slot) {
        return slotTypes.get(slot);
    }

    public long slotElements(int slot) {
        return slotElements.get(slot);
    }

    /** Bytes of all reusable activation buffers together: the plan's peak activation memory. */
    public long peakBytes() {
        long total = 0;
        for (int s = 0; s < slotTypes.size(); s++) {
            total += slotElements.get(s) * slotTypes.get(s).byteSize();
        }
        return total;
    }

    /** {@link #peakBytes()} with float slots stored as {@code floatStorage} (FLOAT16 on fp16 storage). */
    public long peakBytes(DType floatStorage) {
        long total = 0;
        for (int s = 0; s < slotTypes.size(); s++) {
            DType t = slotTypes.get(s) == DType.FLOAT32 ? floatStorage : slotTypes.get(s);
            total += slotElements.get(s) * t.byteSize();
        }
        return total;
    }

    /** Bytes of the graph outputs, allocated fresh per run. */
    public long outputBytes() {
        return outputBytes;
    }
}

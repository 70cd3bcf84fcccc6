package io.freeanchor.network;

import io.freeanchor.kernels.DType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Assigns every run-time activation a reusable buffer ("slot"). Views (Reshape and friends) share
 * their source's buffer, so liveness is tracked per buffer root: a value lives from its step to the
 * last step reading it (or any view of it), and values whose lifetimes overlap never share a slot
 * (so outputs never alias inputs). Slots are assigned offline, largest value first, each value to the
 * smallest slot of its type that is free over its whole lifetime, else to a new slot of its size
 * ("greedy by size", Pisarchyk and Lee 2020): a slot is as big as its first value and never grows,
 * which keeps a big early tensor's slot from being held by a small late one while another big one
 * needs a fresh slot (what assigning in step order did). Graph outputs (and buffers they view) are
 * allocated fresh each run so callers may keep them.
 */
public final class MemoryPlan {
    /** Slot of each planned value; values absent here are inputs, constants or fresh outputs. */
    private final Map<String, Integer> slotOf = new HashMap<>();
    private final List<DType> slotTypes = new ArrayList<>();
    private final List<Long> slotElements = new ArrayList<>();
    private final long outputBytes;

    /** A planned value: its type and the steps [first, last] during which its buffer is in use. */
    private record Life(String value, ValueType type, int first, int last) {
        boolean overlaps(Life o) {
            return first <= o.last && o.first <= last;
        }
    }

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
        List<Life> lives = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            PlanNode n = nodes.get(i);
            if (n.step.isView()) {
                continue;
            }
            for (String out : n.outputs) {
                ValueType t = types.get(out);
                if (freshRoots.contains(out)) {
                    outBytes += t.bytes();
                } else {
                    // A value nobody reads is free right after its step.
                    lives.add(new Life(out, t, i, Math.max(i, lastUse.getOrDefault(out, i))));
                }
            }
        }
        this.outputBytes = outBytes;
        // Largest first; ties in step order, so the plan is deterministic.
        lives.sort(Comparator.comparingLong((Life l) -> -l.type.elements()).thenComparingInt(Life::first));
        List<List<Life>> slotLives = new ArrayList<>();
        for (Life l : lives) {
            int best = -1;
            for (int s = 0; s < slotLives.size(); s++) {
                if (slotTypes.get(s) != l.type.dtype() || slotLives.get(s).stream().anyMatch(l::overlaps)) {
                    continue;
                }
                if (best < 0 || slotElements.get(s) < slotElements.get(best)) {
                    best = s;
                }
            }
            if (best < 0) {
                best = slotLives.size();
                slotLives.add(new ArrayList<>());
                slotTypes.add(l.type.dtype());
                slotElements.add(l.type.elements());
            }
            slotLives.get(best).add(l);
            slotOf.put(l.value, best);
        }
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

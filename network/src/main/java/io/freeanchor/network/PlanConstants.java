package io.freeanchor.network;

import io.freeanchor.kernels.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A plan's constants. A network that bound the plan may {@link #release} constants its backend no
 * longer reads (weights it transformed or packed), so the raw copies do not stay on the heap next to
 * the prepared ones. Released values are made again on demand ({@link #all}, e.g. for a second bind)
 * by re-planning the model, which yields the same values; without a way to remake them nothing is
 * released. Thread-safe.
 */
final class PlanConstants {
    private final Set<String> names;
    private final Map<String, Tensor> held;
    private final Supplier<Map<String, Tensor>> remake;

    /** remake: all constants again, equal to these (null: never release). */
    PlanConstants(Map<String, Tensor> constants, Supplier<Map<String, Tensor>> remake) {
        this.names = Set.copyOf(constants.keySet());
        this.held = new HashMap<>(constants);
        this.remake = remake;
    }

    Set<String> names() {
        return names;
    }

    boolean contains(String name) {
        return names.contains(name);
    }

    /** Every constant, remade first if some were released (the plan holds them again then). */
    synchronized Map<String, Tensor> all() {
        if (held.size() < names.size()) {
            Map<String, Tensor> again = remake.get();
            for (String name : names) {
                Tensor t = again.get(name);
                if (t == null || held.containsKey(name) && !Arrays.equals(t.shape(), held.get(name).shape())) {
                    throw new IllegalStateException("re-planning did not give back constant '" + name + "'");
                }
                held.putIfAbsent(name, t);
            }
        }
        return Map.copyOf(held);
    }

    /** Stops holding this constant (callers that still need it keep their own reference). */
    synchronized void release(String name) {
        if (remake != null) {
            held.remove(name);
        }
    }

    /** Whether the plan holds this constant's values now (false once released, until remade). */
    synchronized boolean holds(String name) {
        return held.containsKey(name);
    }
}

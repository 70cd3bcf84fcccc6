package io.freeanchor.network.ops;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The ONNX ops (default domain) the planner can run, by op type. */
public final class OpRegistry {
    private static final OpRegistry DEFAULT = new OpRegistry();

    static {
        ConvOps.register(DEFAULT);
        ElementwiseOps.register(DEFAULT);
        ShapeOps.register(DEFAULT);
        IndexOps.register(DEFAULT);
        ResizeOp.register(DEFAULT);
    }

    private final Map<String, OpFactory> factories = new TreeMap<>();

    private OpRegistry() {}

    public static OpRegistry standard() {
        return DEFAULT;
    }

    void add(String opType, OpFactory factory) {
        factories.put(opType, factory);
    }

    /** The factory for an op, or null when it is not supported. */
    public OpFactory find(String domain, String opType) {
        boolean defaultDomain = domain == null || domain.isEmpty() || domain.equals("ai.onnx");
        return defaultDomain ? factories.get(opType) : null;
    }

    public Map<String, OpFactory> all() {
        return Collections.unmodifiableMap(factories);
    }
}

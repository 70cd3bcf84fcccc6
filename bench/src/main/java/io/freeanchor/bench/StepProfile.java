package io.freeanchor.bench;

import io.freeanchor.network.Network;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sums each step's wall time over timed runs, by op type ("Conv+Relu", "Resize", ...) and, for
 * convolutions, by layer class ("3x3/s1", "1x1/s2", ...). Steps that are views take no time and are
 * not reported by the network.
 */
final class StepProfile implements Network.StepListener {
    /** Nanoseconds, step count (per run) and MACs (per run) of one group. */
    static final class Group {
        long nanos;
        long stepsSeen;
        long macsPerRun;
    }

    private final Map<String, ConvShape> convByStep;
    private final Map<String, Group> byOpType = new TreeMap<>();
    private final Map<String, Group> byConvClass = new TreeMap<>();
    private final Map<String, Long> macsByStep = new HashMap<>();
    private long totalNanos;
    private int runs;

    /** @param macsByStep MACs of each step that has any (convolutions) */
    StepProfile(Map<String, ConvShape> convByStep, Map<String, Long> macsByStep) {
        this.convByStep = convByStep;
        this.macsByStep.putAll(macsByStep);
    }

    /** Call once after each timed run. */
    void runDone() {
        runs++;
    }

    @Override
    public void stepDone(String name, String opType, long nanos) {
        totalNanos += nanos;
        add(byOpType.computeIfAbsent(opType, k -> new Group()), name, nanos);
        ConvShape conv = convByStep.get(name);
        if (conv != null) {
            add(byConvClass.computeIfAbsent(conv.layerClass(), k -> new Group()), name, nanos);
        }
    }

    private void add(Group g, String step, long nanos) {
        g.nanos += nanos;
        g.stepsSeen++;
        if (runs == 0) {
            g.macsPerRun += macsByStep.getOrDefault(step, 0L);
        }
    }

    int runs() {
        return runs;
    }

    long totalNanos() {
        return totalNanos;
    }

    Map<String, Group> byOpType() {
        return byOpType;
    }

    Map<String, Group> byConvClass() {
        return byConvClass;
    }
}

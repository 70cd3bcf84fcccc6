package io.freeanchor.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The peak of the heap's live data, as the collector sees it: the heap occupancy right after every
 * full (major) garbage collection of the process (GC notifications) and right after a full
 * collection forced at {@link #checkpoint}s (the points where the program holds the most). After a
 * full collection only live data is left. After a young (minor) collection the old generation still
 * holds whatever died since it was promoted, so those readings are kept apart as an upper bound
 * ({@link #afterYoungBytes}), not counted as live. A short-lived spike between two full collections
 * can be missed, hence the checkpoints (after every step of a run, with {@code bench --heap-steps}).
 */
final class HeapWatch implements AutoCloseable {
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::collected;
    private volatile String stage = "start";
    private long peak, afterYoung;
    private String peakStage = "start";

    HeapWatch() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
    }

    /** Names what the program does now, for the peak's label. */
    void stage(String name) {
        stage = name;
    }

    /** Forces a full collection and counts what is live now, labelled {@code name}. */
    void checkpoint(String name) {
        stage(name);
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                used += p.getUsage().getUsed();
            }
        }
        record(used, name);
    }

    /** Largest heap occupancy seen right after a full collection, in bytes: the live peak. */
    synchronized long peakBytes() {
        return peak;
    }

    /** Largest heap occupancy seen right after a young collection (dead promoted objects included), in bytes. */
    synchronized long afterYoungBytes() {
        return afterYoung;
    }

    /** The stage in which {@link #peakBytes} was seen. */
    synchronized String peakStage() {
        return peakStage;
    }

    /** Sum of the heap pools' own peaks: heap filled, garbage included (an upper bound of the live peak). */
    static long poolPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private void collected(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        if (info.getGcAction().contains("major")) {
            record(used, stage);
        } else {
            synchronized (this) {
                afterYoung = Math.max(afterYoung, used);
            }
        }
    }

    private synchronized void record(long used, String where) {
        if (used > peak) {
            peak = used;
            peakStage = where;
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}

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
 * garbage collection of the process (GC notifications), and right after a full collection forced at
 * {@link #checkpoint}s (the points where the program holds the most). After-GC figures leave out the
 * garbage that the pools' own peaks include (those only say how much heap the JVM happened to fill);
 * a young collection may still leave dead objects in the old generation, so they err high, not low.
 * A short-lived spike between two collections can be missed, hence the checkpoints.
 */
final class HeapWatch implements AutoCloseable {
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::collected;
    private volatile String stage = "start";
    private long peak;
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

    /** Largest after-collection heap occupancy seen, in bytes. */
    synchronized long peakBytes() {
        return peak;
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
        record(used, stage);
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

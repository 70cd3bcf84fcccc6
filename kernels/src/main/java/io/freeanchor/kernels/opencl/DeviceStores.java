package io.freeanchor.kernels.opencl;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Residency: one device buffer per host store (a float[] or long[], by identity, weakly held), with
 * which side holds the current data. Several tensors (views, memory-plan slots) share one store and
 * so one buffer. A buffer whose host array was garbage-collected is released on the next access.
 */
final class DeviceStores implements AutoCloseable {
    /** The device copy of one host store. */
    static final class Entry {
        final ClBuffer buffer;
        /** The device wrote it since the host last had it. */
        boolean hostStale;
        /** The host wrote it since the device last had it. */
        boolean deviceStale;
        /** Bumped whenever the device copy changes (upload or op output): derived buffers check it. */
        long version;
        /** What a derived buffer (e.g. Winograd filters) was computed from; null for host stores. */
        Object derivedFrom;
        /** The latest asynchronous upload (see OpenClBackend.prefetch), kept until it is known finished, or null. */
        ClEvent pendingUpload;
        /** The compute queue has not yet been told to wait for {@link #pendingUpload}. */
        boolean uploadUnordered;
        /** The host memory that upload copies from, kept for the next one. */
        ClHostBuffer uploadStaging;
        /** An op used the buffer on the compute queue since {@link #lastComputeUse} was last brought up to date. */
        boolean computeUsed;
        /** A bound of the compute queue's commands ({@link ClContext#enqueued()}) that used the buffer. */
        long lastComputeUse;

        Entry(ClBuffer buffer) {
            this.buffer = buffer;
        }

        /** Waits for a pending upload (its source must stay intact until then) and releases it. */
        void settleUpload() {
            if (pendingUpload != null) {
                try {
                    pendingUpload.await();
                } finally {
                    pendingUpload.close();
                    pendingUpload = null;
                    uploadUnordered = false;
                }
            }
        }

        void close() {
            try {
                settleUpload();
            } finally {
                buffer.close();
                if (uploadStaging != null) {
                    uploadStaging.close();
                }
            }
        }
    }

    /** A weak identity key; a cleared key only equals itself (so the queue can remove it). */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            Object mine = get();
            return o instanceof Key k && mine != null && mine == k.get();
        }
    }

    private final Map<Key, Entry> entries = new HashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    /** The entry of a store, or null. */
    Entry find(Object store) {
        releaseCollected();
        return entries.get(new Key(store, null));
    }

    Entry add(Object store, ClBuffer buffer) {
        Entry e = new Entry(buffer);
        entries.put(new Key(store, collected), e);
        return e;
    }

    /** Drops a store's device copy now. */
    void remove(Object store) {
        Entry e = entries.remove(new Key(store, null));
        if (e != null) {
            e.close();
        }
    }

    /** Device bytes held. */
    long bytes() {
        long total = 0;
        for (Entry e : entries.values()) {
            total += e.buffer.bytes();
        }
        return total;
    }

    private void releaseCollected() {
        for (java.lang.ref.Reference<?> r; (r = collected.poll()) != null; ) {
            Entry e = entries.remove(r);
            if (e != null) {
                e.close();
            }
        }
    }

    @Override
    public void close() {
        List<Entry> all = new ArrayList<>(entries.values());
        entries.clear();
        for (Entry e : all) {
            e.close();
        }
    }
}

package io.freeanchor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void runsEveryIndexExactlyOnce() {
        for (int threads = 1; threads <= 4; threads++) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                assertEquals(threads, pool.size());
                for (int n : new int[] {0, 1, 2, 3, 17, 1000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                    pool.parallelFor(n, i -> hits.incrementAndGet(i));
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), "index " + i + " of " + n + " on " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void workerNumbersAreInRangeAndNeverShared() {
        int threads = 3;
        try (WorkerPool pool = new WorkerPool(threads)) {
            AtomicIntegerArray busy = new AtomicIntegerArray(threads);
            AtomicInteger clashes = new AtomicInteger();
            AtomicInteger outOfRange = new AtomicInteger();
            for (int round = 0; round < 50; round++) {
                pool.parallelFor(64, (i, w) -> {
                    if (w < 0 || w >= threads) {
                        outOfRange.incrementAndGet();
                        return;
                    }
                    if (busy.incrementAndGet(w) != 1) {
                        clashes.incrementAndGet();
                    }
                    Thread.onSpinWait();
                    busy.decrementAndGet(w);
                });
            }
            assertEquals(0, outOfRange.get());
            assertEquals(0, clashes.get());
        }
    }

    @Test
    void usesSeveralThreads() throws Exception {
        try (WorkerPool pool = new WorkerPool(2)) {
            java.util.Set<Thread> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
            pool.parallelFor(2, i -> {
                seen.add(Thread.currentThread());
                both.countDown();
                try {
                    // each of the two indices waits for the other: only possible on two threads
                    assertTrue(both.await(10, java.util.concurrent.TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(2, seen.size());
        }
    }

    @Test
    void rethrowsTheBodysException() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                    () -> pool.parallelFor(100, i -> {
                        if (i == 37) {
                            throw boom;
                        }
                    }));
            assertSame(boom, thrown);
            // the pool still works afterwards
            AtomicInteger count = new AtomicInteger();
            pool.parallelFor(10, i -> count.incrementAndGet());
            assertEquals(10, count.get());
        }
    }

    @Test
    void nestedCallsAndClosedPoolThrow() {
        WorkerPool pool = new WorkerPool(2);
        assertThrows(IllegalStateException.class, () -> pool.parallelFor(4, i -> pool.parallelFor(2, j -> { })));
        pool.close();
        pool.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> pool.parallelFor(3, i -> { }));
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }

    @Test
    void closeStopsTheThreads() {
        WorkerPool pool = new WorkerPool(3);
        assertEquals(2, pool.liveThreads());
        pool.parallelFor(10, i -> { });
        pool.close();
        assertEquals(0, pool.liveThreads());
    }
}

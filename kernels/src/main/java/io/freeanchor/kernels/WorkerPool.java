package io.freeanchor.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A fixed pool of platform threads for data-parallel loops. {@link #parallelFor} runs {@code body}
 * for every index in {@code [0, n)}, handing indices out dynamically, and returns when all are done.
 * The calling thread works too (as worker 0), so a pool of size T starts T - 1 threads.
 *
 * <p>Each running body gets a worker number in {@code [0, size())}; no two bodies run concurrently
 * with the same number, so per-worker scratch buffers can be indexed by it. Calls from several
 * threads are serialized. A body must not call {@code parallelFor} on the same pool (that throws).
 * The first exception a body throws is rethrown by {@code parallelFor} after the loop stops.
 */
public final class WorkerPool implements AutoCloseable {

    /** A loop body that is told which worker runs it. */
    @FunctionalInterface
    public interface Body {
        void run(int index, int worker);
    }

    private final int size;
    private final Worker[] workers;
    private final ReentrantLock callLock = new ReentrantLock();
    private final Object signal = new Object();
    private Job current;      // guarded by signal
    private long generation;  // guarded by signal
    private boolean closed;   // guarded by signal

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one thread, got " + threads);
        }
        this.size = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** Number of workers, the calling thread included. */
    public int size() {
        return size;
    }

    public void parallelFor(int n, IntConsumer body) {
        parallelFor(n, (i, w) -> body.accept(i));
    }

    public void parallelFor(int n, Body body) {
        if (n <= 0) {
            return;
        }
        if (Thread.currentThread() instanceof Worker wk && wk.pool() == this || callLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("nested parallelFor on the same WorkerPool");
        }
        callLock.lock();
        try {
            Job job = new Job(n, body);
            synchronized (signal) {
                if (closed) {
                    throw new IllegalStateException("WorkerPool is closed");
                }
                if (size > 1 && n > 1) {
                    current = job;
                    generation++;
                    signal.notifyAll();
                }
            }
            job.work(0);
            job.awaitCompletion();
            synchronized (signal) {
                current = null;
            }
            job.rethrow();
        } finally {
            callLock.unlock();
        }
    }

    /** Pool threads still alive (not counting callers); for tests. */
    int liveThreads() {
        int n = 0;
        for (Worker w : workers) {
            if (w.isAlive()) {
                n++;
            }
        }
        return n;
    }

    /** Stops the workers; later calls to {@link #parallelFor} throw. Idempotent. */
    @Override
    public void close() {
        synchronized (signal) {
            if (closed) {
                return;
            }
            closed = true;
            signal.notifyAll();
        }
        boolean interrupted = false;
        for (Worker w : workers) {
            while (true) {
                try {
                    w.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Job {
        final int n;
        final Body body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(int n, Body body) {
            this.n = n;
            this.body = body;
        }

        void work(int worker) {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                try {
                    if (error == null) {
                        body.run(i, worker);
                    }
                } catch (Throwable t) {
                    synchronized (this) {
                        if (error == null) {
                            error = t;
                        }
                    }
                } finally {
                    if (done.incrementAndGet() == n) {
                        synchronized (this) {
                            notifyAll();
                        }
                    }
                }
            }
        }

        void awaitCompletion() {
            boolean interrupted = false;
            synchronized (this) {
                while (done.get() < n) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true; // the bodies are running; finish waiting for them
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        void rethrow() {
            Throwable t = error;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new RuntimeException(t);
            }
        }
    }

    private final class Worker extends Thread {
        private final int index;

        Worker(int index) {
            super("freeanchor-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        WorkerPool pool() {
            return WorkerPool.this;
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                Job job;
                synchronized (signal) {
                    while (!closed && generation == seen) {
                        try {
                            signal.wait();
                        } catch (InterruptedException e) {
                            // only close() ends a worker
                        }
                    }
                    if (closed) {
                        return;
                    }
                    seen = generation;
                    job = current;
                }
                if (job != null) {
                    job.work(index);
                }
            }
        }
    }
}

package org.seqlab.core;

import org.seqlab.core.train.EpochRecord;
import org.seqlab.core.train.TrainingListener;

/**
 * Watches one model's run: samples the process's memory every {@value #PERIOD_MS} ms on a daemon
 * thread, keeps the peaks for the results, and enforces the off-heap budget. The training thread
 * learns of an overrun at its next step or epoch ({@link #guard}); it then collects garbage once
 * and, if the memory is really in use, stops the run with {@link MemoryBudgetExceeded}, which
 * names the model, what it used and what to change. Checking costs a volatile read per step.
 *
 * <p>ND4J (like every JavaCPP library) frees an array's native memory when the GC collects its
 * small Java wrapper; wrappers that reached the old generation wait for a full collection, which a
 * run with a small heap rarely needs. So when the resident set has grown by {@value #COLLECT_GROWTH_MB}
 * MB since the last collection, the watcher asks for one (at most every {@value #COLLECT_EVERY_MS} ms):
 * garbage can never pile up into gigabytes, whatever a library leaves behind.
 *
 * <p>Last line of defence: at {@value #KILL_FRACTION} of physical memory the kernel's OOM killer is
 * close, so the watcher itself prints the same kind of line and exits with status 2. Finished
 * models and the best checkpoint so far are already on disk (every write is temp file + rename).
 */
public final class MemoryWatch implements AutoCloseable {
    static final long PERIOD_MS = 100;
    static final double KILL_FRACTION = 0.92;
    static final long COLLECT_GROWTH_MB = 256;
    static final long COLLECT_EVERY_MS = 5000;

    /** What a run used: the peak resident set and the peak resident memory outside the Java heap. */
    public record Peak(long rssBytes, long offHeapBytes) {}

    private final String model;
    private final MemoryBudget budget;
    private final Thread sampler;
    private final long killAt;
    private final boolean kernelPeak;
    private volatile boolean running = true;
    private volatile long offHeap, peakRss, peakOffHeap;
    private long heapResident, samples, lastCollect;
    private volatile long afterCollect;

    /** Starts watching {@code model}'s run under {@code budget}. */
    public MemoryWatch(String model, MemoryBudget budget) {
        this.model = model;
        this.budget = budget;
        long physical = MemoryUse.physicalBytes();
        this.killAt = physical > 0 ? (long) (KILL_FRACTION * physical) : Long.MAX_VALUE;
        kernelPeak = MemoryUse.resetPeak();
        afterCollect = sample(true).rssBytes();
        sampler = new Thread(this::loop, "seqlab-memory-" + model);
        sampler.setDaemon(true);
        sampler.start();
    }

    private void loop() {
        while (running) {
            MemoryUse m = sample(false);
            if (m.rssBytes() > killAt) {
                System.err.println("seqlab: error: " + model + " used " + MemoryUse.gb(m.rssBytes()) + " of this machine's "
                        + MemoryUse.gb(MemoryUse.physicalBytes()) + " of memory; stopping before the system kills the process. "
                        + budget.advice() + " Finished models are kept: run the same command again to resume.");
                System.exit(2);
            }
            long now = System.currentTimeMillis();
            if (m.rssBytes() - afterCollect > COLLECT_GROWTH_MB << 20 && now - lastCollect > COLLECT_EVERY_MS) {
                System.gc();
                lastCollect = now;
                afterCollect = collected();
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The resident set once ND4J's deallocator threads have freed what a collection found. */
    private static long collected() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return MemoryUse.rssNow();
    }

    /** RSS every time; the heap's resident size (a read of the memory map) every tenth time or when asked. */
    private synchronized MemoryUse sample(boolean full) {
        if (full || samples++ % 10 == 0) heapResident = MemoryUse.now().heapBytes();
        MemoryUse m = new MemoryUse(MemoryUse.rssNow(), heapResident);
        offHeap = m.offHeapBytes();
        if (m.rssBytes() > peakRss) peakRss = m.rssBytes();
        if (offHeap > peakOffHeap) peakOffHeap = offHeap;
        return m;
    }

    /**
     * Throws {@link MemoryBudgetExceeded} when the off-heap memory is over the budget after one
     * garbage collection (ND4J frees an array's memory only when the GC finds its Java object).
     */
    public void check(String where) {
        if (offHeap <= budget.offHeapBytes()) return;
        System.gc();
        afterCollect = collected();
        MemoryUse m = sample(true);
        if (m.offHeapBytes() > budget.offHeapBytes())
            throw new MemoryBudgetExceeded(model + " needs more memory than allowed: " + MemoryUse.gb(m.offHeapBytes())
                    + " outside the Java heap " + where + ", over the budget of " + MemoryUse.gb(budget.offHeapBytes())
                    + " (" + budget.source() + "). " + budget.advice()
                    + " Finished models are kept: run the same command again to resume.");
    }

    /** {@code listener} with a budget check after every step and every validation. */
    public TrainingListener guard(TrainingListener listener) {
        return new TrainingListener() {
            @Override public void onStart(String run, long totalSteps) { listener.onStart(run, totalSteps); }

            @Override
            public void onStep(long step, double smoothedLoss, double lr) {
                listener.onStep(step, smoothedLoss, lr);
                check("at step " + step);
            }

            @Override
            public void onEpoch(EpochRecord record) {
                listener.onEpoch(record);
                check("after validating epoch " + record.epoch());
            }

            @Override public String stopAfter(EpochRecord record) { return listener.stopAfter(record); }
            @Override public void onMessage(String message) { listener.onMessage(message); }
            @Override public void onEnd() { listener.onEnd(); }
        };
    }

    /** Stops watching; returns the peaks seen (the kernel's own peak RSS where it keeps one). */
    public Peak stop() {
        running = false;
        sampler.interrupt();
        sample(true);
        return new Peak(kernelPeak ? Math.max(peakRss, MemoryUse.peakRssBytes()) : peakRss, peakOffHeap);
    }

    @Override
    public void close() {
        stop();
    }

    /** A run stopped because it needed more memory than its budget allows. */
    public static final class MemoryBudgetExceeded extends UserException {
        public MemoryBudgetExceeded(String message) {
            super(message);
        }
    }
}

package org.seqlab.core;

import org.seqlab.core.train.EpochRecord;
import org.seqlab.core.train.TrainingListener;

/**
 * Watches one model's run: samples the process's memory every {@value #PERIOD_MS} ms on a daemon
 * thread, keeps the peaks for the results, and enforces the off-heap budget. The training thread
 * learns of an overrun at its next step or epoch ({@link #guard}); it then collects garbage once
 * and, if the memory is really in use, stops the run with {@link MemoryBudgetExceeded}, which
 * names the model, what it used, its limit and what to change. Checking costs a volatile read per step.
 *
 * <p>Several runs can train in one JVM at once (a sweep's workers, Spark tasks of one executor).
 * The budget is then shared: a run's limit is the budget ÷ the runs in flight, and its part of the
 * process's memory outside the heap is an equal part of what the process used before any of them
 * started plus a part of the rest in proportion to its model's parameters ({@link #weigh}): the
 * kernel counts a process's memory, not a thread's, so that is an estimate, and the run over its
 * limit is stopped alone while the others go on. The peaks a run reports are then the process's,
 * and say so ({@link Peak#sharedWith}); alone, they are its own.
 *
 * <p>ND4J (like every JavaCPP library) frees an array's native memory when the GC collects its
 * small Java wrapper; wrappers that reached the old generation wait for a full collection, which a
 * run with a small heap rarely needs. So when the resident set has grown by {@value #COLLECT_GROWTH_MB}
 * MB since the last collection, the watcher asks for one (at most every {@value #COLLECT_EVERY_MS} ms):
 * garbage can never pile up into gigabytes, whatever a library leaves behind.
 *
 * <p>Last line of defence: at {@value #KILL_FRACTION} of physical memory the kernel's OOM killer is
 * close, so the run with the largest model in flight is stopped at its next step, with the same
 * kind of message; never the process (no {@code System.exit} here: in a sweep that would end every
 * trial, on Spark the executor). Finished models and the best checkpoint so far are already on
 * disk (every write is temp file + rename).
 */
public final class MemoryWatch implements AutoCloseable {
    static final long PERIOD_MS = 100;
    static final double KILL_FRACTION = 0.92;
    static final long COLLECT_GROWTH_MB = 256;
    static final long COLLECT_EVERY_MS = 5000;

    /** The runs being watched in this JVM now; guarded by itself. */
    private static final java.util.Set<MemoryWatch> LIVE = new java.util.LinkedHashSet<>();
    /** The process's memory outside the heap when the first of the runs in flight started. */
    private static long baseline;

    /**
     * What a run used: the peak resident set and the peak resident memory outside the Java heap.
     *
     * @param sharedWith the most runs in flight at once while it ran: 1, the figures are its own;
     *                   more, they are the process's, shared with the others
     */
    public record Peak(long rssBytes, long offHeapBytes, int sharedWith) {}

    private final String model;
    private final MemoryBudget budget;
    private final Thread sampler;
    private final long killAt;
    private final boolean kernelPeak;
    private volatile boolean running = true, stopNow;
    private volatile long offHeap, peakRss, peakOffHeap;
    private long heapResident, samples, lastCollect;
    private volatile long afterCollect;
    private volatile double weight;            // its model's parameters; 0 while the model is being built
    private int sharedWith = 1;                 // guarded by LIVE

    /** Starts watching {@code model}'s run under {@code budget} (shared with the runs in flight beside it). */
    public MemoryWatch(String model, MemoryBudget budget) {
        this.model = model;
        this.budget = budget;
        long physical = MemoryUse.physicalBytes();
        this.killAt = physical > 0 ? (long) (KILL_FRACTION * physical) : Long.MAX_VALUE;
        boolean alone;
        synchronized (LIVE) {
            alone = LIVE.isEmpty();
            LIVE.add(this);
            for (MemoryWatch w : LIVE) w.sharedWith = Math.max(w.sharedWith, LIVE.size());
        }
        // the kernel's peak is the process's: reset it only for a run alone, never under another's feet
        kernelPeak = alone && MemoryUse.resetPeak();
        afterCollect = sample(true).rssBytes();
        if (alone) synchronized (LIVE) {
            baseline = offHeap;
        }
        sampler = new Thread(this::loop, "seqlab-memory-" + model);
        sampler.setDaemon(true);
        sampler.start();
    }

    /** The model's parameters: its weight when the process's memory is shared out among the runs in flight. */
    public void weigh(long parameters) {
        weight = Math.max(1, parameters);
    }

    /** Whether a run beside this one is still building its model: what it allocates has no weight to share out yet. */
    private boolean anotherUnweighed() {
        synchronized (LIVE) {
            for (MemoryWatch w : LIVE) if (w != this && w.weight == 0) return true;
            return false;
        }
    }

    /** This run's limit now: the budget ÷ the runs in flight. */
    public long limit() {
        synchronized (LIVE) {
            return budget.offHeapBytes() / Math.max(1, LIVE.size());
        }
    }

    /** This run's part of {@code processOffHeap}: all of it alone, else as the class comment says. */
    long ownOffHeap(long processOffHeap) {
        synchronized (LIVE) {
            int n = LIVE.size();
            if (n <= 1 || !LIVE.contains(this)) return processOffHeap;
            double total = 0;
            for (MemoryWatch w : LIVE) total += Math.max(1, w.weight);
            baseline = Math.min(baseline, processOffHeap);     // what finished runs left behind, as it is freed
            return baseline / n + (long) ((processOffHeap - baseline) * (Math.max(1, weight) / total));
        }
    }

    /** The run in flight with the largest model: the one to stop when the machine runs short. */
    private static MemoryWatch heaviest() {
        synchronized (LIVE) {
            MemoryWatch h = null;
            for (MemoryWatch w : LIVE) if (h == null || w.weight > h.weight) h = w;
            return h;
        }
    }

    private void loop() {
        while (running) {
            MemoryUse m = sample(false);
            if (m.rssBytes() > killAt) {
                MemoryWatch h = heaviest();
                if (h != null) h.stopNow = true;          // stopped at its next step, not the process
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
     * Throws {@link MemoryBudgetExceeded} when this run's memory outside the heap is over its limit
     * after one garbage collection (ND4J frees an array's memory only when the GC finds its Java
     * object), or when the machine is nearly full and this run's model is the largest in flight.
     */
    public void check(String where) {
        if (!stopNow && offHeap <= limit()) return;    // the whole process within one run's limit: nothing to share out
        if (!stopNow && ownOffHeap(offHeap) <= limit()) return;
        if (!stopNow && anotherUnweighed()) return;    // judged at the next step, once every model in flight has its weight
        System.gc();
        afterCollect = collected();
        MemoryUse m = sample(true);
        if (stopNow) {
            stopNow = false;
            if (m.rssBytes() > killAt)
                throw new MemoryBudgetExceeded(model + " stopped before the system kills the process: it holds the largest model "
                        + "while the process uses " + MemoryUse.gb(m.rssBytes()) + " of this machine's " + MemoryUse.gb(MemoryUse.physicalBytes())
                        + " of memory (the limit is " + Math.round(KILL_FRACTION * 100) + "%) " + where + ". " + budget.advice()
                        + " Finished models are kept: run the same command again to resume.");
        }
        long own = ownOffHeap(m.offHeapBytes()), limit = limit();
        if (own <= limit) return;
        int n = inFlight();
        String shared = n <= 1 ? "" : " (its estimated part of the process's " + MemoryUse.gb(m.offHeapBytes()) + ", shared among "
                + n + " runs in flight in proportion to their parameters)";
        throw new MemoryBudgetExceeded(model + " needs more memory than allowed: " + MemoryUse.gb(own)
                + " outside the Java heap " + where + shared + ", over the budget of " + MemoryUse.gb(limit)
                + " (" + budget.source() + (n <= 1 ? "" : " ÷ " + n + " runs in flight") + "). " + budget.advice()
                + " Finished models are kept: run the same command again to resume.");
    }

    private static int inFlight() {
        synchronized (LIVE) {
            return LIVE.size();
        }
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

    /**
     * Stops watching; returns the peaks seen (the kernel's own peak RSS where it keeps one and this
     * run was alone), and how many runs shared the process meanwhile.
     */
    public Peak stop() {
        running = false;
        sampler.interrupt();
        sample(true);
        int shared;
        synchronized (LIVE) {
            // what it still holds until its arrays are freed belongs to no run in flight: shared out equally
            if (LIVE.size() > 1) baseline += ownOffHeap(offHeap) - baseline / LIVE.size();
            LIVE.remove(this);
            shared = sharedWith;
        }
        boolean own = shared <= 1;
        return new Peak(kernelPeak && own ? Math.max(peakRss, MemoryUse.peakRssBytes()) : peakRss, peakOffHeap, shared);
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

package org.seqlab.optim;

import org.nd4j.linalg.factory.Nd4j;

/**
 * This JVM's cores shared among the trials it trains at once. ND4J's BLAS thread count is one
 * setting for the whole process (OpenBLAS has no per-thread count), so it is set here, once, when
 * the first trial of a batch starts (cores ÷ trials at once, at least one) and put back when the
 * last one ends: never saved and restored around a step, where two trials' saves and restores
 * interleave and can leave both cores asked for twice. While shares of different sizes are open,
 * the smallest is in force (fewer threads are never oversubscribed); the setting changes only
 * when a share opens or closes, never around a step.
 *
 * <p>A single {@code seqlab run} takes {@code forTrials(1)}: every product on all the cores, as the
 * steps ran before. A sweep of {@code workers} takes {@code forTrials(workers)} before its first
 * trial; a Spark task takes {@code withThreads(spark.task.cpus)}.
 */
public final class CoreBudget {
    /** The cores this JVM may use. */
    public static final int CORES = Runtime.getRuntime().availableProcessors();

    /** The open shares: threads asked for → how many ask for them. */
    private static final java.util.TreeMap<Integer, Integer> OPEN = new java.util.TreeMap<>();
    private static int inForce;     // the BLAS threads set for them; 0 when none is open
    private static int before;      // the setting found when the first opened, put back when the last closes

    private CoreBudget() {}

    /** BLAS threads for each of {@code trialsAtOnce} trials: cores ÷ trials, at least one. */
    public static int threadsFor(int trialsAtOnce) {
        return Math.max(1, CORES / Math.max(1, trialsAtOnce));
    }

    /** A share for one of {@code trialsAtOnce} trials run at the same time in this JVM. */
    public static Share forTrials(int trialsAtOnce) {
        return withThreads(threadsFor(trialsAtOnce));
    }

    /** A share of {@code threads} BLAS threads (e.g. a Spark task's spark.task.cpus). */
    public static synchronized Share withThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (OPEN.isEmpty()) before = Nd4j.factory().blas().getMaxThreads();
        OPEN.merge(threads, 1, Integer::sum);
        apply();
        return new Share(threads);
    }

    /** The BLAS threads each trial has now: the open shares' setting, else ND4J's own. */
    public static synchronized int threads() {
        return OPEN.isEmpty() ? Nd4j.factory().blas().getMaxThreads() : inForce;
    }

    /** The smallest open share's threads in force, or ND4J's own setting back when none is open; set only on a change. */
    private static void apply() {
        int want = OPEN.isEmpty() ? before : OPEN.firstKey();
        if (want != inForce || OPEN.isEmpty()) Nd4j.factory().blas().setMaxThreads(want);
        inForce = OPEN.isEmpty() ? 0 : want;
    }

    private static synchronized void release(int threads) {
        if (OPEN.merge(threads, -1, Integer::sum) == 0) OPEN.remove(threads);
        apply();
    }

    /** One trial's (or one batch of trials') hold on the setting; closing the last puts ND4J's own back. */
    public static final class Share implements AutoCloseable {
        private final int asked;
        private boolean open = true;

        private Share(int asked) {
            this.asked = asked;
        }

        /** The BLAS threads the trial runs on. */
        public int threads() {
            return CoreBudget.threads();
        }

        @Override
        public void close() {
            synchronized (CoreBudget.class) {
                if (!open) return;
                open = false;
                release(asked);
            }
        }
    }
}

package org.seqlab.optim;

import org.nd4j.linalg.factory.Nd4j;

/**
 * This JVM's cores shared among the trials it trains at once. ND4J's BLAS thread count is one
 * setting for the whole process (OpenBLAS has no per-thread count), so it is set here, once, when
 * the first trial of a batch starts (cores ÷ trials at once, at least one) and put back when the
 * last one ends: never saved and restored around a step, where two trials' saves and restores
 * interleave and can leave both cores asked for twice. A later share that asks for fewer threads
 * lowers the setting (fewer is never oversubscribed); one that asks for more leaves it.
 *
 * <p>A single {@code seqlab run} takes {@code forTrials(1)}: every product on all the cores, as the
 * steps ran before. A sweep of {@code workers} takes {@code forTrials(workers)} before its first
 * trial; a Spark task takes {@code withThreads(spark.task.cpus)}.
 */
public final class CoreBudget {
    /** The cores this JVM may use. */
    public static final int CORES = Runtime.getRuntime().availableProcessors();

    private static int holders;     // shares open now
    private static int inForce;     // the BLAS threads they set; 0 when none is open
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
        if (holders == 0) {
            before = Nd4j.factory().blas().getMaxThreads();
            set(threads);
        } else if (threads < inForce) {
            set(threads);
        }
        holders++;
        return new Share();
    }

    /** The BLAS threads each trial has now: the open shares' setting, else ND4J's own. */
    public static synchronized int threads() {
        return holders > 0 ? inForce : Nd4j.factory().blas().getMaxThreads();
    }

    private static void set(int threads) {
        inForce = threads;
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    private static synchronized void release() {
        if (--holders == 0) {
            inForce = 0;
            Nd4j.factory().blas().setMaxThreads(before);
        }
    }

    /** One trial's (or one batch of trials') hold on the setting; closing the last puts ND4J's own back. */
    public static final class Share implements AutoCloseable {
        private boolean open = true;

        private Share() {}

        /** The BLAS threads the trial runs on. */
        public int threads() {
            return CoreBudget.threads();
        }

        @Override
        public void close() {
            synchronized (CoreBudget.class) {
                if (!open) return;
                open = false;
                release();
            }
        }
    }
}

package org.seqlab.transformer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Silences System.out for the calling thread only. SameDiff M2.1 prints a line per differentiated op
 * while it builds a backward graph (an unconditional println in createGradFunction). Swapping
 * System.out for the whole JVM during the build also muted whatever another thread printed then,
 * e.g. the other trial of a two-worker sweep; here System.out is wrapped once by a stream that
 * drops only the bytes of a thread inside {@link #run}.
 */
final class MutedOutput extends OutputStream {
    private static final ThreadLocal<Boolean> MUTED = ThreadLocal.withInitial(() -> false);
    private final PrintStream target;

    private MutedOutput(PrintStream target) {
        this.target = target;
    }

    /** Runs {@code r} with this thread's System.out output dropped; other threads print as before. */
    static void run(Runnable r) {
        install();
        MUTED.set(true);
        try {
            r.run();
        } finally {
            MUTED.set(false);
        }
    }

    private static synchronized void install() {
        if (!(System.out instanceof Muting)) System.setOut(new Muting(new MutedOutput(System.out)));
    }

    /** Marks a System.out that already filters, so that it is wrapped once. */
    private static final class Muting extends PrintStream {
        Muting(MutedOutput out) {
            super(out, true);
        }
    }

    @Override
    public void write(int b) {
        if (!MUTED.get()) target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (!MUTED.get()) target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        target.flush();
    }
}

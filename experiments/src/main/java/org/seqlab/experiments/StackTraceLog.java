package org.seqlab.experiments;

import org.seqlab.core.AtomicFiles;
import org.seqlab.core.UserException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A model or trial that failed for an internal reason (a bug: a NullPointerException, say): its
 * stack trace goes to a file beside its results, which the console and the report name, and the
 * command exits 1. Bad input (one line, exit 2), a disk problem, a diverged model and a trial
 * stopped by ASHA or the median rule are no internal errors.
 */
public final class StackTraceLog {
    private StackTraceLog() {}

    /** Whether {@code e} is a bug rather than bad input or the disk's failure. */
    public static boolean internal(Throwable e) {
        return !(e instanceof UserException) && !(e instanceof RuntimeException r && FileProblem.describe(r) != null);
    }

    /** Writes {@code e}'s stack trace, headed by {@code what} failed and when, to {@code file} (temp file + rename). */
    public static void write(Path file, String what, Throwable e) throws IOException {
        StringWriter trace = new StringWriter();
        try (PrintWriter w = new PrintWriter(trace)) {
            w.println(what + " failed with an internal error at " + Instant.now() + " (a bug in seqlab or a library: please report it with this file)");
            e.printStackTrace(w);
        }
        AtomicFiles.writeString(file, trace.toString());
    }
}

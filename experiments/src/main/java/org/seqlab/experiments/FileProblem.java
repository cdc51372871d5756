package org.seqlab.experiments;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A file-system failure (an output path that is a file or not writable, a full disk) anywhere in an
 * exception's cause chain. It is the machine's problem, not the model's: a run or a sweep stops with
 * one line (exit 2) instead of recording the model or trial as failed, so the same command, once
 * there is room, trains it. Files are written to a temporary file and renamed, so what a failed
 * write leaves is the old file.
 */
public final class FileProblem {
    private FileProblem() {}

    /** One line naming the path and what to do, or null when {@code e} is not a file-system failure. */
    public static String describe(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) chain.add(t);
        Collections.reverse(chain);                // the innermost cause says it plainest
        Throwable full = null;                     // a full disk, said with the file's name where a wrapper added it
        for (Throwable t : chain)
            if (diskFull(t) && (full == null || t instanceof FileSystemException && !(full instanceof FileSystemException))) full = t;
        if (full != null) {
            String m = full.getMessage();
            return "cannot write" + (full instanceof FileSystemException ? " " : ": ") + m.lines().findFirst().orElse(m)
                    + ". Free some space or write elsewhere with --out; "
                    + "finished models and files written so far are kept, and the same command resumes";
        }
        for (Throwable t : chain) {
            if (t instanceof FileSystemException fs) {
                String what = fs instanceof FileAlreadyExistsException ? "exists and is not a directory"
                        : fs instanceof AccessDeniedException ? "permission denied"
                        : fs instanceof NotDirectoryException ? "a part of the path is not a directory"
                        : fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName();
                return "cannot write " + fs.getFile() + ": " + what + " (choose another --out, or fix the path or its permissions)";
            }
        }
        return null;
    }

    private static boolean diskFull(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return m.contains("No space left on device") || m.contains("File too large") || m.contains("Disk quota exceeded");
    }

    /** Rethrows {@code e} when it is a file-system failure, so that no model or trial is recorded as failed for it. */
    public static void rethrowIfAny(RuntimeException e) {
        if (describe(e) != null) throw e;
    }
}

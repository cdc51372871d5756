package org.seqlab.experiments.cli;

import org.seqlab.core.FieldException;
import org.seqlab.core.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code seqlab}: the command line. User errors (bad config, bad data) are one line on stderr and
 * exit code 2; stack traces only with {@code --debug}.
 */
@Command(name = "seqlab", mixinStandardHelpOptions = true, version = "seqlab 0.1.0",
        scope = picocli.CommandLine.ScopeType.INHERIT,      // --help and --version on every subcommand
        description = "Train and compare sequence models side by side.",
        subcommands = {RunCommand.class, SweepCommand.class, ReportCommand.class, SampleCommand.class, FamiliesCommand.class, BenchCommand.class,
                DatasetsCommand.class})
public final class Main implements Runnable {
    public static final int USER_ERROR = 2;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: run, sweep, report, sample, families, bench or datasets");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.err, true), args);
    }

    /**
     * A file-system failure anywhere in the cause chain (an output path that is a file or not
     * writable, a full disk) as one line naming the path and what to do; null for anything else.
     * Files are written to a temporary file and renamed, so a failed write leaves the old file.
     */
    public static String fileProblem(Throwable e) {
        java.util.List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) chain.add(t);
        java.util.Collections.reverse(chain);                // the innermost cause says it plainest
        for (Throwable t : chain) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("No space left on device") || m.contains("File too large") || m.contains("Disk quota exceeded"))
                return "cannot write: " + m.lines().findFirst().orElse(m) + ". Free some space or write elsewhere with --out; "
                        + "finished models and files written so far are kept, and the same command resumes";
            if (t instanceof java.nio.file.FileSystemException fs) {
                String what = fs instanceof java.nio.file.FileAlreadyExistsException ? "exists and is not a directory"
                        : fs instanceof java.nio.file.AccessDeniedException ? "permission denied"
                        : fs instanceof java.nio.file.NotDirectoryException ? "a part of the path is not a directory"
                        : fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName();
                return "cannot write " + fs.getFile() + ": " + what + " (choose another --out, or fix the path or its permissions)";
            }
        }
        return null;
    }

    /** Runs the CLI with errors going to {@code err}; returns the exit code. */
    public static int execute(java.io.PrintWriter err, String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserException || e instanceof FieldException) {
                cmd.getErr().println("seqlab: error: " + e.getMessage());
                if (debug) e.printStackTrace(cmd.getErr());
                return USER_ERROR;
            }
            String files = fileProblem(e);
            if (files != null) {
                cmd.getErr().println("seqlab: error: " + files);
                if (debug) e.printStackTrace(cmd.getErr());
                return USER_ERROR;
            }
            cmd.getErr().println("seqlab: internal error: " + e + (debug ? "" : " (rerun with --debug for the stack trace)"));
            if (debug) e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}

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
        subcommands = {RunCommand.class, SweepCommand.class, ReportCommand.class, CompareCommand.class, SampleCommand.class, RenderCommand.class, FamiliesCommand.class,
                BenchCommand.class, DatasetsCommand.class})
public final class Main implements Runnable {
    public static final int USER_ERROR = 2;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: run, sweep, report, compare, sample, render, families, bench or datasets");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.err, true), args);
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
            String files = org.seqlab.experiments.FileProblem.describe(e);
            if (files == null) files = org.seqlab.experiments.MalformedFile.describe(e);
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

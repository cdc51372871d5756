package org.seqlab.experiments.cli;

import org.seqlab.core.FieldException;
import org.seqlab.core.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;

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

    @CommandLine.Option(names = "--dry-run", scope = CommandLine.ScopeType.INHERIT,
            description = "check the arguments and the files they name (an experiment loads and validates with its --set and extends, "
                    + "its data is found), then stop with exit code 0 without training, downloading or writing anything")
    boolean dryRun;     // read through isDryRun: the field of an inherited flag is not to be trusted

    /** Where relative paths on the command line (and an experiment's relative data source) start from. */
    private final Path workDir;

    public Main() {
        this(Path.of(""));
    }

    private Main(Path workDir) {
        this.workDir = workDir;
    }

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
        return execute(Path.of(""), new java.io.PrintWriter(System.out, true), err, args);
    }

    /**
     * Runs the CLI as if started in {@code workDir} (relative paths resolve against it; the docs
     * test runs the README's commands from the project's root this way), printing to {@code out}
     * and {@code err}; returns the exit code.
     */
    public static int execute(Path workDir, java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        Main main = new Main(workDir);
        CommandLine cl = new CommandLine(main);
        cl.registerConverter(Path.class, workDir::resolve);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionStrategy(parsed -> isDryRun(parsed) ? main.dryRun(parsed) : new CommandLine.RunLast().execute(parsed));
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

    /**
     * Whether {@code --dry-run} is on the command line, before or after any command name (read from
     * what was matched, not from the option's field: an inherited flag given at two levels must not
     * cancel itself out).
     */
    static boolean isDryRun(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult r = parsed; r != null; r = r.hasSubcommand() ? r.subcommand() : null)
            if (r.hasMatchedOption("--dry-run")) return true;
        return false;
    }

    /** Where a command finds the project (the default files of a bench): $SEQLAB_HOME, which the launcher sets, else {@code workDir}. */
    static Path home(Path workDir) {
        String home = System.getenv("SEQLAB_HOME");
        return home != null ? Path.of(home) : workDir.toAbsolutePath();
    }

    /**
     * {@code --dry-run}: the command line has parsed; the command checks what it would read
     * ({@link DryRun}), prints what it checked and stops. A command with nothing to read beyond its
     * arguments (families, datasets list, bench report) stops at the parse.
     */
    private int dryRun(CommandLine.ParseResult parsed) {
        if (CommandLine.printHelpIfRequested(parsed)) return 0;
        CommandLine.ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) leaf = leaf.subcommand();
        CommandLine cmd = leaf.commandSpec().commandLine();
        Object command = leaf.commandSpec().userObject();
        if (!(command instanceof java.util.concurrent.Callable<?>)) {
            ((Runnable) command).run();                       // a group named without its command: says which to name
            return 0;
        }
        java.util.List<String> checked;
        try {
            checked = command instanceof DryRun d ? d.check(workDir) : java.util.List.of();
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (Exception e) {
            throw new CommandLine.ExecutionException(cmd, "dry run", e);
        }
        cmd.getOut().println("seqlab: dry run: " + (checked.isEmpty() ? "the arguments parse" : String.join("; ", checked))
                + "; nothing was run");
        cmd.getOut().flush();
        return 0;
    }
}

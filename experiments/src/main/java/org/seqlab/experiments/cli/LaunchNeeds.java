package org.seqlab.experiments.cli;

import picocli.CommandLine;

/**
 * What the launcher asks before it starts the JVM that runs a command: whether that command needs
 * Spark's module and jars on the class path. Decided from the parsed command line and its
 * configuration (an option anywhere, {@code --set sweep.spark.master=...}, a {@code spark:} section
 * in a file or a base it extends), so Spark's ~190 MB of jars stay off every other command's path.
 */
public final class LaunchNeeds {
    private LaunchNeeds() {}

    /** A command that may need Spark, decided once its options are parsed. */
    interface SparkUser {
        boolean needsSpark();
    }

    /** Prints "spark" or "plain" for the command line {@code args}. */
    public static void main(String[] args) {
        System.out.println(needsSpark(args) ? "spark" : "plain");
        System.exit(0);
    }

    static boolean needsSpark(String... args) {
        try {
            CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs(args);
            if (Main.isDryRun(r)) return false;                     // a dry run starts nothing
            while (r.hasSubcommand()) r = r.subcommand();
            return r.commandSpec().userObject() instanceof SparkUser u && u.needsSpark();
        } catch (RuntimeException bad) {
            return false;       // bad arguments or configuration: the command itself says so, and needs no Spark to
        }
    }
}

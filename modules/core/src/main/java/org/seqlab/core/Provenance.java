package org.seqlab.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Where a result came from, written as {@code provenance.json} beside it (after Tribuo): enough to
 * trace and rerun any number in a report. Times are ISO-8601 UTC. {@code dataset} is what was read
 * and how: source, registry name, hash, tokenizer, vocabulary size, split method and seed.
 */
public record Provenance(String experiment, String gitCommit, Boolean gitDirty, Object config, String datasetName,
                         String datasetSha256, String datasetSource, long seed, String jvm, String os,
                         String backend, String startTime, String endTime, String command, Object dataset) {

    public Provenance finished(Instant end) {
        String endTime = end.toString();
        return new Provenance(experiment, gitCommit, gitDirty, config, datasetName, datasetSha256, datasetSource,
                seed, jvm, os, backend, startTime, endTime, command, dataset);
    }

    public static String jvmDescription() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vendor") + ")";
    }

    public static String osDescription() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }

    /** The commit of the git work tree containing {@code dir}, or null when there is none. */
    public static String gitCommit(Path dir) {
        return git(dir, "rev-parse", "HEAD");
    }

    /** Whether tracked files differ from the commit; null when unknown. */
    public static Boolean gitDirty(Path dir) {
        if (gitCommit(dir) == null) return null;
        String status = git(dir, "status", "--porcelain", "--untracked-files=no");
        return status == null ? null : !status.isBlank();
    }

    private static String git(Path dir, String... args) {
        try {
            String[] cmd = new String[args.length + 3];
            cmd[0] = "git";
            cmd[1] = "-C";
            cmd[2] = dir.toAbsolutePath().toString();
            System.arraycopy(args, 0, cmd, 3, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getErrorStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

}

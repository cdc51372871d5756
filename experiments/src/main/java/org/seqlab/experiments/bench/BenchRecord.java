package org.seqlab.experiments.bench;

import org.seqlab.core.Json;
import org.seqlab.core.Provenance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one {@code seqlab bench ...} measured, kept as a small JSON file under
 * {@code reports/bench/}: its figures (the {@code name=value} lines it printed), the command, the
 * date, the commit, the machine and whether it was quiet, the shell lines that repeat its peers by
 * hand, and everything it printed. {@code seqlab bench report} builds the results page from the
 * latest record of each bench, so that no figure is typed by hand.
 */
public record BenchRecord(String bench, String command, String date, String commit, Boolean dirty, String cpu, int cores,
                          String loadBefore, Boolean quiet, Map<String, Double> figures, List<String> byHand, List<String> log) {
    private static final Pattern FIGURE = Pattern.compile("^([a-z][a-z0-9_]*)=([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN)$");
    private static final Pattern BY_HAND = Pattern.compile("by hand, from your shell: (.*)\\)$");
    private static final Pattern LOAD = Pattern.compile("load average ([0-9. ]+),");

    /** A bench that prints to {@code out}. */
    public interface Body {
        void run(PrintStream out) throws Exception;
    }

    /** Where the records live: {@code reports/bench} of the project the launcher runs from; null without the launcher (tests, an IDE). */
    public static Path directory() {
        String home = System.getenv("SEQLAB_HOME");
        return home == null ? null : Path.of(home).resolve("reports").resolve("bench");
    }

    /**
     * Runs {@code bench} with its output going to {@code out} and to a record, which is written to
     * {@code dir} (none when null) once the bench returns; a bench that throws leaves no record.
     */
    public static BenchRecord capture(String bench, String command, PrintStream out, Path dir, Body body) throws Exception {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(new OutputStream() {
            @Override public void write(int b) {
                out.write(b);
                copy.write(b);
            }

            @Override public void write(byte[] b, int off, int len) {
                out.write(b, off, len);
                copy.write(b, off, len);
            }

            @Override public void flush() {
                out.flush();
            }
        }, true, StandardCharsets.UTF_8);
        Instant start = Instant.now();
        body.run(both);
        both.flush();
        Path root = Peer.projectRoot();
        BenchRecord r = of(bench, command, start, Provenance.gitCommit(root), Provenance.gitDirty(root),
                copy.toString(StandardCharsets.UTF_8));
        if (dir != null && !r.figures().isEmpty()) {
            Path file = dir.resolve(bench + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(start) + ".json");
            Files.createDirectories(dir);
            Json.writeFile(file, r);
            out.println("record: " + file + " (seqlab bench report puts it on docs/results.md)");
        }
        return r;
    }

    /** The record of a bench that printed {@code text}. */
    static BenchRecord of(String bench, String command, Instant start, String commit, Boolean dirty, String text) {
        Map<String, Double> figures = new LinkedHashMap<>();
        List<String> byHand = new ArrayList<>(), log = text.lines().toList();
        String load = null;
        Boolean quiet = null;                              // unknown: the bench did not look

        for (String line : log) {
            Matcher f = FIGURE.matcher(line.strip()), h = BY_HAND.matcher(line), l = LOAD.matcher(line);
            if (f.matches()) figures.put(f.group(1), Double.parseDouble(f.group(2)));
            if (h.find() && !byHand.contains(h.group(1))) byHand.add(h.group(1));
            if (load == null && l.find()) {
                load = l.group(1).strip();
                if (quiet == null) quiet = true;
            }
            if (line.startsWith("warning: the machine is busy")) quiet = false;
        }
        return new BenchRecord(bench, command, start.toString(), commit, dirty, cpuModel(), Runtime.getRuntime().availableProcessors(),
                load, quiet, figures, byHand, log);
    }

    /** The CPU's model name from /proc/cpuinfo, or the architecture where it cannot be read. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        } catch (IOException | RuntimeException e) {
            // below
        }
        return System.getProperty("os.arch");
    }

    /** Reads a record, or throws a user error naming the file. */
    public static BenchRecord read(Path file) {
        try {
            return Json.MAPPER.readerFor(BenchRecord.class)
                    .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(file.toFile());
        } catch (IOException e) {
            throw new org.seqlab.core.UserException(file + ": not a bench record (" + e.getClass().getSimpleName() + ")");
        }
    }
}

package org.seqlab.experiments.sweep;

import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code trials.jsonl}: one JSON line per finished trial, appended with a single write and fsync
 * under a lock, so parallel workers never interleave and a crash leaves at most one torn last line,
 * which {@link #readRepairing} drops when the sweep starts again (that trial then runs again).
 */
public final class TrialLog {
    /**
     * One finished trial.
     *
     * @param log a trial that failed for an internal reason (a bug): its stack trace's file, relative to
     *            the sweep's directory (null otherwise)
     */
    public record Trial(int trial, Map<String, Object> params, String status, Double metric, Map<String, Object> metrics,
                 Double seconds, String error, String out, String log) {
        public Trial(int trial, Map<String, Object> params, String status, Double metric, Map<String, Object> metrics,
                     Double seconds, String error, String out) {
            this(trial, params, status, metric, metrics, seconds, error, out, null);
        }
    }

    /** The file read once: its trials (first record per trial number), its intact lines, and whether any line was not. */
    private record Parsed(List<Trial> trials, String intact, boolean torn) {}

    private final Path file;

    TrialLog(Path file) {
        this.file = file;
    }

    synchronized void append(Trial t) throws IOException {
        String line = Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(t) + "\n";
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            long before = ch.size();
            try {
                ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            } catch (IOException e) {
                // a full disk tears the write: cut the part line off, or the next record would run into it
                try {
                    ch.truncate(before);
                } catch (IOException ignored) {
                    // the next start drops the torn line (readRepairing)
                }
                throw e;
            }
        } catch (IOException e) {
            throw AtomicFiles.naming(file, e);
        }
    }

    /**
     * The finished trials, after dropping from the file (atomically) the lines a crash cut short or
     * that are not trial records, so the log holds finished trials only before anything is appended.
     */
    synchronized List<Trial> readRepairing() throws IOException {
        Parsed p = parse();
        if (p.torn()) AtomicFiles.writeString(file, p.intact());
        return p.trials();
    }

    /** The finished trials, first record per trial number; torn or unreadable lines are skipped. */
    List<Trial> read() throws IOException {
        return parse().trials();
    }

    private Parsed parse() throws IOException {
        List<Trial> trials = new ArrayList<>();
        StringBuilder intact = new StringBuilder();
        boolean torn = false;
        if (!Files.exists(file)) return new Parsed(trials, "", false);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                Trial t = Json.MAPPER.treeToValue(Json.MAPPER.readTree(line), Trial.class);
                if (seen.add(t.trial())) trials.add(t);
                intact.append(line).append('\n');
            } catch (IOException cut) {
                torn = true;                  // a line cut short by a crash: that trial did not finish
            }
        }
        return new Parsed(trials, intact.toString(), torn);
    }
}

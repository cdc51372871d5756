package org.seqlab.experiments.sweep;

import com.fasterxml.jackson.databind.JsonNode;
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
 * which {@link #read} ignores (that trial then runs again).
 */
public final class TrialLog {
    /** One finished trial. */
    public record Trial(int trial, Map<String, Object> params, String status, Double metric, Map<String, Object> metrics,
                 Double seconds, String error, String out) {}

    private final Path file;

    TrialLog(Path file) {
        this.file = file;
    }

    synchronized void append(Trial t) throws IOException {
        String line = Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(t) + "\n";
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file) && Files.size(file) > 0) {     // after a crash the last line may be torn: start a fresh one
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer last = ByteBuffer.allocate(1);
                in.read(last, in.size() - 1);
                if (last.get(0) != '\n') line = "\n" + line;
            }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
    }

    /**
     * Drops lines that a crash cut short (or that are not trial records), rewriting the file
     * atomically, so the log holds finished trials only and the torn trial runs again. Returns how
     * many lines were dropped.
     */
    synchronized int repair() throws IOException {
        if (!Files.exists(file)) return 0;
        StringBuilder kept = new StringBuilder();
        int dropped = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                Json.MAPPER.treeToValue(Json.MAPPER.readTree(line), Trial.class);
                kept.append(line).append('\n');
            } catch (IOException torn) {
                dropped++;
            }
        }
        if (dropped > 0) org.seqlab.core.AtomicFiles.writeString(file, kept.toString());
        return dropped;
    }

    /** The finished trials, first record per trial number; torn or unreadable lines are skipped. */
    List<Trial> read() throws IOException {
        List<Trial> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                JsonNode n = Json.MAPPER.readTree(line);
                Trial t = Json.MAPPER.treeToValue(n, Trial.class);
                if (seen.add(t.trial())) out.add(t);
            } catch (IOException torn) {
                // a line cut short by a crash: that trial did not finish
            }
        }
        return out;
    }
}

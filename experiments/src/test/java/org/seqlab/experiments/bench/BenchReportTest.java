package org.seqlab.experiments.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Json;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bench records keep what a bench printed, and the results page is made from the latest of each, dated and aged. */
class BenchReportTest {
    @TempDir
    Path dir;

    private static final String PRINTED = """
            machine: 2 cores, load average 0.10 0.20 0.30, CPU busy 3% over the last second (before measuring)
            peer torch_char.py, intra-op 1, BLAS 2, run 1: torch_lstm tokens_per_s=16793
            peer at its fastest setting: intra-op 1, BLAS 2 (by hand, from your shell: PEER_THREADS=1 python3 torch_char.py x lstm)
            handrolled_lstm_vs_torch_tokens_per_s_ratio=0.41
            lstm_vs_torch_tokens_per_s_ratio=0.39
            """;

    @Test
    void aRecordKeepsTheFiguresThePeerLineTheLoadAndWhetherTheMachineWasQuiet() {
        BenchRecord r = BenchRecord.of("lstm", "./seqlab bench lstm", Instant.parse("2026-12-07T10:00:00Z"), "abc", false, PRINTED);
        assertEquals(0.41, r.figures().get("handrolled_lstm_vs_torch_tokens_per_s_ratio"));
        assertEquals(0.39, r.figures().get("lstm_vs_torch_tokens_per_s_ratio"));
        assertEquals(2, r.figures().size(), "tokens_per_s=16793 sits inside a line: not a figure of the bench");
        assertEquals(List.of("PEER_THREADS=1 python3 torch_char.py x lstm"), r.byHand());
        assertEquals("0.10 0.20 0.30", r.loadBefore());
        assertEquals(Boolean.TRUE, r.quiet());
        assertEquals(Boolean.FALSE, BenchRecord.of("lstm", "c", Instant.now(), null, null,
                "machine: 2 cores, load average 1.9 1.0 0.5, CPU busy 80%\nwarning: the machine is busy (80%)\nx=1\n").quiet());
        assertNull(BenchRecord.of("parity", "c", Instant.now(), null, null, "x=1\n").quiet(), "a bench that did not look at the machine");
    }

    @Test
    void captureWritesARecordOnlyForABenchThatPrintedFigures() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        BenchRecord.capture("parity", "./seqlab bench parity", out, dir, o -> o.println("parity_max_rel_loss_diff=3.40e-13"));
        try (var files = Files.list(dir)) {
            List<Path> written = files.toList();
            assertEquals(1, written.size());
            BenchRecord back = BenchRecord.read(written.get(0));
            assertEquals(3.40e-13, back.figures().get("parity_max_rel_loss_diff"));
            assertEquals("./seqlab bench parity", back.command());
        }
        assertTrue(console.toString(StandardCharsets.UTF_8).startsWith("parity_max_rel_loss_diff=3.40e-13"), "the console still sees the bench");
        BenchRecord.capture("lstm", "./seqlab bench lstm", out, dir, o -> o.println("peer torch_char.py not run: no python3 with torch"));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing measured, nothing recorded");
        }
    }

    @Test
    void thePageShowsTheLatestRecordOfEachBenchAndMarksOneOlderThanTheCode() throws Exception {
        Path root = Files.createDirectories(dir.resolve("project"));
        git(root, "init", "-q");
        Files.createDirectories(root.resolve("modules"));
        Files.writeString(root.resolve("modules/a.java"), "a");
        git(root, "add", "-A");
        git(root, "commit", "-q", "-m", "one");
        String first = git(root, "rev-parse", "HEAD");
        Path records = Files.createDirectories(root.resolve("reports/bench"));
        Json.writeFile(records.resolve("lstm-1.json"), BenchRecord.of("lstm", "./seqlab bench lstm",
                Instant.parse("2026-12-06T09:00:00Z"), first, false, "lstm_vs_torch_tokens_per_s_ratio=1.50\n"));
        Json.writeFile(records.resolve("lstm-3.json"), BenchRecord.of("lstm", "SEQLAB_JAVA_OPTS=-Dseqlab.kernels=nd4j ./seqlab bench lstm --no-peer",
                Instant.parse("2026-12-07T09:00:00Z"), first, false, "lstm_tokens_per_s=4321\n"));
        Json.writeFile(records.resolve("lstm-2.json"), BenchRecord.of("lstm", "./seqlab bench lstm",
                Instant.parse("2026-12-07T10:00:00Z"), first, false, PRINTED));
        BenchReport report = new BenchReport(root);
        String page = report.render();
        assertTrue(page.contains("Measured 2026-12-07 10:00 on commit `" + first.substring(0, 10) + "`"), page);
        assertTrue(page.contains("| `lstm_vs_torch_tokens_per_s_ratio` | 0.3900 |"), page);
        assertFalse(page.contains("1.50"), "only the latest record of a bench and command: " + page);
        assertTrue(page.contains("### bench lstm: `SEQLAB_JAVA_OPTS=-Dseqlab.kernels=nd4j ./seqlab bench lstm --no-peer`")
                && page.contains("| `lstm_tokens_per_s` | 4,321 |"), "another way of running it keeps its own: " + page);
        assertTrue(page.contains("PEER_THREADS=1 python3 torch_char.py x lstm"), page);
        assertFalse(page.contains("Older than the code"), page);
        assertNull(report.age(first));

        Files.writeString(root.resolve("modules/a.java"), "b");         // the code moves on
        git(root, "commit", "-q", "-am", "two");
        assertTrue(report.render().contains("Older than the code it describes: 1 later commit(s) change the code."));

        Path out = dir.resolve("docs/results.md");
        report.write(out);
        assertTrue(Files.readString(out).startsWith("# Results"));
    }

    @Test
    void thePageShowsEachShippedExperimentsRunsWithDateCommitCommandAndAge() throws Exception {
        Path root = Files.createDirectories(dir.resolve("project"));
        git(root, "init", "-q");
        Files.createDirectories(root.resolve("modules"));
        Files.writeString(root.resolve("modules/a.java"), "a");
        Files.createDirectories(root.resolve("experiments"));
        Files.writeString(root.resolve("experiments/names.yaml"), """
                name: names
                data: {source: builtin:markov-names, names: 200}
                models:
                  - {family: handrolled, name: rnn, cell: rnn, hidden: 8}
                  - {family: handrolled, name: gru, cell: gru, hidden: 8}
                """);
        Files.writeString(root.resolve("experiments/not-run.yaml"), "name: not-run\nmodels: [{family: handrolled, name: rnn}]\n");
        Files.writeString(root.resolve("experiments/broken.yaml"), "models: [{family: handrolled, hiden: 8}]\n");
        git(root, "add", "-A");
        git(root, "commit", "-q", "-m", "one");
        String first = git(root, "rev-parse", "HEAD");
        Path out = Files.createDirectories(root.resolve("reports/names"));
        Files.writeString(out.resolve("results.json"), """
                {"experiment": "names", "dataset": {"name": "markov-names", "vocabulary_size": 27, "unit": "token"},
                 "runs": [{"model": "rnn", "family": "handrolled", "params": 1000, "seed": 1234, "status": "ok",
                           "metrics": {"test_loss": 1.41234, "train_seconds": 15.2}},
                          {"model": "gru", "family": "handrolled", "params": 1000, "seed": 1234, "status": "diverged"}],
                 "environment": {"git_commit": "%s", "git_dirty": false, "start_time": "2026-12-07T11:57:12.3Z"}}
                """.formatted(first));
        Files.writeString(out.resolve("provenance.json"), "{\"command\": \"seqlab run experiments/names.yaml --set training.lr=0.01\"}");

        BenchReport report = new BenchReport(root);
        String page = report.render();
        assertTrue(page.contains("| names | rnn | 1.4123 | token | ok | 15 | 2026-12-07 11:57 | commit `" + first.substring(0, 10)
                + "` | `./seqlab run experiments/names.yaml --set training.lr=0.01` |"), page);
        assertTrue(page.contains("| names | gru | n/a | token | diverged |"), "a run without metrics is a row too: " + page);
        assertFalse(page.contains("not-run"), "an experiment never run has no row: " + page);
        assertFalse(page.contains("Older than the code"), page);

        Files.writeString(root.resolve("modules/a.java"), "b");         // the code moves on
        git(root, "commit", "-q", "-am", "two");
        assertTrue(report.render().contains("(Older than the code it describes: 1 later commit(s) change the code.)"), report.render());

        Files.delete(out.resolve("provenance.json"));
        assertTrue(report.render().contains("| `./seqlab run experiments/names.yaml` |"), "without provenance, the file's own command: " + report.render());
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@example.org"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}

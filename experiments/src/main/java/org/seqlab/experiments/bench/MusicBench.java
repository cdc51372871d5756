package org.seqlab.experiments.bench;

import org.seqlab.core.train.TrainingListener;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.core.Results;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code seqlab bench music}: seqlab's best frame model (nottingham.yaml's hand-rolled LSTM, 256
 * units, dropout 0.25, batch 8, Adam 5e-3, clip 1, scored on the moving average of its weights)
 * and the peer {@code torch_poly.py} (PyTorch 1-layer LSTM of the same size) each train for the
 * same wall time on the same piano-roll file; both report the test NLL per frame at their best
 * validation epoch. Both batch alike: every tune whole in one row, dealt into new batches every
 * epoch (seqlab's {@code batching: examples}; the peer shuffles freely, seqlab by length within
 * pools, which pads less). The peer runs at the thread setting whose first epoch was fastest in a
 * short run of each. Prints {@code music_vs_torch_test_nll_delta} last
 * (seqlab − peer; negative is better).
 */
public final class MusicBench {
    private final Path file;
    private final double seconds;
    private final PrintStream out;

    public MusicBench(Path file, double seconds, PrintStream out) {
        this.file = file;
        this.seconds = seconds;
        this.out = out;
    }

    static String experiment(Path file, double seconds) {
        return """
                name: bench-music
                data: {source: "%s", format: pianoroll}
                models:
                  - {family: handrolled, name: lstm, cell: lstm, hidden: 256, dropout: 0.25, frame_prior: 0.04}
                training:
                  epochs: 100000
                  budget_seconds: %s
                  batch_size: 8
                  batching: examples
                  seq_len: 200
                  lr: 0.005
                  optimizer: {type: adam, ema: 0.99}
                  clip: {mode: norm, threshold: 1}
                  schedule: {type: plateau, patience: 3, factor: 0.5}
                samples: {count: 0}
                """.formatted(file.toAbsolutePath(), seconds);
    }

    /** The length of a peer's run at each thread setting before the measured one: one epoch takes 20-35 s here at the best. */
    static final int PROBE_SECONDS = 60;

    /** 1 / the seconds of the peer's first epoch (with its validation), 0 when it did not finish one within the probe. */
    static double firstEpochSpeed(Peer.Outcome o) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^epoch 1 t=([0-9.]+)s").matcher(o.output());
        if (!m.find()) return 0;
        double t = Double.parseDouble(m.group(1));
        return t >= PROBE_SECONDS ? 0 : 1 / Math.max(t, 0.5);
    }

    public Double run() throws IOException {
        Path dir = Files.createTempDirectory("seqlab-bench-music");
        Path yaml = Files.writeString(dir.resolve("bench-music.yaml"), experiment(file, seconds));
        out.printf(Locale.ROOT, "piano rolls %s; %.0f s of training each%n", file, seconds);
        BenchMachine.describe(out, Peer.sharedScript("torch_poly.py"));
        ExperimentRunner.Console quiet = new ExperimentRunner.Console() {
            @Override public void info(String line) {}
            @Override public TrainingListener listener() {
                return new TrainingListener() {
                    @Override public void onEpoch(org.seqlab.core.train.EpochRecord r) {
                        out.printf(Locale.ROOT, "seqlab epoch %d t=%.0fs valid=%.3f%n", r.epoch(), r.seconds(), r.validLoss());
                    }
                };
            }
        };
        Results r = new ExperimentRunner(ConfigLoader.load(yaml, List.of()), dir.resolve("out"), quiet, true, "seqlab bench music").run();
        Results.RunMetrics m = r.runs().get(0).metrics();
        double seqlab = m.testLoss();
        out.printf(Locale.ROOT, "seqlab handrolled lstm 256: %d epochs in %.0f s, best valid %.4f, test %.4f NLL/frame%n",
                r.runs().get(0).curve().size(), m.trainSeconds(), m.validLoss(), seqlab);
        Path script = Peer.sharedScript("torch_poly.py");
        String python = Peer.torch(out, script);
        if (python == null) return null;
        // the peer's thread setting: the one whose first epoch is fastest in a short run
        Peer.Outcome probe = Peer.fastest(out, python, script, List.of(file.toString(), String.valueOf(PROBE_SECONDS), "256", "8", "5e-3"),
                "test", PROBE_SECONDS + 600, 1, MusicBench::firstEpochSpeed);
        if (probe == null) return null;
        Peer.Outcome o = Peer.run(python, script, List.of(file.toString(), String.valueOf(seconds), "256", "8", "5e-3"),
                "test", (long) seconds + 600, probe.threads());
        if (o.problem() != null) {
            out.println("peer torch_poly.py: " + o.problem() + "; seqlab figures only");
            return null;
        }
        out.printf(Locale.ROOT, "peer  %s (%s; by hand, from your shell: %s)%n", o.line(), o.threads().label(), o.shellLine());
        double delta = seqlab - o.value();
        out.printf(Locale.ROOT, "music_vs_torch_test_nll_delta=%.4f%n", delta);
        return delta;
    }
}

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
 * pools, which pads less). Prints {@code music_vs_torch_test_nll_delta} last
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

    public Double run() throws IOException {
        Path dir = Files.createTempDirectory("seqlab-bench-music");
        Path yaml = Files.writeString(dir.resolve("bench-music.yaml"), experiment(file, seconds));
        out.printf(Locale.ROOT, "piano rolls %s; %.0f s of training each%n", file, seconds);
        BenchMachine.describe(out, Peer.sharedDir().resolve("bench").resolve("torch_poly.py"));
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
        Peer.Outcome o = Peer.runTorch(out, "torch_poly.py",
                List.of(file.toString(), String.valueOf(seconds), "256", "8", "5e-3"), "test", (long) seconds + 600);
        if (o == null) return null;
        out.println("peer  " + o.line());
        double delta = seqlab - o.value();
        out.printf(Locale.ROOT, "music_vs_torch_test_nll_delta=%.4f%n", delta);
        return delta;
    }
}

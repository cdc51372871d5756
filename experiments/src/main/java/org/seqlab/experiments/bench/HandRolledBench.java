package org.seqlab.experiments.bench;

import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.ModelShape;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.data.RandomWindows;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.data.DataConfig;
import org.seqlab.data.Dataset;
import org.seqlab.data.Datasets;
import org.seqlab.rnn.HandRolledConfig;
import org.seqlab.optim.CoreBudget;
import org.seqlab.rnn.HandRolledFamily;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code seqlab bench handrolled}: characters per second of the hand-rolled vanilla RNN (hidden
 * 100, 25-step windows, Adagrad 0.1 and clip 5 as in min-char-rnn, batched) against the NumPy peer
 * {@code min_char_rnn.py} (batch 1) on the same file for the same wall time, then the LSTM's and
 * GRU's rates at hidden 128. Characters counted are characters actually trained on.
 */
public final class HandRolledBench {
    private final Path file;
    private final double seconds;
    private final int batch;
    private final PrintStream out;

    public HandRolledBench(Path file, double seconds, int batch, PrintStream out) {
        this.file = file;
        this.seconds = seconds;
        this.batch = batch;
        this.out = out;
    }

    /** The corpus: the given file, else ../shared/datasets/dinos.txt, else the embedded names written to a temp file. */
    public static Path defaultCorpus() throws IOException {
        Path dinos = Peer.sharedDir().resolve("datasets").resolve("dinos.txt");
        if (Files.isRegularFile(dinos)) return dinos;
        Dataset d = Datasets.load(org.seqlab.core.Json.MAPPER.convertValue(java.util.Map.of("names", 20000), DataConfig.class), null);
        Path tmp = Files.createTempFile("seqlab-names", ".txt");
        tmp.toFile().deleteOnExit();
        Files.writeString(tmp, d.splits().train() + d.splits().valid() + d.splits().test());
        return tmp;
    }

    public double run() {
        CharCorpus corpus = CharCorpus.read(file);
        int[] stream = corpus.stream();
        Vocabulary v = corpus.vocabulary();
        out.printf(Locale.ROOT, "corpus %s: %,d characters, vocabulary %d; %.0f s per measurement, batch %d%n",
                file, stream.length, v.size(), seconds, batch);
        BenchMachine.describe(out, null);
        TrainingOptions adagrad = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.ADAGRAD),
                new ClipSpec(ClipSpec.Mode.VALUE, 5.0));
        double rnn = measure("rnn", HandRolledConfig.Cell.RNN, 100, 25, 0.1, adagrad, stream, v.size(), seconds);

        String python = Peer.interpreter("numpy");
        Double peer = null;
        if (python == null) {
            out.println("peer min_char_rnn.py not run: no python3 with numpy (run ../shared/bench/setup-peers.sh); seqlab figures only");
        } else {
            Peer.Outcome o = Peer.run(python, Peer.sharedScript("min_char_rnn.py"),
                    List.of(file.toString(), String.valueOf(seconds)), "chars_per_s", (long) seconds + 120, null);
            if (o.problem() != null) out.println("peer min_char_rnn.py: " + o.problem() + "; seqlab figures only");
            else {
                peer = o.value();
                out.println("peer  " + o.line() + " (by hand, from your shell: " + o.shellLine() + ")");
            }
        }
        TrainingOptions adam = new TrainingOptions(OptimizerSpec.DEFAULT, new ClipSpec(ClipSpec.Mode.NORM, 5.0));
        double third = Math.max(5, seconds / 3);
        measure("lstm", HandRolledConfig.Cell.LSTM, 128, 25, 2e-3, adam, stream, v.size(), third);
        measure("gru", HandRolledConfig.Cell.GRU, 128, 25, 2e-3, adam, stream, v.size(), third);
        if (peer == null) return Double.NaN;
        double ratio = rnn / peer;
        out.printf(Locale.ROOT, "handrolled_vs_numpy_chars_per_s_ratio=%.2f%n", ratio);
        return ratio;
    }

    private double measure(String label, HandRolledConfig.Cell cell, int hidden, int seqLen, double lr,
                           TrainingOptions options, int[] stream, int vocab, double secs) {
        Throughput t;
        try (SequenceModel m = new HandRolledFamily().create(HandRolledConfig.of(label, cell, hidden), ModelShape.tokens(vocab), options, 1);
             CoreBudget.Share cores = CoreBudget.forTrials(1)) {     // all the cores, as a single run has them
            t = Throughput.measure(m, new RandomWindows(stream, batch, seqLen, new SplittableRandom(1)), lr, secs);
        }
        double rate = t.perSecond();
        out.printf(Locale.ROOT, "seqlab %-4s hidden %d seq %d batch %d: %,d chars in %.1f s = %,.0f chars/s (last batch loss %.3f)%n",
                label, hidden, seqLen, batch, t.tokens(), t.seconds(), rate, t.lastLoss());
        return rate;
    }
}

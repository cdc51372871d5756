package org.seqlab.experiments.bench;

import org.seqlab.core.ClipSpec;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.data.RandomWindows;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.lstm.Dl4jLstmConfig;
import org.seqlab.lstm.Dl4jLstmFamily;
import org.seqlab.rnn.HandRolledConfig;
import org.seqlab.rnn.HandRolledFamily;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code seqlab bench lstm}: tokens per second of the DL4J LSTM family (2 layers of 256, batch 32,
 * 100-step windows, one-hot input, dropout 0.2, Adam 2e-3, clip 5) against
 * {@code torch_char.py FILE lstm} (PyTorch CPU, the same model), with the hand-rolled LSTM at the
 * same shape and the DL4J LSTM on DL4J's own layer path (helper: builtin) beside them. Each seqlab
 * model runs {@code repeats} times and the peer {@code repeats} times at each of its thread
 * settings, one after the other; each side keeps its best run (so that one stall does not decide a
 * ratio), the peer at its fastest setting. Both sides time every run from its first step (the
 * peer script cannot leave out a warm-up, so seqlab leaves out none either); the machine's load
 * is printed first.
 */
public final class LstmBench {
    private final Path file;
    private final double seconds;
    private final int repeats;
    private final PrintStream out;

    public LstmBench(Path file, double seconds, int repeats, PrintStream out) {
        if (repeats < 1) throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        this.file = file;
        this.seconds = seconds;
        this.repeats = repeats;
        this.out = out;
    }

    public double run() {
        CharCorpus corpus = CharCorpus.read(file);
        Vocabulary v = corpus.vocabulary();
        out.printf(Locale.ROOT, "corpus %s: %,d characters, vocabulary %d; %.0f s per measurement, best of %d per side%n",
                file, corpus.stream().length, v.size(), seconds, repeats);
        BenchMachine.describe(out, Peer.sharedScript("torch_char.py"));
        TrainingOptions adam = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.ADAM),
                new ClipSpec(ClipSpec.Mode.NORM, 5.0));
        ModelShape shape = ModelShape.tokens(v.size());
        double handRolled;
        try (SequenceModel m = new HandRolledFamily().create(new HandRolledConfig("bench", HandRolledConfig.Cell.LSTM, 256, 2, 0.2,
                null, null, null), shape, adam, 1)) {
            handRolled = best("handrolled lstm", m, corpus);
        }
        double dl4j = dl4j("dl4j-lstm", Dl4jLstmConfig.Helper.FUSED, shape, adam, corpus);
        double builtin = dl4j("dl4j-lstm (helper: builtin)", Dl4jLstmConfig.Helper.BUILTIN, shape, adam, corpus);
        Path script = Peer.sharedScript("torch_char.py");
        String python = Peer.torch(out, script);
        if (python == null) return Double.NaN;
        Peer.Outcome fastest = Peer.fastest(out, python, script, List.of(file.toString(), "lstm", "1000000000", String.valueOf(seconds)),
                "tokens_per_s", (long) seconds + 300, repeats, Peer.Outcome::value);
        if (fastest == null) return Double.NaN;
        double peer = fastest.value();
        out.printf(Locale.ROOT, "best tokens/s: handrolled lstm %,.0f, dl4j-lstm %,.0f (DL4J's own LSTM path %,.0f: the fused helper is %.2fx), torch %,.0f (%s)%n",
                handRolled, dl4j, builtin, dl4j / builtin, peer, fastest.threads().label());
        out.printf(Locale.ROOT, "handrolled_lstm_vs_torch_tokens_per_s_ratio=%.2f%n", handRolled / peer);
        double ratio = dl4j / peer;
        out.printf(Locale.ROOT, "lstm_vs_torch_tokens_per_s_ratio=%.2f%n", ratio);
        return ratio;
    }

    /** The DL4J LSTM family at the benchmark's shape with the given LSTM helper, its best run. */
    private double dl4j(String what, Dl4jLstmConfig.Helper helper, ModelShape shape, TrainingOptions adam, CharCorpus corpus) {
        try (SequenceModel m = new Dl4jLstmFamily().create(new Dl4jLstmConfig("bench", 256, null, 2, 0.2, null, null, null, null, null,
                null, null, null, null, helper), shape, adam, 1)) {
            return best(what, m, corpus);
        }
    }

    /** The best of {@code repeats} measurements of {@code m} (2x256, batch 32, 100 steps), each printed. */
    private double best(String what, SequenceModel m, CharCorpus corpus) {
        RandomWindows windows = new RandomWindows(corpus.peerTrain(), 32, 100, new SplittableRandom(1));
        double best = 0;
        for (int i = 1; i <= repeats; i++) {
            Throughput t = Throughput.measure(m, windows, 2e-3, seconds);
            out.printf(Locale.ROOT, "seqlab %s 2x256 batch 32 seq 100, run %d: %,d tokens in %.1f s = %,.0f tokens/s (last batch loss %.3f)%n",
                    what, i, t.tokens(), t.seconds(), t.perSecond(), t.lastLoss());
            best = Math.max(best, t.perSecond());
        }
        return best;
    }
}

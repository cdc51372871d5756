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

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code seqlab bench lstm}: tokens per second of the DL4J LSTM family (2 layers of 256, batch 32,
 * 100-step windows, one-hot input, dropout 0.2, Adam 2e-3, clip 5) against
 * {@code torch_char.py FILE lstm} (PyTorch CPU, the same model) for the same wall time.
 */
public final class LstmBench {
    private final Path file;
    private final double seconds;
    private final PrintStream out;

    public LstmBench(Path file, double seconds, PrintStream out) {
        this.file = file;
        this.seconds = seconds;
        this.out = out;
    }

    public double run() {
        CharCorpus corpus = CharCorpus.read(file);
        Vocabulary v = corpus.vocabulary();
        out.printf(Locale.ROOT, "corpus %s: %,d characters, vocabulary %d; %.0f s per measurement%n", file, corpus.stream().length, v.size(), seconds);
        Dl4jLstmConfig cfg = new Dl4jLstmConfig("bench", 256, null, 2, 0.2, null, null, null, null, null, null, null, null, null);
        TrainingOptions adam = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.ADAM),
                new ClipSpec(ClipSpec.Mode.NORM, 5.0));
        SequenceModel m = new Dl4jLstmFamily().create(cfg, ModelShape.tokens(v.size()), adam, 1);
        Throughput t = Throughput.measure(m, new RandomWindows(corpus.peerTrain(), 32, 100,
                new SplittableRandom(1)), 2e-3, 5, seconds);
        out.printf(Locale.ROOT, "seqlab dl4j-lstm 2x256 batch 32 seq 100: %,d tokens in %.1f s = %,.0f tokens/s (last batch loss %.3f)%n",
                t.tokens(), t.seconds(), t.perSecond(), t.lastLoss());
        Peer.Outcome o = Peer.runTorch(out, "torch_char.py",
                List.of(file.toString(), "lstm", "1000000000", String.valueOf(seconds)), "tokens_per_s", (long) seconds + 300);
        if (o == null) return Double.NaN;
        out.println("peer  " + o.line());
        double ratio = t.perSecond() / o.value();
        out.printf(Locale.ROOT, "lstm_vs_torch_tokens_per_s_ratio=%.2f%n", ratio);
        return ratio;
    }
}

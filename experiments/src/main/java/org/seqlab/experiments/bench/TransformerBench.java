package org.seqlab.experiments.bench;

import org.seqlab.core.ClipSpec;
import org.seqlab.core.EvalStats;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.data.RandomWindows;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.transformer.TransformerConfig;
import org.seqlab.transformer.TransformerFamily;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code seqlab bench transformer}: nanoGPT's "baby" character model (4 layers, 4 heads, width 128,
 * context 64, batch 12, AdamW 1e-3 without weight decay, clip 1, no dropout) trained for the same
 * number of iterations by seqlab's SameDiff transformer and by {@code torch_char.py FILE gpt}
 * (PyTorch CPU), one after the other. Both score the last 10% of the file in non-overlapping
 * 64-character windows; the ratio compares training tokens per second.
 */
public final class TransformerBench {
    private static final int LAYERS = 4, HEADS = 4, WIDTH = 128, CONTEXT = 64, BATCH = 12;
    private static final double LR = 1e-3;
    private final Path file;
    private final int iterations;
    private final double capSeconds;
    private final PrintStream out;

    public TransformerBench(Path file, int iterations, double capSeconds, PrintStream out) {
        this.file = file;
        this.iterations = iterations;
        this.capSeconds = capSeconds;
        this.out = out;
    }

    public double run() {
        CharCorpus corpus = CharCorpus.read(file);
        Vocabulary v = corpus.vocabulary();
        int[] train = corpus.peerTrain(), valid = corpus.peerValid();
        out.printf(Locale.ROOT, "corpus %s: %,d characters, vocabulary %d; %d iterations (cap %.0f s) each%n",
                file, corpus.stream().length, v.size(), iterations, capSeconds);

        TransformerConfig cfg = TransformerConfig.of("bench", LAYERS, HEADS, WIDTH, CONTEXT);
        TrainingOptions adamw = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.ADAMW).withWeightDecay(0.0),
                new ClipSpec(ClipSpec.Mode.NORM, 1.0));
        SequenceModel m = new TransformerFamily().create(cfg, ModelShape.tokens(v.size()), adamw, 1337);
        RandomWindows batches = new RandomWindows(train, BATCH, CONTEXT, new SplittableRandom(1337));
        long tokens = 0;
        int it = 0;
        long start = System.nanoTime(), end = start + (long) (capSeconds * 1e9);
        while (it < iterations && System.nanoTime() < end) {
            tokens += m.trainStep(batches.next(), LR).count();
            it++;
        }
        double seconds = (System.nanoTime() - start) / 1e9, perSecond = tokens / seconds;
        double validLoss = validLoss(m, valid);
        out.printf(Locale.ROOT, "seqlab transformer params=%d iters=%d train_seconds=%.1f tokens_per_s=%.0f val_loss=%.4f%n",
                m.parameterCount(), it, seconds, perSecond, validLoss);

        Peer.Outcome o = Peer.runTorch(out, "torch_char.py",
                List.of(file.toString(), "gpt", String.valueOf(it), String.valueOf(capSeconds)), "tokens_per_s",
                (long) capSeconds + 300);
        if (o == null) return Double.NaN;
        out.println("peer   " + o.line());
        Matcher peerLoss = Pattern.compile("val_loss=([0-9.]+)").matcher(o.line());
        if (peerLoss.find()) {
            double delta = validLoss - Double.parseDouble(peerLoss.group(1));
            out.printf(Locale.ROOT, "validation loss seqlab %.4f vs torch %s: delta %+.4f nats/char (goal: within 0.03)%n",
                    validLoss, peerLoss.group(1), delta);
        }
        double ratio = perSecond / o.value();
        out.printf(Locale.ROOT, "transformer_vs_torch_tokens_per_s_ratio=%.2f%n", ratio);
        return ratio;
    }

    /** Mean loss over non-overlapping context-length windows of {@code valid}, 64 windows per batch, as the peer. */
    static double validLoss(SequenceModel m, int[] valid) {
        int windows = (valid.length - 1) / CONTEXT;
        EvalStats total = EvalStats.ZERO;
        for (int w0 = 0; w0 < windows; w0 += 64) {
            int rows = Math.min(64, windows - w0);
            int[] in = new int[rows * CONTEXT], tg = new int[rows * CONTEXT];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(valid, (w0 + r) * CONTEXT, in, r * CONTEXT, CONTEXT);
                System.arraycopy(valid, (w0 + r) * CONTEXT + 1, tg, r * CONTEXT, CONTEXT);
            }
            total = total.plus(m.evaluate(new TokenBatch(rows, CONTEXT, in, tg)));
        }
        return total.meanLoss();
    }
}

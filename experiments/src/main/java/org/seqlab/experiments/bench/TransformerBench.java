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
 * number of iterations by seqlab's SameDiff transformer and by {@code peers/torch_gpt.py} (the same
 * model as {@code ../shared/bench/torch_char.py gpt}, with a seed; PyTorch CPU), one after the
 * other, for seeds 1..N; the peer's seed 1 runs at every thread setting and its later seeds at the
 * fastest (one seed's validation loss varies by ~0.08 nats at 500 iterations, so the
 * losses are compared as means). Both score the last 10% of the file in non-overlapping
 * 64-character windows; the ratio compares training tokens per second. The model trains on the
 * default engine (fused on a CPU); seed 1 is also trained on the SameDiff graph ({@code engine:
 * samediff}) for the same iterations, to show what the fused engine gains.
 */
public final class TransformerBench {
    private static final int LAYERS = 4, HEADS = 4, WIDTH = 128, CONTEXT = 64, BATCH = 12;
    private static final double LR = 1e-3;
    private final Path file;
    private final int iterations;
    private final double capSeconds;
    private final int seeds;
    private final PrintStream out;

    public TransformerBench(Path file, int iterations, double capSeconds, int seeds, PrintStream out) {
        this.file = file;
        this.iterations = iterations;
        this.capSeconds = capSeconds;
        this.seeds = seeds;
        this.out = out;
    }

    public double run() {
        CharCorpus corpus = CharCorpus.read(file);
        Vocabulary v = corpus.vocabulary();
        int[] train = corpus.peerTrain(), valid = corpus.peerValid();
        out.printf(Locale.ROOT, "corpus %s: %,d characters, vocabulary %d; %d iterations (cap %.0f s) each, seeds 1..%d, seqlab then PyTorch%n",
                file, corpus.stream().length, v.size(), iterations, capSeconds, seeds, seeds);
        Path peer = Peer.projectRoot().resolve("peers").resolve("torch_gpt.py");
        BenchMachine.describe(out, peer);
        double[] mine = new double[seeds], theirs = new double[seeds];
        double mySpeed = 0, theirSpeed = 0;
        String python = Peer.torch(out, peer);
        Peer.Outcome fastest = null;
        for (int seed = 1; seed <= seeds; seed++) {
            double[] run = trainSeqlab(train, valid, v.size(), seed, null);
            mine[seed - 1] = run[0];
            mySpeed = Math.max(mySpeed, run[1]);           // the best run: one stall does not decide the ratio
            if (python == null) continue;
            List<String> args = List.of(file.toString(), String.valueOf(iterations), String.valueOf(capSeconds), String.valueOf(seed));
            // seed 1 at every thread setting, the later seeds at the fastest of them
            Peer.Outcome o = seed == 1
                    ? Peer.fastest(out, python, peer, args, "tokens_per_s", (long) capSeconds + 300, 1, Peer.Outcome::value)
                    : Peer.run(python, peer, args, "tokens_per_s", (long) capSeconds + 300, fastest.threads());
            Matcher peerLoss = o == null || o.problem() != null ? null : Pattern.compile("val_loss=([0-9.]+)").matcher(o.line());
            if (peerLoss == null || !peerLoss.find()) {
                if (o != null) out.println("peer " + peer.getFileName() + ": " + (o.problem() != null ? o.problem() : "no val_loss in " + o.line()));
                python = null;
                continue;
            }
            if (seed == 1) fastest = o;
            else out.printf(Locale.ROOT, "peer %s, %s: %s%n", peer.getFileName(), o.threads().label(), o.line());
            theirs[seed - 1] = Double.parseDouble(peerLoss.group(1));
            theirSpeed = Math.max(theirSpeed, o.value());
        }
        boolean peerRan = python != null;
        double[] graph = trainSeqlab(train, valid, v.size(), 1, TransformerConfig.Engine.SAMEDIFF);
        out.printf(Locale.ROOT, "engines, seed 1: fused %,.0f tokens/s (best of the seeds) against samediff %,.0f: %.2fx; validation %.4f against %.4f%n",
                mySpeed, graph[1], mySpeed / graph[1], mine[0], graph[0]);
        double myMean = mean(mine);
        out.printf(Locale.ROOT, "seqlab mean validation loss over %d seeds: %.4f%n", seeds, myMean);
        if (!peerRan) return Double.NaN;
        double[] deltas = new double[seeds];
        for (int i = 0; i < seeds; i++) deltas[i] = mine[i] - theirs[i];
        out.printf(Locale.ROOT, "validation loss seqlab %.4f vs torch %.4f (means over %d seeds): delta %+.4f nats/char%s (goal: within 0.03)%n",
                myMean, mean(theirs), seeds, mean(deltas),
                seeds > 1 ? String.format(Locale.ROOT, ", per seed %s, standard error of the mean %.4f", java.util.Arrays.toString(
                        java.util.Arrays.stream(deltas).mapToObj(d -> String.format(Locale.ROOT, "%+.4f", d)).toArray()), standardError(deltas)) : "");
        out.printf(Locale.ROOT, "transformer_vs_torch_val_loss_delta=%+.4f%n", mean(deltas));
        double ratio = mySpeed / theirSpeed;
        out.printf(Locale.ROOT, "best tokens/s over the %d seeds: seqlab %,.0f, torch %,.0f (%s; by hand, from your shell: %s)%n",
                seeds, mySpeed, theirSpeed, fastest.threads().label(), fastest.shellLine());
        out.printf(Locale.ROOT, "transformer_vs_torch_tokens_per_s_ratio=%.2f%n", ratio);
        return ratio;
    }

    /** Trains seqlab's model with {@code seed} (weights and batch order); returns its validation loss and training tokens/s. */
    private double[] trainSeqlab(int[] train, int[] valid, int vocabulary, long seed, TransformerConfig.Engine engine) {
        TransformerConfig cfg = TransformerConfig.of("bench", LAYERS, HEADS, WIDTH, CONTEXT).withEngine(engine);
        TrainingOptions adamw = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.ADAMW).withWeightDecay(0.0),
                new ClipSpec(ClipSpec.Mode.NORM, 1.0));
        try (SequenceModel m = new TransformerFamily().create(cfg, ModelShape.tokens(vocabulary), adamw, seed)) {
            // batch order from a split stream, as the runner does: the weights are drawn from
            // SplittableRandom(seed) itself, and the same stream for both tied window starts to
            // initial weights (measured: 0.02 nats worse at 500 iterations)
            RandomWindows batches = new RandomWindows(train, BATCH, CONTEXT, new SplittableRandom(seed).split());
            long tokens = 0;
            int it = 0;
            long start = System.nanoTime(), end = start + (long) (capSeconds * 1e9);
            while (it < iterations && System.nanoTime() < end) {
                tokens += m.trainStep(batches.next(), LR).count();
                it++;
            }
            double seconds = (System.nanoTime() - start) / 1e9, perSecond = tokens / seconds;
            double validLoss = validLoss(m, valid);
            out.printf(Locale.ROOT, "seqlab transformer engine=%s seed=%d params=%d iters=%d train_seconds=%.1f tokens_per_s=%.0f val_loss=%.4f%n",
                    cfg.engineOnThisBackend().name().toLowerCase(Locale.ROOT), seed, m.parameterCount(), it, seconds, perSecond, validLoss);
            return new double[]{validLoss, perSecond};
        }
    }

    private static double mean(double[] x) {
        return java.util.Arrays.stream(x).average().orElse(Double.NaN);
    }

    private static double standardError(double[] x) {
        double m = mean(x), ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        return Math.sqrt(ss / (x.length - 1) / x.length);
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

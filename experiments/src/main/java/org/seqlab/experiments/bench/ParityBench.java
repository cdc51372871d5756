package org.seqlab.experiments.bench;

import org.seqlab.core.Batch;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.FrameBatch;
import org.seqlab.core.Json;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.NamedWeights;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.OutputKind;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.train.LearningRateSchedule;
import org.seqlab.experiments.Families;
import org.seqlab.lstm.Dl4jLstmConfig;
import org.seqlab.rnn.HandRolledConfig;
import org.seqlab.transformer.TransformerConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code seqlab bench parity}: each family against a PyTorch twin of the same architecture
 * ({@code peers/parity_twin.py}), step for step. seqlab's initial weights, a fixed stream of
 * batches (sequential passes, so later batches continue earlier ones and state must carry) and the
 * learning rate of every step (warmup + cosine) go to the twin in one JSON file; both train 200
 * steps with AdamW (weight decay 0.1 on matrices, not biases), global-norm clipping at 1 and no
 * dropout, in double precision, and the losses are compared per step. The float32 run is printed
 * beside it for information.
 */
public final class ParityBench {
    static final int STEPS = 200, ROWS = 6, LENGTH = 10, PASS = 10, VOCAB = 12, KEYS = 8, HIDDEN = 16, CONTEXT = 16, NADE_HIDDEN = 6;
    static final double LR = 0.01, WEIGHT_DECAY = 0.1, CLIP = 1.0;

    /** One comparison: a family's config at a precision, on tokens or frames. */
    record Case(String name, String family, String architecture, int layers, OutputKind kind, ModelConfig config, Map<String, Object> extra) {
        Case(String name, String family, String architecture, int layers, OutputKind kind, ModelConfig config) {
            this(name, family, architecture, layers, kind, config, Map.of());
        }
    }

    /** SEQLAB_PARITY_TRACE: print the first steps' losses and keep each case's file, with seqlab's weights after those steps. */
    private static final boolean TRACE = System.getenv("SEQLAB_PARITY_TRACE") != null;
    private static final int TRACED = 12;
    private final int steps;
    private final String only;
    private final PrintStream out;

    public ParityBench(int steps, String only, PrintStream out) {
        this.steps = steps;
        this.only = only;
        this.out = out;
    }

    static List<Case> cases(boolean float64) {
        HandRolledConfig.Precision hp = float64 ? HandRolledConfig.Precision.DOUBLE : HandRolledConfig.Precision.FLOAT;
        Dl4jLstmConfig.Precision dp = float64 ? Dl4jLstmConfig.Precision.DOUBLE : Dl4jLstmConfig.Precision.FLOAT;
        List<Case> cases = new ArrayList<>();
        for (HandRolledConfig.Cell cell : HandRolledConfig.Cell.values()) {
            int layers = cell == HandRolledConfig.Cell.LSTM ? 2 : 1;
            cases.add(new Case("handrolled_" + cell.name().toLowerCase(Locale.ROOT), "handrolled", cell.name().toLowerCase(Locale.ROOT),
                    layers, OutputKind.TOKENS, handRolled(cell, layers, hp)));
        }
        cases.add(new Case("handrolled_lstm_frames", "handrolled", "lstm", 1, OutputKind.FRAMES, handRolled(HandRolledConfig.Cell.LSTM, 1, hp)));
        Map<String, Object> nade = new LinkedHashMap<>(Map.of("name", "parity", "cell", "lstm", "hidden", HIDDEN, "layers", 1,
                "precision", hp.name().toLowerCase(Locale.ROOT), "output", "nade", "nade_hidden", NADE_HIDDEN));
        cases.add(new Case("handrolled_lstm_nade", "handrolled", "lstm", 1, OutputKind.FRAMES,
                Json.MAPPER.convertValue(nade, HandRolledConfig.class), Map.of("output", "nade", "nade_hidden", NADE_HIDDEN)));
        Dl4jLstmConfig dl4j = new Dl4jLstmConfig("parity", HIDDEN, null, 2, null, null, null, dp, null, null, null, null, null, null, null);
        cases.add(new Case("dl4j_lstm", "dl4j-lstm", "dl4j", 2, OutputKind.TOKENS, dl4j));
        Dl4jLstmConfig dl4jFrames = new Dl4jLstmConfig("parity", HIDDEN, null, 1, null, null, null, dp, null, null, null, null, null, null, null);
        cases.add(new Case("dl4j_lstm_frames", "dl4j-lstm", "dl4j", 1, OutputKind.FRAMES, dl4jFrames));
        Dl4jLstmConfig dl4jNade = new Dl4jLstmConfig("parity", HIDDEN, null, 1, null, null, null, dp, null, null, null, null, null, null, null,
                "nade", NADE_HIDDEN);
        cases.add(new Case("dl4j_lstm_nade", "dl4j-lstm", "dl4j", 1, OutputKind.FRAMES, dl4jNade, Map.of("output", "nade", "nade_hidden", NADE_HIDDEN)));
        TransformerConfig.Precision tp = float64 ? TransformerConfig.Precision.DOUBLE : TransformerConfig.Precision.FLOAT;
        cases.add(gpt("transformer", 2, TransformerConfig.Positions.LEARNED, false, OutputKind.TOKENS, tp));
        cases.add(gpt("transformer_alibi_tied", 1, TransformerConfig.Positions.ALIBI, true, OutputKind.TOKENS, tp));
        cases.add(gpt("transformer_frames", 1, TransformerConfig.Positions.LEARNED, false, OutputKind.FRAMES, tp));
        TransformerConfig nadeGpt = new TransformerConfig("parity", 1, 2, HIDDEN, CONTEXT, null, 0.0, 0.0, TransformerConfig.Positions.LEARNED,
                false, null, null, null, null, tp, TransformerConfig.Engine.FUSED, "nade", NADE_HIDDEN);
        cases.add(new Case("transformer_nade", "transformer", "gpt", 1, OutputKind.FRAMES, nadeGpt,
                Map.of("heads", 2, "context", CONTEXT, "positions", "learned", "output", "nade", "nade_hidden", NADE_HIDDEN)));
        return cases;
    }

    /** A GPT of width {@link #HIDDEN} with two heads; its context lets a continued batch see {@link #CONTEXT} − {@link #LENGTH} earlier steps. */
    private static Case gpt(String name, int layers, TransformerConfig.Positions positions, boolean tied, OutputKind kind,
                            TransformerConfig.Precision precision) {
        TransformerConfig c = new TransformerConfig("parity", layers, 2, HIDDEN, CONTEXT, null, 0.0, 0.0, positions, tied,
                null, null, null, null, precision, null);
        return new Case(name, "transformer", "gpt", layers, kind, c,
                Map.of("heads", 2, "context", CONTEXT, "positions", positions.name().toLowerCase(Locale.ROOT)));
    }

    private static HandRolledConfig handRolled(HandRolledConfig.Cell cell, int layers, HandRolledConfig.Precision precision) {
        return Json.MAPPER.convertValue(Map.of("name", "parity", "cell", cell.name().toLowerCase(Locale.ROOT), "hidden", HIDDEN,
                "layers", layers, "precision", precision.name().toLowerCase(Locale.ROOT)), HandRolledConfig.class);
    }

    public void run() throws IOException {
        String python = Peer.interpreter("torch");
        if (python == null) {
            out.println("parity not run: no python3 with torch (run ../shared/bench/setup-peers.sh); it needs the PyTorch twins");
            return;
        }
        Path twin = Peer.projectRoot().resolve("peers").resolve("parity_twin.py");
        out.println("parity: " + steps + " steps each, AdamW (weight decay " + WEIGHT_DECAY + " on matrices), clip norm " + CLIP
                + ", warmup + cosine from lr " + LR + ", no dropout; PyTorch twin " + twin.getFileName() + " (" + python + ")");
        Path dir = Files.createTempDirectory("seqlab-parity");
        double worst = 0;
        List<Case> float32 = cases(false);
        List<Case> float64 = cases(true);
        for (int i = 0; i < float64.size(); i++) {
            if (only != null && !float64.get(i).name().contains(only)) continue;
            double d64 = compare(float64.get(i), "float64", python, twin, dir);
            double d32 = compare(float32.get(i), "float32", python, twin, dir);
            String name = float64.get(i).name();
            out.printf(Locale.ROOT, "parity_%s_float32_max_rel_loss_diff=%.3g   (for information)%n", name, d32);
            out.printf(Locale.ROOT, "parity_%s_max_rel_loss_diff=%.3g%n", name, d64);
            worst = Math.max(worst, d64);
        }
        out.printf(Locale.ROOT, "parity_max_rel_loss_diff=%.3g%n", worst);
    }

    /** Trains the case here and in the twin; returns max over steps of |seqlab - torch| / torch (NaN when the twin failed). */
    private double compare(Case c, String precision, String python, Path twin, Path dir) throws IOException {
        ModelShape shape = c.kind() == OutputKind.TOKENS ? ModelShape.tokens(VOCAB) : ModelShape.frames(KEYS);
        TrainingOptions options = new TrainingOptions(
                new OptimizerSpec(OptimizerSpec.Type.ADAMW, null, null, null, WEIGHT_DECAY, OptimizerSpec.DecayParams.MATRICES, null),
                new ClipSpec(ClipSpec.Mode.NORM, CLIP));
        ModelFamily family = Families.get(c.family());
        List<Batch> batches = batches(c.kind());
        LearningRateSchedule schedule = new LearningRateSchedule(LearningRateSchedule.Type.COSINE, 20, 0.1, null, null, null);
        double[] lrs = new double[steps], mine = new double[steps];
        Map<String, Object> spec = new LinkedHashMap<>();
        try (SequenceModel m = family.create(c.config(), shape, options, 1234)) {
            spec.put("architecture", c.architecture());
            spec.put("layers", c.layers());
            spec.put("kind", c.kind().name().toLowerCase(Locale.ROOT));
            spec.put("width", shape.width());
            spec.put("hidden", HIDDEN);
            spec.put("precision", precision);
            spec.put("weight_decay", WEIGHT_DECAY);
            spec.put("clip", CLIP);
            spec.put("betas", List.of(options.optimizer().beta1(), options.optimizer().beta2()));
            spec.put("eps", options.optimizer().epsilon());
            Map<String, NamedWeights.Tensor> weights = ((NamedWeights) m).namedWeights();
            spec.put("weights", weights);
            // the tensors AdamW decays: matrices and embeddings, as every family's default
            spec.put("decay", weights.entrySet().stream().filter(e -> e.getValue().shape().length >= 2).map(Map.Entry::getKey).toList());
            spec.putAll(c.extra());
            List<Map<String, Object>> stream = new ArrayList<>();
            List<Object> trace = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                Batch b = batches.get(s % batches.size());
                lrs[s] = schedule.at(LR, s, steps);
                var stats = m.trainStep(b, lrs[s]);
                mine[s] = stats.lossSum() / stats.count();
                if (TRACE && s < TRACED) trace.add(((NamedWeights) m).namedWeights());
                if (s < batches.size()) stream.add(Map.of("continues", b.continues(),
                        "inputs", b instanceof TokenBatch tb ? tb.inputs() : ((FrameBatch) b).inputs(),
                        "targets", b instanceof TokenBatch tt ? tt.targets() : ((FrameBatch) b).targets()));
            }
            spec.put("rows", ROWS);
            spec.put("length", LENGTH);
            spec.put("batches", stream);
            spec.put("lrs", lrs);
            if (TRACE) spec.put("trace", trace);
        }
        Path in = dir.resolve(c.name() + "-" + precision + ".json"), result = dir.resolve(c.name() + "-" + precision + ".out.json");
        Files.writeString(in, Json.write(spec));
        Peer.Outcome o = Peer.run(python, twin, List.of(in.toString(), result.toString()), "twin_steps", 600, null);
        if (o.problem() != null) {
            out.println("parity " + c.name() + " " + precision + ": " + o.problem());
            return Double.NaN;
        }
        double[] theirs = Json.MAPPER.readValue(result.toFile(), double[].class);
        double worst = 0;
        int first = -1;
        for (int s = 0; s < steps; s++) {
            double d = Math.abs(mine[s] - theirs[s]) / Math.abs(theirs[s]);
            if (d > 1e-6 && first < 0) first = s;
            worst = Math.max(worst, d);
        }
        if (TRACE) out.println("  " + c.name() + " " + precision + ": case " + in + " (the twin compares weights after each of the first " + TRACED + " steps)");
        if (TRACE) {                 // how the gap grows: the first step past each power of ten
            double next = 1e-15;
            for (int s = 0; s < steps; s++) {
                double d = Math.abs(mine[s] - theirs[s]) / Math.abs(theirs[s]);
                if (d >= next) {
                    out.printf(Locale.ROOT, "  %s %s: relative difference %.3g at step %d%n", c.name(), precision, d, s + 1);
                    while (next <= d) next *= 10;
                }
            }
        }
        if (TRACE)
            for (int s = 0; s < Math.min(steps, 12); s++) out.printf(Locale.ROOT, "  %s %s step %d: %.15g %.15g%n", c.name(), precision, s + 1, mine[s], theirs[s]);
        if (first >= 0 && precision.equals("float64"))
            out.printf(Locale.ROOT, "parity %s: parts at step %d: seqlab %.12g, torch %.12g%n", c.name(), first + 1, mine[first], theirs[first]);
        return worst;
    }

    /**
     * A pass of {@link #PASS} batches over {@link #ROWS} streams, each batch continuing the one
     * before (the first of a pass starts fresh): learnable structure plus noise.
     */
    static List<Batch> batches(OutputKind kind) {
        SplittableRandom r = new SplittableRandom(99);
        int total = PASS * LENGTH + 1;
        List<Batch> out = new ArrayList<>();
        if (kind == OutputKind.TOKENS) {
            int[][] streams = new int[ROWS][total];
            for (int[] s : streams) {
                s[0] = r.nextInt(VOCAB);
                for (int t = 1; t < total; t++) s[t] = (s[t - 1] * 3 + r.nextInt(3)) % VOCAB;
            }
            for (int j = 0; j < PASS; j++) {
                int[] in = new int[ROWS * LENGTH], tg = new int[ROWS * LENGTH];
                for (int row = 0; row < ROWS; row++)
                    for (int t = 0; t < LENGTH; t++) {
                        in[row * LENGTH + t] = streams[row][j * LENGTH + t];
                        tg[row * LENGTH + t] = streams[row][j * LENGTH + t + 1];
                    }
                out.add(new TokenBatch(ROWS, LENGTH, in, tg, Batch.fullMask(ROWS, LENGTH), j > 0));
            }
        } else {
            float[][][] rolls = new float[ROWS][total][KEYS];
            for (float[][] roll : rolls)
                for (int t = 0; t < total; t++)
                    for (int k = 0; k < KEYS; k++) roll[t][k] = ((t + k) % 3 == 0) != (r.nextDouble() < 0.1) ? 1f : 0f;
            for (int j = 0; j < PASS; j++) {
                float[] in = new float[ROWS * LENGTH * KEYS], tg = new float[ROWS * LENGTH * KEYS];
                for (int row = 0; row < ROWS; row++)
                    for (int t = 0; t < LENGTH; t++) {
                        System.arraycopy(rolls[row][j * LENGTH + t], 0, in, (row * LENGTH + t) * KEYS, KEYS);
                        System.arraycopy(rolls[row][j * LENGTH + t + 1], 0, tg, (row * LENGTH + t) * KEYS, KEYS);
                    }
                out.add(new FrameBatch(ROWS, LENGTH, KEYS, in, tg, Batch.fullMask(ROWS, LENGTH), j > 0));
            }
        }
        return out;
    }
}

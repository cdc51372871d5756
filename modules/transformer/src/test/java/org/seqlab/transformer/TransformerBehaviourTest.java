package org.seqlab.transformer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.FieldException;
import org.seqlab.core.Generator;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.UserException;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.train.Checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** What the transformer must get right beyond the shared contract: causality, dropout, sliding, fine-tuning. */
class TransformerBehaviourTest {
    private static final int V = 17;
    private static final TrainingOptions ADAMW = new TrainingOptions(
            OptimizerSpec.of(OptimizerSpec.Type.ADAMW).withWeightDecay(0.1), new ClipSpec(ClipSpec.Mode.NORM, 1.0));

    private static TransformerConfig config(int context, double dropout, TransformerConfig.Positions positions) {
        return new TransformerConfig("t", 2, 4, 32, context, null, dropout, null, positions, null, null, null, null, null, null, null);
    }

    private static SequenceModel model(TransformerConfig c, long seed) {
        return new TransformerFamily().create(c, ModelShape.tokens(V), ADAMW, seed);
    }

    private static TokenBatch tokens(int rows, int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] in = new int[rows * length], out = new int[rows * length];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextInt(V); out[i] = r.nextInt(V); }
        return new TokenBatch(rows, length, in, out);
    }

    /**
     * The cause of a shipped experiment's 24 GB: SameDiff's calculateGradientsAndOutputs switches its
     * array releases off, so every step's activations and gradients waited for the GC. Steps must
     * hand their arrays back to a bounded cache, and closing the model must empty it (the samediff engine;
     * the fused one keeps per-shape buffers instead).
     */
    @Test
    void trainingStepsGiveTheirArraysBackToABoundedCache() {
        TransformerModel m = (TransformerModel) model(config(16, 0.1, TransformerConfig.Positions.LEARNED)
                .withEngine(TransformerConfig.Engine.SAMEDIFF), 3);
        for (int i = 0; i < 3; i++) m.trainStep(tokens(4, 16, 70 + i), 1e-3);
        m.evaluate(tokens(4, 16, 80));
        long cached = m.cachedBytes();
        assertTrue(cached > 0, "the steps' arrays should be released into SameDiff's cache, not left to the GC");
        assertTrue(cached <= 2 * BoundedSessions.CACHE_BYTES, "two sessions, each capped: " + cached);
        m.close();
        assertEquals(0, m.cachedBytes(), "closing the model gives the cached arrays back");
    }

    @Test
    void changingALaterTokenNeverChangesAnEarlierOutput() {
        for (TransformerConfig.Positions positions : TransformerConfig.Positions.values()) {
            SequenceModel m = model(config(16, 0, positions), 1);
            for (int i = 0; i < 5; i++) m.trainStep(tokens(4, 16, 50 + i), 3e-3);   // not just the initial weights
            TokenBatch b = tokens(1, 16, 3);
            float[] base = m.logits(b);
            for (int t = 0; t < 15; t++) {
                int[] in = b.inputs().clone();
                in[t + 1] = (in[t + 1] + 5) % V;
                float[] changed = m.logits(new TokenBatch(1, 16, in, b.targets()));
                assertArrayEquals(Arrays.copyOf(base, (t + 1) * V), Arrays.copyOf(changed, (t + 1) * V),
                        positions + ": outputs at steps 0.." + t + " must not see token " + (t + 1));
                assertFalse(Arrays.equals(Arrays.copyOfRange(base, (t + 1) * V, (t + 2) * V),
                        Arrays.copyOfRange(changed, (t + 1) * V, (t + 2) * V)), "the output at the changed step does change");
            }
        }
    }

    @Test
    void dropoutVariesInTrainingAndIsOffInEvaluation() {
        SequenceModel m = model(config(16, 0.3, TransformerConfig.Positions.LEARNED), 2);
        TokenBatch b = tokens(4, 16, 4);
        // learning rate 0: the weights stay put, so only the dropout masks can change the loss
        double a = m.trainStep(b, 0).lossSum(), c = m.trainStep(b, 0).lossSum();
        assertNotEquals(a, c, 1e-6, "two training passes draw different dropout masks");
        double e1 = m.evaluate(b).lossSum(), e2 = m.evaluate(b).lossSum();
        assertEquals(e1, e2, "evaluation has no dropout: identical outputs");
        SequenceModel noDrop = model(config(16, 0, TransformerConfig.Positions.LEARNED), 2);
        assertEquals(noDrop.evaluate(b).lossSum(), e1, 1e-5 * e1, "evaluation equals the same weights without dropout");
        assertTrue(Math.abs(a - e1) > 1e-4, "training with dropout differs from evaluation");
    }

    @Test
    void dropoutMasksDropAtTheirRateAndKeepTheExpectation() {
        TransformerModel m = (TransformerModel) model(config(16, 0.3, TransformerConfig.Positions.LEARNED), 5);
        for (double p : new double[]{0.1, 0.3, 0.5}) {
            float[] mask = m.dropMask(new long[]{1000, 101}, p).reshape(-1).toFloatVector();   // not a multiple of 4 draws
            double zeros = 0, sum = 0;
            float kept = 0;
            for (float v : mask) {
                if (v == 0) zeros++;
                else kept = v;
                sum += v;
            }
            assertEquals(p, zeros / mask.length, 0.005, "share of dropped elements at p = " + p);
            assertEquals(1.0, sum / mask.length, 0.01, "inverted dropout keeps the mean at 1, p = " + p);
            assertEquals(1 / (1 - p), kept, 1e-4, "kept elements are scaled by 1/(1-p)");
        }
        m.close();
    }

    @Test
    void generationSlidesPastTheContext() {
        SequenceModel m = model(config(8, 0, TransformerConfig.Positions.LEARNED), 3);
        Generator g = m.generator();
        TokenBatch b = tokens(1, 30, 5);
        float[] last = null;
        for (int t = 0; t < 30; t++) last = g.next(b.inputs()[t]);   // 30 steps through a context of 8
        int[] window = Arrays.copyOfRange(b.inputs(), 22, 30);
        float[] expected = m.logits(new TokenBatch(1, 8, window, window));
        assertArrayEquals(Arrays.copyOfRange(expected, 7 * V, 8 * V), last, 1e-4f,
                "after sliding, the next-token logits are those of the last 8 inputs");
    }

    @Test
    void sequencesLongerThanTheContextAreEvaluatedInSlidingWindows() {
        SequenceModel m = model(config(8, 0, TransformerConfig.Positions.LEARNED), 4);
        TokenBatch longBatch = tokens(2, 40, 6);
        assertEquals(80, m.evaluate(longBatch).count(), "every step is scored");
        float[] logits = m.logits(longBatch);
        int[] head = Arrays.copyOf(longBatch.inputs(), 4);
        float[] first = m.logits(new TokenBatch(1, 4, head, head));
        assertArrayEquals(first, Arrays.copyOf(logits, 4 * V), 1e-4f, "the first window is a plain forward pass");
        // training on a long batch works too (pieces along time, gradients summed)
        double before = m.evaluate(longBatch).meanLoss();
        for (int i = 0; i < 20; i++) m.trainStep(longBatch, 1e-2);
        assertTrue(m.evaluate(longBatch).meanLoss() < before, "loss falls when training on sequences longer than the context");
    }

    @Test
    void microBatchesGiveTheSameUpdateAsTheWholeBatch() {
        TransformerConfig whole = config(16, 0, TransformerConfig.Positions.LEARNED);
        TransformerConfig micro = new TransformerConfig("t", 2, 4, 32, 16, null, 0.0, null, null, null, 2, null, null, null, null, null);
        SequenceModel a = model(whole, 7), b = model(micro, 7);
        TokenBatch batch = tokens(6, 16, 8);
        assertEquals(a.trainStep(batch, 1e-2).lossSum(), b.trainStep(batch, 1e-2).lossSum(), 1e-3);
        TokenBatch probe = tokens(2, 16, 9);
        assertArrayEquals(a.logits(probe), b.logits(probe), 2e-4f, "accumulated gradients = one big batch");
    }

    @Test
    void badOptionsAreRefusedByName() {
        FieldException heads = assertThrows(FieldException.class,
                () -> new TransformerConfig("t", 2, 3, 32, 16, null, null, null, null, null, null, null, null, null, null, null));
        assertTrue(heads.getMessage().contains("divide"), heads.getMessage());
        assertThrows(FieldException.class, () -> new TransformerConfig("t", 2, 4, 32, 0, null, null, null, null, null, null, null, null, null, null, null));
        assertThrows(FieldException.class, () -> new TransformerConfig("t", 2, 4, 32, 16, null, 1.0, null, null, null, null, null, null, null, null, null));
    }

    @Test
    void fineTuningStartsFromACheckpointOfTheSameArchitecture(@TempDir Path dir) throws Exception {
        SequenceModel pre = model(config(16, 0, TransformerConfig.Positions.LEARNED), 10);
        for (int i = 0; i < 5; i++) pre.trainStep(tokens(4, 16, 60 + i), 1e-2);
        Vocabulary vocab = new Vocabulary(java.util.stream.IntStream.range(0, V).mapToObj(i -> "" + (char) ('a' + i)).toList(), null, null);
        Path ckpt = dir.resolve("pre");
        Checkpoint.write(ckpt, pre, vocab, 1, 5, 1.0);

        TransformerConfig tune = new TransformerConfig("tuned", 2, 4, 32, 16, null, 0.1, null, null, null, null,
                new TransformerConfig.Init(ckpt.toString()), null, null, null, null);
        SequenceModel tuned = model(tune, 99);
        TokenBatch probe = tokens(2, 16, 11);
        assertArrayEquals(pre.logits(probe), tuned.logits(probe), "starts from the pretrained weights, not seed 99's");

        TransformerConfig wider = new TransformerConfig("w", 2, 4, 64, 16, null, null, null, null, null, null,
                new TransformerConfig.Init(ckpt.toString()), null, null, null, null);
        UserException e = assertThrows(UserException.class, () -> model(wider, 1));
        assertTrue(e.getMessage().contains("embedding 32") && e.getMessage().contains("64"), e.getMessage());
    }

    @Test
    void attentionPicturesAreCausalDistributions() {
        TransformerModel m = (TransformerModel) model(config(8, 0, TransformerConfig.Positions.ALIBI), 12);
        int[] tokens = tokens(1, 12, 13).inputs();
        var pictures = m.activations(tokens);
        float[][] att = pictures.get("block 1 attention (mean over heads)");
        assertEquals(8, att.length, "the last context-length tokens");
        for (int i = 0; i < 8; i++) {
            double sum = 0;
            for (int j = 0; j < 8; j++) {
                if (j > i) assertEquals(0f, att[i][j], 1e-6f, "no weight on the future");
                sum += att[i][j];
            }
            assertEquals(1.0, sum, 1e-4, "each row is a distribution");
        }
        assertEquals(32, pictures.get("block 0 residual stream (÷ its max)")[0].length);
    }

    @Test
    void aSingleSeriesTrainsOnItsLastSteps() {
        // width 1, loss on the last step of each window only: the usual next-value task
        TransformerConfig c = new TransformerConfig("t", 2, 4, 32, 24, null, null, null, null, null, null, null, null, null, null, null);
        SequenceModel m = new TransformerFamily().create(c, ModelShape.values(1), ADAMW, 14);
        int rows = 16, len = 24;
        float[] in = new float[rows * len], out = new float[rows * len], mask = new float[rows * len];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < len; t++) {
                in[r * len + t] = (float) Math.sin(0.5 * (r + t));
                out[r * len + t] = (float) Math.sin(0.5 * (r + t + 1));
            }
            mask[r * len + len - 1] = 1;
        }
        org.seqlab.core.ValueBatch b = new org.seqlab.core.ValueBatch(rows, len, 1, in, out, mask, false);
        double first = m.evaluate(b).meanLoss();
        for (int i = 0; i < 60; i++) m.trainStep(b, 1e-2);
        double last = m.evaluate(b).meanLoss();
        assertEquals(rows, m.evaluate(b).count(), "one scored step per window");
        assertTrue(last < 0.1 * first, "squared error falls from " + first + " to " + last);
    }

    @Test
    void aNadeHeadIsRefusedWhereItCannotTrainByField() {
        FieldException engine = assertThrows(FieldException.class, () -> new TransformerConfig("t", 1, 2, 8, 6, null, null, null, null,
                null, null, null, null, null, null, TransformerConfig.Engine.SAMEDIFF, "nade", 4));
        assertEquals("engine", engine.field(), engine.getMessage());
        FieldException tied = assertThrows(FieldException.class, () -> new TransformerConfig("t", 1, 2, 8, 6, null, null, null, null,
                true, null, null, null, null, null, null, "nade", 4));
        assertEquals("tie_embeddings", tied.field(), tied.getMessage());
        FieldException kind = assertThrows(FieldException.class, () -> new TransformerFamily().validate(
                new TransformerConfig("t", 1, 2, 8, 6, null, null, null, null, null, null, null, null, null, null, null, "nade", 4),
                ModelShape.tokens(5)));
        assertEquals("output", kind.field(), kind.getMessage());
        FieldException unknown = assertThrows(FieldException.class, () -> new TransformerConfig("t", 1, 2, 8, 6, null, null, null, null,
                null, null, null, null, null, null, null, "mixture", null));
        assertEquals("output", unknown.field(), unknown.getMessage());
    }

    /** The fused engine through a NADE head (which the graph cannot check): every tensor, the head's own too, against finite differences in double precision. */
    @Test
    void nadeHeadGradientsMatchFiniteDifferences() {
        TransformerConfig c = new TransformerConfig("g", 2, 2, 8, 6, 2, null, null, null, null, null, null, 0.1, null,
                TransformerConfig.Precision.DOUBLE, TransformerConfig.Engine.FUSED, "nade", 4);
        TransformerModel m = (TransformerModel) new TransformerFamily().create(c, ModelShape.frames(6), ADAMW, 21);
        SplittableRandom r = new SplittableRandom(5);
        float[] in = new float[2 * 5 * 6], out = new float[2 * 5 * 6], mask = new float[10];
        for (int i = 0; i < in.length; i++) { in[i] = r.nextDouble() < 0.4 ? 1f : 0f; out[i] = r.nextDouble() < 0.4 ? 1f : 0f; }
        Arrays.fill(mask, 1f);
        mask[9] = 0f;                                  // a padded step
        org.seqlab.core.FrameBatch b = new org.seqlab.core.FrameBatch(2, 5, 6, in, out, mask, false);
        float[][] analytic = m.gradient(b);
        assertTrue(m.parameterNames().containsAll(java.util.List.of("nade.Win", "nade.Wout")), m.parameterNames().toString());
        double h = 1e-5;
        for (int p = 0; p < analytic.length; p++) {
            double worst = worstRelativeError(m, b, analytic, p, 4, h, 1e-4, r);
            assertTrue(worst < 1e-4, m.parameterNames().get(p) + ": relative gradient error " + worst);
        }
    }

    /**
     * The largest relative gap between the analytic gradient of tensor {@code p} and central
     * differences of the mean loss at {@code probes} random entries ({@code floor}: the smallest
     * denominator, so entries near zero compare absolutely).
     */
    private static double worstRelativeError(TransformerModel m, org.seqlab.core.Batch b, float[][] analytic, int p, int probes,
                                             double h, double floor, SplittableRandom r) {
        double worst = 0;
        for (int k = 0; k < probes; k++) {
            int e = r.nextInt(analytic[p].length);
            m.nudge(p, e, h);
            double up = m.evaluate(b).meanLoss();
            m.nudge(p, e, -2 * h);
            double down = m.evaluate(b).meanLoss();
            m.nudge(p, e, h);
            double numeric = (up - down) / (2 * h);
            worst = Math.max(worst, Math.abs(numeric - analytic[p][e]) / Math.max(floor, Math.abs(numeric) + Math.abs(analytic[p][e])));
        }
        return worst;
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // SameDiff differentiates the graph; this checks its backward passes (reshape by a shape
        // placeholder, unstack, permute, batched matmuls, the composed LayerNorm and GELU) numerically
        for (TransformerConfig.Positions positions : TransformerConfig.Positions.values()) {
            TransformerConfig c = new TransformerConfig("g", 2, 2, 8, 6, 2, null, null, positions, null, null, null, null, null, null, null);
            TransformerModel m = (TransformerModel) new TransformerFamily().create(c, ModelShape.tokens(5), ADAMW, 21);
            SplittableRandom r = new SplittableRandom(3);
            int[] in = new int[12], out = new int[12];
            for (int i = 0; i < 12; i++) { in[i] = r.nextInt(5); out[i] = r.nextInt(5); }
            TokenBatch b = new TokenBatch(2, 6, in, out);
            float[][] analytic = m.gradient(b);
            float h = 1e-2f;
            for (int p = 0; p < analytic.length; p++) {
                double worst = worstRelativeError(m, b, analytic, p, 3, h, 1e-2, r);
                assertTrue(worst < 0.05, positions + " " + m.parameterNames().get(p) + ": relative gradient error " + worst);
            }
        }
    }
}

package org.seqlab.core.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.EvalStats;
import org.seqlab.core.FrameBatch;
import org.seqlab.core.Generator;
import org.seqlab.core.MemoryUse;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OptimizerSpec;
import org.seqlab.core.OutputKind;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.TrainingOptions;
import org.seqlab.core.ValueBatch;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link SequenceModel} must show. A family's test extends this class and
 * supplies a small config; see {@code HandRolledContractTest}.
 *
 * <p>The frame and value (time-series) checks run only when the family {@link ModelFamily#supports
 * supports} that output kind and accepts the config for it ({@link ModelFamily#validate}); a family
 * that adds {@link OutputKind#VALUES} gets the {@code values...} checks by saying so, and may give
 * them their own config with {@link #valueConfig()}.
 */
public abstract class SequenceModelContract {
    protected static final int VOCAB = 20;
    protected static final int KEYS = 12;
    /** Series (width) of the value checks: two, so that summing over units is exercised. */
    protected static final int SERIES = 2;

    protected abstract ModelFamily family();

    /** A small model config (tens of hidden units) that trains in seconds. */
    protected abstract ModelConfig smallConfig();

    protected TrainingOptions options() {
        return new TrainingOptions(OptimizerSpec.DEFAULT, new ClipSpec(ClipSpec.Mode.NORM, 5.0));
    }

    /** Learning rate and steps for the overfitting test. */
    protected double overfitLearningRate() {
        return 1e-2;
    }

    protected int overfitSteps() {
        return 300;
    }

    protected SequenceModel tokenModel(long seed) {
        return family().create(smallConfig(), ModelShape.tokens(VOCAB), options(), seed);
    }

    protected static TokenBatch randomTokens(int rows, int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] in = new int[rows * length], out = new int[rows * length];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(VOCAB);
            out[i] = r.nextInt(VOCAB);
        }
        return new TokenBatch(rows, length, in, out);
    }

    /** A 21-token sequence as a 20-step next-token batch. */
    protected static TokenBatch twentyTokenSequence() {
        SplittableRandom r = new SplittableRandom(7);
        int[] seq = new int[21];
        for (int i = 0; i < seq.length; i++) seq[i] = r.nextInt(VOCAB);
        return new TokenBatch(1, 20, java.util.Arrays.copyOf(seq, 20), java.util.Arrays.copyOfRange(seq, 1, 21));
    }

    /**
     * No growth step over step: after a warm-up, training steps (carried state, evaluations
     * between) leave the memory outside the Java heap where it was, once garbage is collected. It
     * is read at three points 80 steps apart; the last interval must be flat (the first may hold a
     * one-time change, such as DL4J sizing its workspaces). A family that keeps something per step
     * (arrays, session state, ids) grows in every interval.
     */
    @Test
    void offHeapMemoryStaysFlatWhileTraining() throws InterruptedException {
        Assumptions.assumeTrue(MemoryUse.measurable(), "this system does not report resident memory");
        SequenceModel m = tokenModel(5);
        TokenBatch first = randomTokens(8, 24, 21), next = randomTokens(8, 24, 22);
        TokenBatch continued = new TokenBatch(8, 24, next.inputs(), next.targets(), next.mask(), true);
        long[] settled = new long[3];
        for (int i = 0; i < 200; i++) {
            step(m, i, first, continued);
            if (i == 39 || i == 119 || i == 199) settled[(i - 39) / 80] = settledOffHeap();
        }
        m.close();
        m.close();                // closing twice is allowed
        assertTrue(settled[2] - settled[1] < FLAT_BYTES, String.format(java.util.Locale.ROOT,
                "%s: off-heap memory grew by %.1f MB over steps 120-200 (%.1f MB over steps 40-120), garbage collected",
                family().key(), (settled[2] - settled[1]) / 1e6, (settled[1] - settled[0]) / 1e6));
    }

    /** How much the off-heap memory may move over the flatness test: allocator noise, not per-step growth. */
    private static final long FLAT_BYTES = 16L << 20;

    private static long settledOffHeap() throws InterruptedException {
        System.gc();
        Thread.sleep(300);        // the backends' deallocator threads free what the collection found
        return MemoryUse.now().offHeapBytes();
    }

    private static void step(SequenceModel m, int i, TokenBatch first, TokenBatch continued) {
        m.trainStep(i % 2 == 0 ? first : continued, 1e-3);
        if (i % 25 == 24) m.evaluate(first);
    }

    @Test
    void initialLossIsAboutLnV() {
        SequenceModel m = tokenModel(1);
        double loss = m.evaluate(randomTokens(8, 16, 3)).meanLoss();
        assertEquals(Math.log(VOCAB), loss, 0.05 * Math.log(VOCAB), "initial loss per token should be ~ln V");
    }

    @Test
    void overfitsATwentyTokenSequence() {
        SequenceModel m = tokenModel(2);
        TokenBatch b = twentyTokenSequence();
        double first = m.evaluate(b).meanLoss();
        for (int i = 0; i < overfitSteps(); i++) m.trainStep(b, overfitLearningRate());
        EvalStats end = m.evaluate(b);
        assertTrue(end.meanLoss() < 0.05, "loss after overfitting should be near 0, was " + end.meanLoss()
                + " (started at " + first + ")");
        assertEquals(20, end.correct(), "every token of the memorised sequence should be predicted");
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs(@TempDir Path dir) throws Exception {
        SequenceModel m = tokenModel(3);
        TokenBatch b = randomTokens(4, 10, 5);
        for (int i = 0; i < 3; i++) m.trainStep(b, 1e-2);
        m.save(dir);
        SequenceModel loaded = family().load(dir);
        TokenBatch probe = randomTokens(3, 7, 11);
        assertArrayEquals(m.logits(probe), loaded.logits(probe), "logits must be bit-identical after reload");
        assertEquals(m.parameterCount(), loaded.parameterCount());
        assertEquals(m.seed(), loaded.seed());
        assertEquals(m.config(), loaded.config());
        // the optimiser state comes back too: the next step is the same
        assertEquals(m.trainStep(b, 1e-2).lossSum(), loaded.trainStep(b, 1e-2).lossSum());
        assertArrayEquals(m.logits(probe), loaded.logits(probe), "identical after one more step");
    }

    @Test
    void sameSeedGivesTheSameLossCurve() {
        double[] a = curve(tokenModel(42)), b = curve(tokenModel(42)), c = curve(tokenModel(43));
        assertArrayEquals(a, b, "same seed, same data: identical loss curve");
        assertNotEquals(a[0], c[0], "a different seed should give different initial weights");
    }

    private static double[] curve(SequenceModel m) {
        double[] losses = new double[5];
        for (int i = 0; i < losses.length; i++) losses[i] = m.trainStep(randomTokens(4, 12, 100 + i), 5e-3).lossSum();
        return losses;
    }

    @Test
    void maskedPositionsDoNotChangeTheLoss() {
        SequenceModel m = tokenModel(4);
        TokenBatch b = randomTokens(3, 10, 9);
        float[] mask = new float[30];
        int[] lengths = {10, 6, 3};
        for (int r = 0; r < 3; r++) for (int t = 0; t < lengths[r]; t++) mask[r * 10 + t] = 1;
        TokenBatch masked = new TokenBatch(3, 10, b.inputs(), b.targets(), mask, false);
        int[] in2 = b.inputs().clone(), out2 = b.targets().clone();
        for (int i = 0; i < 30; i++) if (mask[i] == 0) { in2[i] = (in2[i] + 1) % VOCAB; out2[i] = (out2[i] + 3) % VOCAB; }
        TokenBatch changed = new TokenBatch(3, 10, in2, out2, mask, false);
        EvalStats s1 = m.evaluate(masked), s2 = m.evaluate(changed);
        assertEquals(19, s1.count(), "only real steps are counted");
        assertEquals(s1.lossSum(), s2.lossSum(), 1e-9, "padding must not affect the loss");
    }

    @Test
    void generatorMatchesTheBatchForwardPass() {
        SequenceModel m = tokenModel(5);
        TokenBatch b = randomTokens(1, 12, 13);
        float[] batchLogits = m.logits(b);
        Generator g = m.generator();
        for (int t = 0; t < 12; t++) {
            float[] step = g.next(b.inputs()[t]);
            float[] expected = java.util.Arrays.copyOfRange(batchLogits, t * VOCAB, (t + 1) * VOCAB);
            assertArrayEquals(expected, step, 1e-4f, "step " + t);
        }
        g.reset();
        assertArrayEquals(java.util.Arrays.copyOfRange(batchLogits, 0, VOCAB), g.next(b.inputs()[0]), 1e-4f,
                "reset starts a fresh sequence");
    }

    @Test
    void continuedBatchesCarryTheState() {
        SequenceModel m = tokenModel(6);
        TokenBatch whole = randomTokens(2, 12, 17);
        int[] in1 = new int[12], out1 = new int[12], in2 = new int[12], out2 = new int[12];
        for (int r = 0; r < 2; r++) {
            System.arraycopy(whole.inputs(), r * 12, in1, r * 6, 6);
            System.arraycopy(whole.targets(), r * 12, out1, r * 6, 6);
            System.arraycopy(whole.inputs(), r * 12 + 6, in2, r * 6, 6);
            System.arraycopy(whole.targets(), r * 12 + 6, out2, r * 6, 6);
        }
        EvalStats full = m.evaluate(whole);
        EvalStats first = m.evaluate(new TokenBatch(2, 6, in1, out1, new float[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, false));
        EvalStats second = m.evaluate(new TokenBatch(2, 6, in2, out2, new float[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, true));
        assertEquals(full.lossSum(), first.plus(second).lossSum(), 1e-3, "two continued halves = one whole pass");
        EvalStats fresh = m.evaluate(new TokenBatch(2, 6, in2, out2, new float[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, false));
        assertNotEquals(second.lossSum(), fresh.lossSum(), 1e-6, "without continues the state starts from zero");
    }

    @Test
    void frameModelsStartAtLn2PerUnitAndLearn() {
        if (!family().supports(OutputKind.FRAMES)) return;
        try {
            family().validate(smallConfig(), ModelShape.frames(KEYS));
        } catch (org.seqlab.core.FieldException e) {
            return;   // this configuration is token-only (e.g. embedding input)
        }
        SequenceModel m = family().create(smallConfig(), ModelShape.frames(KEYS), options(), 8);
        int rows = 2, len = 10;
        float[] in = new float[rows * len * KEYS], out = new float[rows * len * KEYS];
        for (int row = 0; row < rows; row++)
            for (int t = 0; t < len; t++)
                for (int k = 0; k < KEYS; k++) {
                    // a repeating chord pattern: frame t has keys t%3, (t%3)+4, (t%3)+7
                    int idx = (row * len + t) * KEYS + k;
                    in[idx] = (k == t % 3 || k == t % 3 + 4 || k == t % 3 + 7) ? 1 : 0;
                    int n = t + 1;
                    out[idx] = (k == n % 3 || k == n % 3 + 4 || k == n % 3 + 7) ? 1 : 0;
                }
        FrameBatch b = new FrameBatch(rows, len, KEYS, in, out, org.seqlab.core.Batch.fullMask(rows, len), false);
        double initial = m.evaluate(b).meanLoss();
        assertEquals(KEYS * Math.log(2), initial, 0.05 * KEYS * Math.log(2), "sum of BCEs starts near K ln 2");
        for (int i = 0; i < overfitSteps(); i++) m.trainStep(b, overfitLearningRate());
        EvalStats end = m.evaluate(b);
        assertTrue(end.meanLoss() < 0.1, "frame loss after training " + end.meanLoss());
        assertEquals(end.total(), end.correct(), "all notes predicted: TP = TP + FP + FN");
    }

    // ---- real-valued outputs (time series) ---------------------------------------------------

    /** The config of the value checks; by default {@link #smallConfig()}. */
    protected ModelConfig valueConfig() {
        return smallConfig();
    }

    /** A VALUES model of {@link #SERIES} series; skips the calling test when the family does not do values. */
    protected SequenceModel valueModel(long seed) {
        Assumptions.assumeTrue(family().supports(OutputKind.VALUES), family().key() + " does not model values");
        ModelShape shape = ModelShape.values(SERIES);
        try {
            family().validate(valueConfig(), shape);
        } catch (org.seqlab.core.FieldException e) {
            Assumptions.abort("this configuration cannot model values: " + e.getMessage());
        }
        return family().create(valueConfig(), shape, options(), seed);
    }

    /**
     * {@code rows} windows of {@code length} steps of two phase-shifted sines (unit variance) plus
     * a little noise, each step's target the next value of both series.
     */
    protected static ValueBatch sineWindows(int rows, int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] in = new float[rows * length * SERIES], out = new float[rows * length * SERIES];
        for (int row = 0; row < rows; row++) {
            int start = r.nextInt(100);
            for (int t = 0; t < length; t++)
                for (int k = 0; k < SERIES; k++) {
                    int i = (row * length + t) * SERIES + k;
                    in[i] = sine(start + t, k) + (float) (0.05 * r.nextGaussian());
                    out[i] = sine(start + t + 1, k);
                }
        }
        return new ValueBatch(rows, length, SERIES, in, out, org.seqlab.core.Batch.fullMask(rows, length), false);
    }

    private static float sine(int t, int k) {
        return (float) (Math.sqrt(2) * Math.sin(2 * Math.PI * t / 8.0 + k));
    }

    @Test
    void valuesLossIsTheSquaredErrorOfTheOutputsAndStartsSane() {
        SequenceModel m = valueModel(21);
        ValueBatch b = sineWindows(3, 10, 4);
        float[] mask = b.mask().clone();
        for (int t = 6; t < 10; t++) mask[10 + t] = 0;            // row 1 is 6 steps long
        ValueBatch masked = new ValueBatch(3, 10, SERIES, b.inputs(), b.targets(), mask, false);
        float[] y = m.logits(masked);
        double expected = 0;
        for (int i = 0; i < mask.length; i++)
            for (int k = 0; k < SERIES; k++) if (mask[i] != 0) expected += Math.pow(y[i * SERIES + k] - b.targets()[i * SERIES + k], 2);
        EvalStats s = m.evaluate(masked);
        assertEquals(26, s.count(), "only real steps are counted");
        assertEquals(expected, s.lossSum(), 1e-4 * expected, "loss = squared error summed over units, no 1/2 factor");
        assertEquals(0, s.total(), "accuracy does not apply to values");
        double perUnit = s.meanLoss() / SERIES;
        assertTrue(perUnit > 0.5 && perUnit < 3, "unit-variance targets: initial squared error per unit should be near 1, was " + perUnit);
        float[] in2 = b.inputs().clone(), out2 = b.targets().clone();
        for (int i = 0; i < mask.length; i++)
            if (mask[i] == 0) for (int k = 0; k < SERIES; k++) { in2[i * SERIES + k] += 5; out2[i * SERIES + k] -= 7; }
        assertEquals(s.lossSum(), m.evaluate(new ValueBatch(3, 10, SERIES, in2, out2, mask, false)).lossSum(), 1e-6,
                "padding must not affect the loss");
        EvalStats trained = m.trainStep(masked, 1e-3);
        assertEquals(s.lossSum(), trained.lossSum(), 1e-3 * s.lossSum(), "a training step reports the same loss, before its update");
        assertEquals(26, trained.count());
    }

    @Test
    void valuesOverfitATinySeries() {
        SequenceModel m = valueModel(22);
        ValueBatch b = sineWindows(2, 16, 5);
        double first = m.evaluate(b).meanLoss();
        for (int i = 0; i < overfitSteps(); i++) m.trainStep(b, overfitLearningRate());
        double end = m.evaluate(b).meanLoss();
        assertTrue(end < 0.02 * first, "squared error after overfitting " + end + " (started at " + first + ")");
    }

    @Test
    void valuesSaveAndLoadGiveIdenticalOutputs(@TempDir Path dir) throws Exception {
        SequenceModel m = valueModel(23);
        ValueBatch b = sineWindows(4, 10, 6);
        for (int i = 0; i < 3; i++) m.trainStep(b, 1e-2);
        m.save(dir);
        SequenceModel loaded = family().load(dir);
        assertEquals(m.shape(), loaded.shape());
        ValueBatch probe = sineWindows(3, 7, 12);
        assertArrayEquals(m.logits(probe), loaded.logits(probe), "predictions must be bit-identical after reload");
        assertEquals(m.trainStep(b, 1e-2).lossSum(), loaded.trainStep(b, 1e-2).lossSum());
        assertArrayEquals(m.logits(probe), loaded.logits(probe), "identical after one more step");
    }

    @Test
    void valuesSameSeedGivesTheSameLossCurve() {
        double[] a = valueCurve(valueModel(44)), b = valueCurve(valueModel(44)), c = valueCurve(valueModel(45));
        assertArrayEquals(a, b, "same seed, same data: identical loss curve");
        assertNotEquals(a[0], c[0], "a different seed should give different initial weights");
    }

    private static double[] valueCurve(SequenceModel m) {
        double[] losses = new double[5];
        for (int i = 0; i < losses.length; i++) losses[i] = m.trainStep(sineWindows(4, 12, 200 + i), 5e-3).lossSum();
        return losses;
    }

    @Test
    void valuesGeneratorMatchesTheBatchForwardPass() {
        SequenceModel m = valueModel(24);
        ValueBatch b = sineWindows(1, 12, 14);
        float[] batch = m.logits(b);
        Generator g = m.generator();
        for (int t = 0; t < 12; t++) {
            float[] step = g.nextValues(java.util.Arrays.copyOfRange(b.inputs(), t * SERIES, (t + 1) * SERIES));
            assertArrayEquals(java.util.Arrays.copyOfRange(batch, t * SERIES, (t + 1) * SERIES), step, 1e-4f, "step " + t);
        }
        g.reset();
        assertArrayEquals(java.util.Arrays.copyOfRange(batch, 0, SERIES), g.nextValues(java.util.Arrays.copyOf(b.inputs(), SERIES)),
                1e-4f, "reset starts a fresh sequence");
    }

    @Test
    void valuesContinuedBatchesCarryTheState() {
        SequenceModel m = valueModel(25);
        ValueBatch whole = sineWindows(1, 12, 15);
        int half = 6 * SERIES;
        ValueBatch first = new ValueBatch(1, 6, SERIES, java.util.Arrays.copyOf(whole.inputs(), half),
                java.util.Arrays.copyOf(whole.targets(), half), org.seqlab.core.Batch.fullMask(1, 6), false);
        ValueBatch second = new ValueBatch(1, 6, SERIES, java.util.Arrays.copyOfRange(whole.inputs(), half, 2 * half),
                java.util.Arrays.copyOfRange(whole.targets(), half, 2 * half), org.seqlab.core.Batch.fullMask(1, 6), true);
        double full = m.evaluate(whole).lossSum();
        double split = m.evaluate(first).lossSum() + m.evaluate(second).lossSum();
        assertEquals(full, split, 1e-4 * full, "two continued halves = one whole pass");
    }
}

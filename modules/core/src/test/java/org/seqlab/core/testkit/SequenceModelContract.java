package org.seqlab.core.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Capabilities;
import org.seqlab.core.ClipSpec;
import org.seqlab.core.EvalStats;
import org.seqlab.core.FrameBatch;
import org.seqlab.core.Generator;
import org.seqlab.core.InitScheme;
import org.seqlab.core.MemoryUse;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.NamedWeights;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        // settled readings every 80 steps: a leak grows in every interval, allocator noise jumps once
        long[] settled = new long[4];
        for (int i = 0; i < 280; i++) {
            step(m, i, first, continued);
            if (i % 80 == 39) settled[i / 80] = settledOffHeap();
        }
        m.close();
        m.close();                // closing twice is allowed
        long least = Long.MAX_VALUE;
        StringBuilder growth = new StringBuilder();
        for (int k = 1; k < settled.length; k++) {
            long d = settled[k] - settled[k - 1];
            least = Math.min(least, d);
            growth.append(String.format(java.util.Locale.ROOT, " %.1f", d / 1e6));
        }
        long total = settled[settled.length - 1] - settled[0];
        assertTrue(least < STEADY_BYTES && total < TOTAL_BYTES, String.format(java.util.Locale.ROOT,
                "%s: off-heap memory grew by %.1f MB over steps 40-280 after garbage collection (per 80 steps, MB:%s)",
                family().key(), total / 1e6, growth));
    }

    /** A leak of 200 KB a step or more grows every 80-step interval by more than STEADY_BYTES; warm-up
     *  (DL4J's workspaces, the JIT, the allocator) adds up to ~40 MB to single intervals and levels off
     *  (dl4j-lstm, 920 steps: +36, +37, +8, -6, +48, -13, ... MB, flat at ~250 MB after 440 steps). */
    private static final long STEADY_BYTES = 16L << 20, TOTAL_BYTES = 128L << 20;

    private static long settledOffHeap() throws InterruptedException {
        System.gc();
        Thread.sleep(300);        // the backends' deallocator threads free what the collection found
        return MemoryUse.now().offHeapBytes();
    }

    private static void step(SequenceModel m, int i, TokenBatch first, TokenBatch continued) {
        m.trainStep(i % 2 == 0 ? first : continued, 1e-3);
        if (i % 25 == 24) m.evaluate(first);
    }

    /**
     * A training step with plain SGD (no clipping, no decay) moves the weights by exactly
     * −lr·∇L, where L is the batch's mean loss per real step as {@code evaluate} reports it. The
     * gradient is read back from the weights' change (the family must list its weights, {@link
     * NamedWeights}); the loss must then fall by lr·|∇L|², which two step sizes measure to second
     * order. A gradient of another loss (summed, or divided by rows instead of steps) fails by its factor.
     */
    @Test
    void aTrainingStepIsGradientDescentOnTheMeanLoss() {
        TokenBatch batch = randomTokens(3, 8, 11);
        TrainingOptions sgd = new TrainingOptions(OptimizerSpec.of(OptimizerSpec.Type.SGD), new ClipSpec(ClipSpec.Mode.NONE, null));
        double before;
        double[] probe;
        try (SequenceModel m = family().create(smallConfig(), ModelShape.tokens(VOCAB), sgd, 5)) {
            Assumptions.assumeTrue(m instanceof NamedWeights, family().key() + " does not list its weights (NamedWeights)");
            before = mean(m.evaluate(batch));
            probe = descentAfterStep(m, batch, 1e-3);
        }
        double lr = 0.01 * before / (probe[1] / 1e-3);     // a step that lowers the loss by about 1%
        double[] one, two;
        try (SequenceModel m = family().create(smallConfig(), ModelShape.tokens(VOCAB), sgd, 5)) {
            one = descentAfterStep(m, batch, lr);
        }
        try (SequenceModel m = family().create(smallConfig(), ModelShape.tokens(VOCAB), sgd, 5)) {
            two = descentAfterStep(m, batch, 2 * lr);
        }
        double gradientSquared = one[1] / lr;              // |Δw|² / lr²
        double fromLoss = (4 * (before - one[0]) - (before - two[0])) / (2 * lr);   // −d/dlr of L(w − lr·g) at 0
        assertEquals(gradientSquared, fromLoss, 0.05 * gradientSquared,
                "the loss falls at " + fromLoss + " per unit of lr, but |Δw / lr|² is " + gradientSquared + ": the step is not −lr·∇(mean loss)");
    }

    /** Trains one step; returns the loss afterwards and |Δw|²/lr (lr·|∇L|² for plain gradient descent). */
    private static double[] descentAfterStep(SequenceModel m, TokenBatch batch, double lr) {
        double[] w0 = flatWeights((NamedWeights) m);
        m.trainStep(batch, lr);
        double[] w1 = flatWeights((NamedWeights) m);
        double moved = 0;
        for (int i = 0; i < w0.length; i++) moved += (w1[i] - w0[i]) * (w1[i] - w0[i]);
        return new double[]{mean(m.evaluate(batch)), moved / lr};
    }

    private static double[] flatWeights(NamedWeights m) {
        return m.namedWeights().values().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.values())).toArray();
    }

    private static double mean(EvalStats s) {
        return s.lossSum() / s.count();
    }

    @Test
    void initialLossIsAboutLnV() {
        SequenceModel m = tokenModel(1);
        double loss = m.evaluate(randomTokens(8, 16, 3)).meanLoss();
        assertEquals(Math.log(VOCAB), loss, 0.05 * Math.log(VOCAB), "initial loss per token should be ~ln V");
    }

    private SequenceModel tokenModel(InitScheme scheme, long seed) {
        return family().create(smallConfig(), ModelShape.tokens(VOCAB), options().withInit(scheme), seed);
    }

    /**
     * training.init is every family's: each scheme gives the same weights for the same seed and
     * different ones from the other schemes, and small_output (the default) starts at the uniform
     * prediction, which is its promise. (The values each scheme draws are checked once, in core's
     * InitialWeightsTest; a family maps them into its own layout, which its twin test checks.)
     */
    @Test
    void everyInitSchemeIsImplementedAndSeeded() {
        assertEquals(InitScheme.DEFAULT, options().init(), "the testkit runs every family at the shared default");
        java.util.Map<InitScheme, double[]> weights = new java.util.EnumMap<>(InitScheme.class);
        for (InitScheme scheme : InitScheme.values()) {
            try (SequenceModel a = tokenModel(scheme, 5); SequenceModel b = tokenModel(scheme, 5)) {
                double[] w = flatWeights((NamedWeights) a);
                assertArrayEquals(w, flatWeights((NamedWeights) b), scheme + ": same seed, same starting weights");
                double loss = a.evaluate(randomTokens(8, 16, 3)).meanLoss();
                assertTrue(Double.isFinite(loss) && loss > 0, scheme + ": first loss " + loss);
                if (scheme == InitScheme.SMALL_OUTPUT)
                    assertEquals(Math.log(VOCAB), loss, 0.02 * Math.log(VOCAB), "small_output starts at ln V");
                for (var e : weights.entrySet())
                    assertFalse(java.util.Arrays.equals(e.getValue(), w), scheme + " starts where " + e.getKey() + " does");
                weights.put(scheme, w);
            }
        }
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

    /**
     * Per-example losses (kept for paired comparisons): the rows of a ragged batch add up to the
     * batch's loss and counts, and each row scores as that row evaluated alone.
     */
    @Test
    void rowLossesAddUpToTheBatchAndEachIsItsRowAlone() {
        SequenceModel m = tokenModel(4);
        TokenBatch b = randomTokens(3, 10, 21);
        float[] mask = new float[30];
        int[] lengths = {10, 6, 3};
        for (int r = 0; r < 3; r++) for (int t = 0; t < lengths[r]; t++) mask[r * 10 + t] = 1;
        TokenBatch ragged = new TokenBatch(3, 10, b.inputs(), b.targets(), mask, false);
        EvalStats whole = m.evaluate(ragged);
        EvalStats[] rows = m.evaluateRows(ragged);
        assertEquals(3, rows.length);
        EvalStats sum = org.seqlab.core.RowLosses.total(rows);
        assertEquals(whole.count(), sum.count());
        assertEquals(whole.correct(), sum.correct());
        assertEquals(whole.lossSum(), sum.lossSum(), 1e-4 * whole.lossSum(), "rows add up to the batch");
        for (int r = 0; r < 3; r++) {
            assertEquals(lengths[r], rows[r].count(), "row " + r + " counts its real steps");
            int len = lengths[r];
            TokenBatch alone = new TokenBatch(1, len, java.util.Arrays.copyOfRange(b.inputs(), r * 10, r * 10 + len),
                    java.util.Arrays.copyOfRange(b.targets(), r * 10, r * 10 + len));
            assertEquals(m.evaluate(alone).lossSum(), rows[r].lossSum(), 1e-4 * rows[r].lossSum(), "row " + r + " scores as itself alone");
        }
    }

    /** Row losses of continued halves carry the state as evaluate does: they add up to the whole rows'. */
    @Test
    void rowLossesOfContinuedBatchesCarryTheState() {
        Assumptions.assumeTrue(tokenCapabilities().carriesState(), family().key() + ": this config carries no state");
        SequenceModel m = tokenModel(6);
        TokenBatch whole = randomTokens(2, 12, 17);
        TokenBatch[] h = halves(whole, 6);
        EvalStats[] full = m.evaluateRows(whole);
        EvalStats[] first = m.evaluateRows(h[0]);
        EvalStats[] second = m.evaluateRows(h[1]);
        for (int r = 0; r < 2; r++)
            assertEquals(full[r].lossSum(), first[r].lossSum() + second[r].lossSum(), 1e-3, "row " + r);
    }

    /** Frames and values split by row too, with the batch's units (per-frame NLL, squared error). */
    @Test
    void frameRowLossesAddUpToTheBatch() {
        SequenceModel m = frameModel(31);
        FrameBatch b = chords(3, 8, 1, false);
        EvalStats whole = m.evaluate(b);
        EvalStats sum = org.seqlab.core.RowLosses.total(m.evaluateRows(b));
        assertEquals(whole.count(), sum.count());
        assertEquals(whole.lossSum(), sum.lossSum(), 1e-4 * whole.lossSum());
    }

    @Test
    void valueRowLossesAddUpToTheBatch() {
        SequenceModel m = valueModel(32);
        ValueBatch b = sineWindows(3, 8, 33);
        EvalStats whole = m.evaluate(b);
        EvalStats sum = org.seqlab.core.RowLosses.total(m.evaluateRows(b));
        assertEquals(whole.count(), sum.count());
        assertEquals(whole.lossSum(), sum.lossSum(), 1e-4 * whole.lossSum());
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

    /** Capabilities of the token config; a test of carried state or generation skips, visibly, when the family says it has none. */
    protected Capabilities tokenCapabilities() {
        return family().capabilities(smallConfig(), ModelShape.tokens(VOCAB));
    }

    /** Rows of {@code whole} split at step {@code at}: the first part, and the rest marked as continuing it. */
    private static TokenBatch[] halves(TokenBatch whole, int at) {
        int rows = whole.rows(), len = whole.length(), rest = len - at;
        int[] in1 = new int[rows * at], out1 = new int[rows * at], in2 = new int[rows * rest], out2 = new int[rows * rest];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(whole.inputs(), r * len, in1, r * at, at);
            System.arraycopy(whole.targets(), r * len, out1, r * at, at);
            System.arraycopy(whole.inputs(), r * len + at, in2, r * rest, rest);
            System.arraycopy(whole.targets(), r * len + at, out2, r * rest, rest);
        }
        return new TokenBatch[]{new TokenBatch(rows, at, in1, out1, org.seqlab.core.Batch.fullMask(rows, at), false),
                new TokenBatch(rows, rest, in2, out2, org.seqlab.core.Batch.fullMask(rows, rest), true)};
    }

    @Test
    void continuedBatchesCarryTheState() {
        Assumptions.assumeTrue(tokenCapabilities().carriesState(), family().key() + ": this config carries no state");
        SequenceModel m = tokenModel(6);
        TokenBatch whole = randomTokens(2, 12, 17);
        TokenBatch[] h = halves(whole, 6);
        EvalStats full = m.evaluate(whole);
        EvalStats first = m.evaluate(h[0]);
        EvalStats second = m.evaluate(h[1]);
        assertEquals(full.lossSum(), first.plus(second).lossSum(), 1e-3, "two continued halves = one whole pass");
        EvalStats fresh = m.evaluate(fresh(h[1]));
        assertNotEquals(second.lossSum(), fresh.lossSum(), 1e-6, "without continues the state starts from zero");
    }

    private static TokenBatch fresh(TokenBatch b) {
        return new TokenBatch(b.rows(), b.length(), b.inputs(), b.targets(), b.mask(), false);
    }

    /**
     * Training carries the state too: at learning rate 0 (nothing moves) the losses two continued
     * training steps report add up to the loss of the whole sequence, and an evaluation between
     * them does not cut the sequence.
     */
    @Test
    void continuedTrainingBatchesCarryTheState() {
        Assumptions.assumeTrue(tokenCapabilities().carriesState(), family().key() + ": this config carries no state");
        SequenceModel m = tokenModel(16);
        TokenBatch whole = randomTokens(2, 12, 18);
        TokenBatch[] h = halves(whole, 7);
        double full = m.evaluate(whole).lossSum();
        EvalStats first = m.trainStep(h[0], 0.0);
        m.evaluate(randomTokens(3, 5, 19));                        // a validation pass in between
        EvalStats second = m.trainStep(h[1], 0.0);
        assertEquals(full, first.lossSum() + second.lossSum(), 1e-4 * full, "two continued training halves = one whole pass");
        double cut = m.trainStep(fresh(h[1]), 0.0).lossSum();
        assertNotEquals(second.lossSum(), cut, 1e-6, "a batch that does not continue starts from zero state");
        assertEquals(full, m.evaluate(whole).lossSum(), 1e-9 * full, "learning rate 0 changes nothing");
    }

    /** A language model is causal: changing the input at step t+1 changes no output at or before t. */
    @Test
    void changingALaterInputNeverChangesAnEarlierOutput() {
        SequenceModel m = tokenModel(9);
        TokenBatch b = randomTokens(2, 10, 23);
        for (int i = 0; i < 3; i++) m.trainStep(b, 1e-2);          // trained weights, not just the initial ones
        float[] before = m.logits(b);
        for (int t : new int[]{1, 5, 9}) {
            int[] in = b.inputs().clone();
            in[10 + t] = (in[10 + t] + 1 + t) % VOCAB;               // row 1, step t
            float[] after = m.logits(new TokenBatch(2, 10, in, b.targets()));
            assertArrayEquals(java.util.Arrays.copyOfRange(before, 10 * VOCAB, (10 + t) * VOCAB),
                    java.util.Arrays.copyOfRange(after, 10 * VOCAB, (10 + t) * VOCAB), 1e-6f, "outputs before step " + t + " moved");
            assertArrayEquals(java.util.Arrays.copyOfRange(before, 0, 10 * VOCAB), java.util.Arrays.copyOfRange(after, 0, 10 * VOCAB),
                    "another row moved");
            assertNotEquals(before[(10 + t) * VOCAB], after[(10 + t) * VOCAB], "the output at the changed step itself must move");
        }
    }

    /** The family declares what a report shows of the model: a non-empty set of settings, keyed as in YAML. */
    @Test
    void theConfigDeclaresWhatTheReportShows() {
        java.util.Map<String, Object> s = smallConfig().settings();
        assertFalse(s.isEmpty(), family().key() + ": ModelConfig.settings() names the model's size and regularisation");
        for (String k : s.keySet()) assertTrue(k.matches("[a-z][a-z_]*"), "a YAML-style key: " + k);
    }

    /** What the capabilities say is so: a model that cannot generate refuses to, clearly. */
    @Test
    void capabilitiesAreKept() {
        Capabilities c = tokenCapabilities();
        SequenceModel m = tokenModel(10);
        if (c.generates()) assertEquals(VOCAB, m.generator().next(3).length);
        else assertThrows(UnsupportedOperationException.class, m::generator);
    }

    /** A FRAMES model of {@link #KEYS} keys; skips the calling test, visibly, when the family or config does not do frames. */
    protected SequenceModel frameModel(long seed) {
        Assumptions.assumeTrue(family().supports(OutputKind.FRAMES), family().key() + " does not model frames");
        try {
            family().validate(smallConfig(), ModelShape.frames(KEYS));
        } catch (org.seqlab.core.FieldException e) {
            Assumptions.abort("this configuration cannot model frames: " + e.getMessage());
        }
        return family().create(smallConfig(), ModelShape.frames(KEYS), options(), seed);
    }

    /** {@code rows} rows of a repeating chord pattern: frame t has keys t%3, (t%3)+4, (t%3)+7; targets the next frame. */
    protected static FrameBatch chords(int rows, int len, int shift, boolean continues) {
        float[] in = new float[rows * len * KEYS], out = new float[rows * len * KEYS];
        for (int row = 0; row < rows; row++)
            for (int t = 0; t < len; t++)
                for (int k = 0; k < KEYS; k++) {
                    int idx = (row * len + t) * KEYS + k, c = t + shift + row, n = c + 1;
                    in[idx] = (k == c % 3 || k == c % 3 + 4 || k == c % 3 + 7) ? 1 : 0;
                    out[idx] = (k == n % 3 || k == n % 3 + 4 || k == n % 3 + 7) ? 1 : 0;
                }
        return new FrameBatch(rows, len, KEYS, in, out, org.seqlab.core.Batch.fullMask(rows, len), continues);
    }

    @Test
    void frameModelsStartAtLn2PerUnitAndLearn() {
        SequenceModel m = frameModel(8);
        FrameBatch b = chords(2, 10, 0, false);
        double initial = m.evaluate(b).meanLoss();
        assertEquals(KEYS * Math.log(2), initial, 0.05 * KEYS * Math.log(2), "sum of BCEs starts near K ln 2");
        for (int i = 0; i < overfitSteps(); i++) m.trainStep(b, overfitLearningRate());
        EvalStats end = m.evaluate(b);
        assertTrue(end.meanLoss() < 0.1, "frame loss after training " + end.meanLoss());
        assertEquals(end.total(), end.correct(), "all notes predicted: TP = TP + FP + FN");
    }

    /**
     * optimizer.ema: after every step the weights' average moves toward them (avg = ema·avg +
     * (1−ema)·w, from the initial weights); swapping puts the average in place of the weights and
     * back exactly, and no training step is taken while the average is in place.
     */
    @Test
    void theWeightsMovingAverageIsKeptAndSwapsInAndBackExactly() {
        double ema = 0.5;
        SequenceModel m = family().create(smallConfig(), ModelShape.tokens(VOCAB),
                new TrainingOptions(options().optimizer().withEma(ema), options().clip()), 6);
        Assumptions.assumeTrue(m instanceof NamedWeights, family().key() + " does not list its weights (NamedWeights)");
        assertFalse(m.swapAveragedWeights(), "no average before the first step");
        TokenBatch b = randomTokens(4, 10, 6);
        double[] average = weights(m);
        for (int i = 0; i < 3; i++) {
            m.trainStep(b, 1e-2);
            double[] w = weights(m);
            for (int k = 0; k < w.length; k++) average[k] = ema * average[k] + (1 - ema) * w[k];
        }
        double[] last = weights(m);
        assertTrue(m.swapAveragedWeights());
        double[] swapped = weights(m);
        for (int k = 0; k < average.length; k++)
            assertEquals(average[k], swapped[k], 1e-5 * Math.max(1, Math.abs(average[k])), "averaged weight " + k);
        assertThrows(IllegalStateException.class, () -> m.trainStep(b, 1e-2), "no step on the average");
        assertTrue(m.swapAveragedWeights());
        assertArrayEquals(last, weights(m), "the weights come back exactly");
        m.close();
        SequenceModel plain = tokenModel(6);
        plain.trainStep(b, 1e-2);
        assertFalse(plain.swapAveragedWeights(), "no average without optimizer.ema");
        plain.close();
    }

    private static double[] weights(SequenceModel m) {
        return ((NamedWeights) m).namedWeights().values().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.values())).toArray();
    }

    /** Every family reads batches through BatchArrays: the wrong kind of batch is refused alike, never read as garbage. */
    @Test
    void aBatchOfAnotherKindIsRefused() {
        SequenceModel frames = frameModel(9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> frames.evaluate(twentyTokenSequence()));
        assertTrue(e.getMessage().contains("token batch for a frames model"), e.getMessage());
        SequenceModel tokens = tokenModel(9);
        e = assertThrows(IllegalArgumentException.class, () -> tokens.evaluate(chords(2, 5, 0, false)));
        assertTrue(e.getMessage().contains("does not match the model's shape"), e.getMessage());
    }

    @Test
    void framesSaveAndLoadGiveIdenticalOutputs(@TempDir Path dir) throws Exception {
        SequenceModel m = frameModel(26);
        FrameBatch b = chords(3, 8, 1, false);
        for (int i = 0; i < 3; i++) m.trainStep(b, 1e-2);
        m.save(dir);
        SequenceModel loaded = family().load(dir);
        assertEquals(m.shape(), loaded.shape());
        FrameBatch probe = chords(2, 6, 2, false);
        assertArrayEquals(m.logits(probe), loaded.logits(probe), "log-odds must be bit-identical after reload");
        assertEquals(m.trainStep(b, 1e-2).lossSum(), loaded.trainStep(b, 1e-2).lossSum());
        assertArrayEquals(m.logits(probe), loaded.logits(probe), "identical after one more step");
    }

    @Test
    void framesGeneratorMatchesTheBatchForwardPass() {
        SequenceModel m = frameModel(27);
        Assumptions.assumeTrue(family().capabilities(smallConfig(), ModelShape.frames(KEYS)).generates(),
                family().key() + ": this config cannot generate");
        FrameBatch b = chords(1, 9, 0, false);
        for (int i = 0; i < 3; i++) m.trainStep(b, 1e-2);
        float[] batch = m.logits(b);
        Generator g = m.generator();
        for (int t = 0; t < 9; t++) {
            float[] step = g.nextFrame(java.util.Arrays.copyOfRange(b.inputs(), t * KEYS, (t + 1) * KEYS));
            assertArrayEquals(java.util.Arrays.copyOfRange(batch, t * KEYS, (t + 1) * KEYS), step, 1e-4f, "frame " + t);
        }
    }

    @Test
    void framesContinuedTrainingBatchesCarryTheState() {
        SequenceModel m = frameModel(28);
        Assumptions.assumeTrue(family().capabilities(smallConfig(), ModelShape.frames(KEYS)).carriesState(),
                family().key() + ": this config carries no state");
        FrameBatch whole = chords(2, 10, 0, false), first = chords(2, 4, 0, false), second = chords(2, 6, 4, true);
        double full = m.evaluate(whole).lossSum();
        double split = m.trainStep(first, 0.0).lossSum() + m.trainStep(second, 0.0).lossSum();
        assertEquals(full, split, 1e-4 * full, "two continued training halves = one whole pass");
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

    // ---- output heads (org.seqlab.core.head): every head that applies to data the family models ----

    /**
     * {@link #smallConfig()} with {@code output: name} (and a small {@code nade_hidden} for a NADE),
     * through the same YAML binding as a run: every family's configuration has the {@code output} option.
     */
    protected ModelConfig configWithHead(String name, ModelConfig base) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(org.seqlab.core.Json.MAPPER.convertValue(base, java.util.Map.class));
        m.values().removeIf(java.util.Objects::isNull);
        m.put("output", name);
        if (name.equals("nade")) m.put("nade_hidden", 16);
        return org.seqlab.core.Json.MAPPER.convertValue(m, family().configType());
    }

    /** Each registered head on each kind of data it models and the family supports: learns, scores by row, saves, samples. */
    @org.junit.jupiter.api.TestFactory
    java.util.List<org.junit.jupiter.api.DynamicTest> everyHeadThatAppliesTrains() {
        java.util.List<org.junit.jupiter.api.DynamicTest> tests = new java.util.ArrayList<>();
        for (String name : org.seqlab.core.head.Heads.names())
            for (OutputKind kind : OutputKind.values()) {
                if (!org.seqlab.core.head.Heads.applies(name, kind)) continue;
                tests.add(org.junit.jupiter.api.DynamicTest.dynamicTest(name + " on " + kind.name().toLowerCase(java.util.Locale.ROOT),
                        () -> headTrains(name, kind)));
            }
        return tests;
    }

    private void headTrains(String name, OutputKind kind) throws Exception {
        Assumptions.assumeTrue(family().supports(kind), family().key() + " does not model " + kind);
        ModelConfig base = kind == OutputKind.VALUES ? valueConfig() : smallConfig();
        ModelShape shape = switch (kind) {
            case TOKENS -> ModelShape.tokens(VOCAB);
            case FRAMES -> ModelShape.frames(KEYS);
            case VALUES -> ModelShape.values(SERIES);
        };
        ModelConfig config = configWithHead(name, base);
        try {
            family().validate(config, shape);
        } catch (org.seqlab.core.FieldException e) {
            Assumptions.abort("this configuration cannot model " + kind + ": " + e.getMessage());
        }
        org.seqlab.core.Batch b = switch (kind) {
            case TOKENS -> twentyTokenSequence();
            case FRAMES -> chords(2, 10, 0, false);
            case VALUES -> sineWindows(2, 10, 1);
        };
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("seqlab-head");
        try (SequenceModel m = family().create(config, shape, options(), 21)) {
            EvalStats start = m.evaluate(b);
            EvalStats rows = org.seqlab.core.RowLosses.total(m.evaluateRows(b));
            assertEquals(start.lossSum(), rows.lossSum(), 1e-9 * Math.abs(start.lossSum()), "rows add up to the batch");
            assertEquals(start.count(), rows.count());
            for (int i = 0; i < overfitSteps(); i++) m.trainStep(b, overfitLearningRate());
            EvalStats end = m.evaluate(b);
            assertTrue(end.meanLoss() < 0.5 * start.meanLoss(), name + ": loss " + start.meanLoss() + " -> " + end.meanLoss());
            m.save(dir);
            try (SequenceModel back = family().load(dir)) {
                assertEquals(end.lossSum(), back.evaluate(b).lossSum(), 1e-12 * Math.abs(end.lossSum()), "save and load keep the head");
            }
            if (kind == OutputKind.FRAMES && family().capabilities(config, shape).generates()) {
                Generator g = m.generator();
                float[] out = g.nextFrame(((FrameBatch) b).inputs().length >= KEYS
                        ? java.util.Arrays.copyOf(((FrameBatch) b).inputs(), KEYS) : new float[KEYS]);
                float[] frame = g.sampleFrame(out, 1.0, new SplittableRandom(3));
                assertEquals(KEYS, frame.length);
                for (float f : frame) assertTrue(f == 0f || f == 1f, "a sampled frame is 0/1");
            }
        }
    }
}

package org.seqlab.core.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Batch;
import org.seqlab.core.EvalStats;
import org.seqlab.core.Generator;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelShape;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.TokenBatch;
import org.seqlab.core.data.BatchSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    /** A model whose loss follows a script: lets the loop's decisions be tested exactly. */
    static class ScriptedModel implements SequenceModel {
        final double[] trainLoss;
        final double[] validLoss;
        int steps, evals;

        ScriptedModel(double[] trainLoss, double[] validLoss) {
            this.trainLoss = trainLoss;
            this.validLoss = validLoss;
        }

        public String name() { return "scripted"; }
        public String family() { return "test"; }
        public ModelConfig config() { return () -> "scripted"; }
        public ModelShape shape() { return ModelShape.tokens(2); }
        public long seed() { return 0; }
        public long parameterCount() { return 1; }
        public EvalStats trainStep(Batch b, double lr) { return new EvalStats(trainLoss[steps++] * 10, 10, 0, 10); }
        public EvalStats evaluate(Batch b) { return new EvalStats(validLoss[evals++] * 10, 10, 0, 10); }
        public EvalStats[] evaluateRows(Batch b) { return new EvalStats[]{evaluate(b)}; }
        public float[] logits(Batch b) { return new float[0]; }
        public Generator generator() { return null; }
        public void save(Path dir) {}
        public void close() {}
    }

    private static BatchSource source(int perEpoch) {
        return new BatchSource() {
            public int batchesPerEpoch() { return perEpoch; }
            public Batch next() { return new TokenBatch(1, 1, new int[]{0}, new int[]{1}); }
        };
    }

    private static TrainingConfig config(int epochs) {
        return new TrainingConfig(epochs, 1, 1, 0.1, null, null, null, null, 3.0, null, null, null, null, null, null);
    }

    private static final List<TokenBatch> VALID = List.of(new TokenBatch(1, 1, new int[]{0}, new int[]{1}));

    /**
     * With a moving average of the weights (optimizer.ema), every validation and every checkpoint
     * sees the average, and every training step the model's own weights.
     */
    @Test
    void validationsAndCheckpointsSeeTheAveragedWeightsAndTrainingItsOwn() {
        double[] train = new double[30];
        java.util.Arrays.fill(train, 1.0);
        List<String> events = new ArrayList<>();
        boolean[] swapped = {false};
        ScriptedModel averaging = new ScriptedModel(train, new double[]{2.0, 1.5, 1.7}) {
            @Override public boolean swapAveragedWeights() {
                swapped[0] = !swapped[0];
                return true;
            }

            @Override public EvalStats trainStep(Batch b, double lr) {
                if (swapped[0]) events.add("trained on the average");
                return super.trainStep(b, lr);
            }

            @Override public EvalStats evaluate(Batch b) {
                events.add(swapped[0] ? "validated the average" : "validated the weights");
                return super.evaluate(b);
            }
        };
        new Trainer(config(3), TrainingListener.SILENT, (m, e, s, l) -> events.add("saved " + (swapped[0] ? "the average" : "the weights")))
                .train(averaging, source(10), VALID);
        assertEquals(List.of("validated the average", "saved the average", "validated the average", "saved the average",
                "validated the average"), events);
        assertFalse(swapped[0], "swapped back after the last validation");
    }

    @Test
    void checkpointsEveryNewBestAndReportsTheBestEpoch() {
        double[] train = new double[40];
        java.util.Arrays.fill(train, 1.0);
        List<Integer> saved = new ArrayList<>();
        TrainingResult r = new Trainer(config(4), TrainingListener.SILENT, (m, e, s, l) -> saved.add(e))
                .train(new ScriptedModel(train, new double[]{2.0, 1.5, 1.7, 1.4}), source(10), VALID);
        assertEquals(List.of(1, 2, 4), saved);
        assertEquals(4, r.bestEpoch());
        assertEquals(1.4, r.bestValidLoss(), 1e-12);
        assertNull(r.stopReason());
        assertEquals(400, r.tokensSeen());
        assertEquals(4, r.history().size());
        assertEquals(40, r.history().get(3).step());
    }

    /**
     * eval_every: validation at every multiple of k steps (as nanoGPT's eval_interval) as well as at each epoch's end (not twice when they
     * coincide); each point's training loss is the mean since the previous point; a mid-epoch best is
     * checkpointed; patience counts validations.
     */
    @Test
    void evalEveryValidatesInsideEpochsAndPatienceCountsValidations() {
        double[] train = new double[20];
        for (int i = 0; i < train.length; i++) train[i] = i + 1;          // mean of steps a..b is (a+b)/2
        List<Long> saved = new ArrayList<>();
        TrainingConfig every4 = new TrainingConfig(2, 1, 1, 0.1, null, null, null, null, 3.0, null, null, null, null, 4, null);
        TrainingResult r = new Trainer(every4, TrainingListener.SILENT, (m, e, s, l) -> saved.add(s))
                .train(new ScriptedModel(train, new double[]{5, 4, 4.5, 3, 3.5, 3.2}), source(10), VALID);
        assertEquals(List.of(4L, 8L, 10L, 12L, 16L, 20L), r.history().stream().map(EpochRecord::step).toList(),
                "at every multiple of 4 steps and at each epoch's end (10, 20), not twice at step 20");
        assertEquals(List.of(1, 1, 1, 2, 2, 2), r.history().stream().map(EpochRecord::epoch).toList());
        assertEquals(List.of(2.5, 6.5, 9.5, 11.5, 14.5, 18.5), r.history().stream().map(EpochRecord::trainLoss).toList(),
                "training loss: the mean since the previous validation");
        assertEquals(List.of(4L, 8L, 12L), saved, "a new best is checkpointed wherever it is found");
        assertEquals(3.0, r.bestValidLoss(), 1e-12);

        TrainingConfig patient = new TrainingConfig(3, 1, 1, 0.1, null, null, null, null, 3.0, null, 2, null, null, 5, null);
        List<String> messages = new ArrayList<>();
        TrainingResult stopped = new Trainer(patient, new TrainingListener() {
            @Override public void onMessage(String m) { messages.add(m); }
        }, (m, e, s, l) -> {}).train(new ScriptedModel(new double[30], new double[]{2, 1, 1.5, 1.2, 0.5, 0.4}), source(10), VALID);
        assertEquals(4, stopped.history().size(), "two validations without a new best stop it, mid-run: " + messages);
        assertTrue(messages.get(0).contains("early stop after epoch 2: no better validation loss for 2 validations"), messages.toString());
    }

    @Test
    void nanStopsTheRunAndKeepsTheLastGoodCheckpoint() {
        double[] train = new double[40];
        java.util.Arrays.fill(train, 1.0);
        train[25] = Double.NaN;
        List<Integer> saved = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override public void onMessage(String m) { messages.add(m); }
        };
        TrainingResult r = new Trainer(config(4), l, (m, e, s, loss) -> saved.add(e))
                .train(new ScriptedModel(train, new double[]{2.0, 1.5, 1.7, 1.4}), source(10), VALID);
        assertTrue(r.diverged());
        assertTrue(r.stopReason().startsWith("diverged at step 26: smoothed training loss is NaN"), r.stopReason());
        assertEquals(List.of(1, 2), saved, "epochs after the blow-up are never checkpointed");
        assertEquals(2, r.bestEpoch());
        assertTrue(messages.get(0).contains("keeping the checkpoint of epoch 2"), messages.toString());
    }

    @Test
    void reduceOnPlateauCutsTheRateAfterPatienceEpochs() {
        double[] train = new double[50];
        java.util.Arrays.fill(train, 1.0);
        List<Double> rates = new ArrayList<>();
        TrainingConfig cfg = new TrainingConfig(5, 1, 1, 0.1,
                new LearningRateSchedule(LearningRateSchedule.Type.PLATEAU, null, null, null, 0.5, 2), null, null, null, 3.0, null, null, null, null, null, null);
        new Trainer(cfg, new TrainingListener() {
            @Override public void onEpoch(EpochRecord r) { rates.add(r.lr()); }
        }, (m, e, s, l) -> {}).train(new ScriptedModel(train, new double[]{1.0, 1.1, 1.2, 1.0, 1.3}), source(10), VALID);
        // epochs 2 and 3 do not improve on 1.0: from epoch 4 on the rate is halved
        assertEquals(List.of(0.1, 0.1, 0.1, 0.05, 0.05), rates);
    }

    @Test
    void earlyStoppingEndsARunThatStoppedImproving() {
        double[] train = new double[100];
        java.util.Arrays.fill(train, 1.0);
        TrainingConfig cfg = new TrainingConfig(10, 1, 1, 0.1, null, null, null, null, 3.0, null, 2, null, null, null, null);
        TrainingResult r = new Trainer(cfg, TrainingListener.SILENT, (m, e, s, l) -> {})
                .train(new ScriptedModel(train, new double[]{1.0, 0.9, 0.95, 0.91, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05}), source(10), VALID);
        assertEquals(4, r.history().size(), "epochs 3 and 4 do not beat 0.9: stop after epoch 4");
        assertEquals(2, r.bestEpoch());
        assertNull(r.stopReason(), "early stopping is not divergence");
    }

    @Test
    void aTokenBudgetStopsEveryModelAtTheSamePoint() {
        double[] train = new double[100];
        java.util.Arrays.fill(train, 1.0);
        TrainingConfig cfg = new TrainingConfig(10, 1, 1, 0.1, null, null, null, null, 3.0, null, null, 250L, null, null, null);
        TrainingResult r = new Trainer(cfg, TrainingListener.SILENT, (m, e, s, l) -> {})
                .train(new ScriptedModel(train, new double[]{1.0, 0.9, 0.8}), source(10), VALID);
        assertEquals(250, r.tokensSeen(), "10 tokens per step: stops after exactly 25 steps");
        assertEquals(3, r.history().size(), "two full epochs and a validated partial third");
        assertEquals(25, r.history().get(2).step());
    }

    /**
     * A wall-clock budget that runs out during a validation: the next epoch starts no step (the old
     * loop trained one step past the budget and validated a one-step epoch). Steps take 10 ms and
     * the validation 200 ms against a 100 ms budget, so every check is far from the boundary.
     */
    @Test
    void noStepStartsAfterTheTimeBudget() {
        double budget = 0.1;
        TrainingConfig cfg = new TrainingConfig(5, 1, 1, 0.1, null, null, null, null, 3.0, null, null, null, budget, null, null);
        List<Long> stepStarts = new ArrayList<>();
        ScriptedModel slow = new ScriptedModel(filled(100, 1.0), filled(10, 1.0)) {
            @Override public EvalStats trainStep(Batch b, double lr) {
                stepStarts.add(System.nanoTime());
                sleep(10);
                return super.trainStep(b, lr);
            }

            @Override public EvalStats evaluate(Batch b) {
                sleep(200);                       // the validation that outlasts the budget
                return super.evaluate(b);
            }
        };
        long began = System.nanoTime();           // before the trainer's own clock starts: a stricter bound
        TrainingResult r = new Trainer(cfg, TrainingListener.SILENT, (m, e, s, l) -> {}).train(slow, source(2), VALID);
        for (long t : stepStarts)
            assertTrue((t - began) / 1e9 < budget, "a step started " + (t - began) / 1e9 + " s in, after the " + budget + " s budget");
        assertEquals(2, stepStarts.size(), "the first epoch's two steps, none after the budget");
        assertEquals(1, r.history().size(), "one validation: no one-step epoch after the budget");
        assertEquals(2, r.history().get(0).step());
    }

    /** With an epoch that ends as the budget runs out, the next epoch takes no step and validates nothing. */
    @Test
    void aBudgetSpentAtAnEpochsEndStartsNoOtherEpoch() {
        double[] train = new double[100];
        java.util.Arrays.fill(train, 1.0);
        TrainingConfig cfg = new TrainingConfig(10, 1, 1, 0.1, null, null, null, null, 3.0, null, null, 20L, null, null, null);
        ScriptedModel m = new ScriptedModel(train, filled(10, 1.0));
        TrainingResult r = new Trainer(cfg, TrainingListener.SILENT, (x, e, s, l) -> {}).train(m, source(2), VALID);
        assertEquals(2, m.steps, "10 tokens a step: the budget of 20 is spent after two steps, the first epoch's end");
        assertEquals(1, r.history().size(), "one validation: the second epoch never starts");
        assertEquals(1, m.evals);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A run that blows up at once never has a sane best to compare with: a huge but steady loss
     * passes the ratio test, so the ceiling (twice the uniform prediction's loss) must stop it,
     * before any checkpoint is written.
     */
    @Test
    void aLossThatIsHugeFromTheStartIsDivergenceWithoutACheckpoint() {
        double[] train = new double[40];
        java.util.Arrays.fill(train, 1e6);
        List<Integer> saved = new ArrayList<>();
        TrainingResult steady = new Trainer(config(4), TrainingListener.SILENT, (m, e, s, l) -> saved.add(e))
                .train(new ScriptedModel(train, new double[]{1e6, 1e6, 1e6, 1e6}), source(10), VALID);
        assertFalse(steady.diverged(), "without a ceiling a steady blow-up looks fine: the case this guards against");
        saved.clear();
        TrainingResult r = new Trainer(config(4), TrainingListener.SILENT, (m, e, s, l) -> saved.add(e))
                .divergedAbove(2 * Math.log(2), "twice the loss of a uniform prediction")
                .train(new ScriptedModel(train, new double[]{1e6, 1e6, 1e6, 1e6}), source(30), VALID);
        assertTrue(r.diverged());
        assertTrue(r.stopReason().startsWith("diverged at step 21: smoothed training loss 1000000.0000 is above 1.3863, twice the loss"),
                r.stopReason());
        assertEquals(List.of(), saved, "nothing above the ceiling is kept");
        assertEquals(0, r.bestEpoch());
    }

    @Test
    void aValidationLossAboveTheCeilingIsDivergenceEvenWhenTrainingLooksFine() {
        double[] train = new double[40];
        java.util.Arrays.fill(train, 0.5);
        List<Integer> saved = new ArrayList<>();
        TrainingResult r = new Trainer(config(4), TrainingListener.SILENT, (m, e, s, l) -> saved.add(e))
                .divergedAbove(2.0, "the ceiling")
                .train(new ScriptedModel(train, new double[]{1.0, 0.9, 5.0, 0.8}), source(10), VALID);
        assertTrue(r.stopReason().startsWith("diverged after epoch 3: validation loss 5.0000 is above 2.0000, the ceiling"), r.stopReason());
        assertEquals(List.of(1, 2), saved);
        assertEquals(2, r.bestEpoch());
    }

    @Test
    void nonFiniteSettingsAreRefusedWhereTheyAreRead() {
        for (double bad : new double[]{Double.POSITIVE_INFINITY, Double.NaN, 0, -1})
            assertThrows(org.seqlab.core.FieldException.class,
                    () -> new TrainingConfig(1, 1, 1, bad, null, null, null, null, null, null, null, null, null, null, null), "lr " + bad);
        assertThrows(org.seqlab.core.FieldException.class,
                () -> new TrainingConfig(1, 1, 1, 0.1, null, null, null, null, Double.POSITIVE_INFINITY, null, null, null, null, null, null));
        assertThrows(org.seqlab.core.FieldException.class, () -> org.seqlab.core.Check.nonNegative("weight_decay", Double.POSITIVE_INFINITY));
        assertThrows(org.seqlab.core.FieldException.class,
                () -> new org.seqlab.core.ClipSpec(org.seqlab.core.ClipSpec.Mode.NORM, Double.POSITIVE_INFINITY));
    }

    @Test
    void aLossAboveThreeTimesItsBestIsDivergence() {
        DivergenceGuard g = new DivergenceGuard("loss", 3.0, 1.0, 0);
        assertNull(g.observe(2.0));
        assertNull(g.observe(1.0));
        assertNull(g.observe(2.9));
        assertTrue(g.observe(3.1).contains("more than 3.0× its best 1.0000"));
    }

    @Test
    void schedules() {
        LearningRateSchedule cos = new LearningRateSchedule(LearningRateSchedule.Type.COSINE, 10, 0.1, null, null, null);
        assertEquals(0.1, cos.at(1.0, 0, 110), 1e-12, "warmup starts at lr/warmup");
        assertEquals(1.0, cos.at(1.0, 10, 110), 1e-12);
        assertEquals(0.55, cos.at(1.0, 60, 110), 1e-12, "half way: midpoint of 1 and min_factor");
        assertEquals(0.1, cos.at(1.0, 110, 110), 1e-12);
        LearningRateSchedule step = new LearningRateSchedule(LearningRateSchedule.Type.STEP, null, null, 100, 0.5, null);
        assertEquals(0.25, step.at(1.0, 250, 1000), 1e-12);
        assertEquals(0.5, LearningRateSchedule.CONSTANT.at(0.5, 99, 100));
    }

    /** Written files and directories get the mode any new file gets here (the umask's), not a temp file's 0600 / 0700. */
    @Test
    void atomicWritesKeepTheUmasksMode(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "no POSIX modes here");
        Path plain = Files.createFile(dir.resolve("plain")), plainDir = Files.createDirectory(dir.resolve("plain-dir"));
        AtomicFiles.writeString(dir.resolve("written.json"), "{}");
        Path staging = AtomicFiles.stagingDirectory(dir.resolve("ckpt"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(dir.resolve("written.json")));
        assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(staging));
    }

    @Test
    void directoriesAreSwappedAtomically(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("ckpt");
        for (String content : List.of("one", "two")) {
            Path staging = AtomicFiles.stagingDirectory(target);
            Files.writeString(staging.resolve("f"), content);
            AtomicFiles.replaceDirectory(staging, target);
        }
        assertEquals("two", Files.readString(target.resolve("f")));
        try (var s = Files.list(dir)) {
            assertEquals(List.of("ckpt"), s.map(p -> p.getFileName().toString()).toList(), "no staging or .old left");
        }
        // a swap interrupted between its renames leaves only ckpt.old: readers find it
        Files.move(target, dir.resolve("ckpt.old"));
        assertEquals(dir.resolve("ckpt.old"), AtomicFiles.resolveDirectory(target));
        assertFalse(Files.exists(target));
    }
}

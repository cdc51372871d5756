package org.seqlab.experiments.compare;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.Batch;
import org.seqlab.core.Evaluation;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.data.BatchSource;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.data.task.Task;
import org.seqlab.data.task.Tasks;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentConfig;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.experiments.Families;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeds, on real training: two configurations identical except their seeds (1-5 against 6-10, in
 * each repetition a fresh block of ten) train tiny RNNs on builtin:markov-names. They are the same
 * configuration, so the two-level comparison (seeds and examples) must call them different no more
 * often than its 5% level says; the example-level test of one run each answers another question
 * (these two trained models) and rejects far more often, because two trained models do differ.
 * Slow: 40 repetitions of ten trainings.
 */
@Tag("slow")
class SeedLevelCalibrationTest {
    static final int REPETITIONS = Integer.getInteger("seqlab.seedReps", 40);

    @TempDir
    Path dir;

    @Test
    void identicalConfigurationsWithOtherSeedsAreCalledDifferentAtMostAtTheLevel() throws Exception {
        Path yaml = Files.writeString(dir.resolve("seeds.yaml"), """
                name: seeds
                data: {source: builtin:markov-names, names: 400}
                models:
                  - {family: handrolled, name: tiny, cell: rnn, hidden: 8}
                training: {batching: examples, epochs: 2, batch_size: 16, lr: 0.02}
                """);
        ConfigLoader.Loaded loaded = ConfigLoader.load(yaml, List.of());
        ExperimentConfig cfg = loaded.config();
        Task task = Tasks.open(ExperimentRunner.resolveData(loaded, Catalogue.fromEnvironment(false), s -> {}), cfg.training(), cfg.samples());
        ModelConfig mc = cfg.models().get(0);
        TrainingConfig t = cfg.trainingOf(mc);
        int configurationsDiffer = 0, modelsDiffer = 0;
        for (int rep = 0; rep < REPETITIONS; rep++) {
            double[][] losses = new double[10][];
            long[] count = null;
            for (int s = 0; s < 10; s++) {
                long seed = 10L * rep + s + 1;
                try (SequenceModel m = Families.get("handrolled").create(mc, task.shape(), t.options(), seed)) {
                    BatchSource source = task.training(new SplittableRandom(seed));
                    for (int step = 0; step < t.epochs() * source.batchesPerEpoch(); step++) m.trainStep(source.next(), t.lr());
                    Evaluation.ByExample e = Evaluation.byExample(m, (List<? extends Batch>) task.testPass());
                    losses[s] = e.loss();
                    count = e.count();
                }
            }
            double[][] a = java.util.Arrays.copyOfRange(losses, 0, 5), b = java.util.Arrays.copyOfRange(losses, 5, 10);
            if (PairedStats.seedsAndExamples(a, b, count, 1000, PairedStats.RESAMPLING_SEED).p() < 0.05) configurationsDiffer++;
            if (PairedStats.examples(a[0], b[0], count, 1000, PairedStats.RESAMPLING_SEED).p() < 0.05) modelsDiffer++;
        }
        System.out.printf("seed-level calibration, %d repetitions of seeds 1-5 vs 6-10: two-level rejects %d (%.1f%%), "
                        + "example-level (one run each) rejects %d (%.1f%%)%n", REPETITIONS, configurationsDiffer,
                100.0 * configurationsDiffer / REPETITIONS, modelsDiffer, 100.0 * modelsDiffer / REPETITIONS);
        // at a true 5%, 6 or more of 40 happens with probability 0.05: more says the level is not kept
        assertTrue(configurationsDiffer <= Math.max(1, REPETITIONS / 8), "two-level rejections " + configurationsDiffer);
        assertTrue(modelsDiffer > configurationsDiffer, "the example-level test answers another question and rejects more often");
    }
}

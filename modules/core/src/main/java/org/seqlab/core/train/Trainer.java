package org.seqlab.core.train;

import org.seqlab.core.Batch;
import org.seqlab.core.EvalStats;
import org.seqlab.core.Evaluation;
import org.seqlab.core.Metrics;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.data.BatchSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop shared by every family: scheduled learning rate, per-epoch validation, a
 * checkpoint whenever validation improves, and a divergence guard that stops the run (keeping the
 * last good checkpoint) with a clear message.
 */
public final class Trainer {
    /** Receives the model whenever validation loss reaches a new best. */
    @FunctionalInterface
    public interface BestModelSink {
        void save(SequenceModel model, int epoch, long step, double validLoss) throws IOException;
    }

    private final TrainingConfig config;
    private final TrainingListener listener;
    private final BestModelSink sink;

    private double ceiling = Double.POSITIVE_INFINITY;
    private String ceilingWhy = "";

    public Trainer(TrainingConfig config, TrainingListener listener, BestModelSink sink) {
        this.config = config;
        this.listener = listener;
        this.sink = sink;
    }

    /**
     * A loss above which a run has diverged whatever its history (e.g. twice the uniform
     * prediction's); {@code why} names it in the stop reason.
     */
    public Trainer divergedAbove(double ceiling, String why) {
        if (!(ceiling > 0)) throw new IllegalArgumentException("ceiling must be > 0, got " + ceiling);
        this.ceiling = ceiling;
        this.ceilingWhy = why;
        return this;
    }

    public TrainingResult train(SequenceModel model, BatchSource train, List<? extends Batch> valid) {
        int perEpoch = train.batchesPerEpoch();
        long totalSteps = (long) perEpoch * config.epochs();
        DivergenceGuard stepGuard = new DivergenceGuard("smoothed training loss", config.divergenceFactor(), 0.05, 20)
                .ceiling(ceiling, ceilingWhy);
        DivergenceGuard validGuard = new DivergenceGuard("validation loss", config.divergenceFactor(), 1.0, 0)
                .ceiling(ceiling, ceilingWhy);
        List<EpochRecord> history = new ArrayList<>();
        long start = System.nanoTime();
        long stepNanos = 0, tokens = 0, step = 0;
        int bestEpoch = 0;
        double bestValid = Double.POSITIVE_INFINITY;
        String stop = null;
        double plateauScale = 1;    // reduce-on-plateau multiplier
        int sinceBest = 0, sinceBestEver = 0;
        listener.onStart(model.name(), totalSteps);
        boolean budgetSpent = false;
        epochs:
        for (int epoch = 1; epoch <= config.epochs() && !budgetSpent; epoch++) {
            EvalStats epochStats = EvalStats.ZERO;
            double lr = config.lr();
            for (int i = 0; i < perEpoch; i++, step++) {
                lr = config.schedule().at(config.lr(), step, totalSteps) * plateauScale;
                Batch batch = train.next();
                long t0 = System.nanoTime();
                EvalStats s = model.trainStep(batch, lr);
                stepNanos += System.nanoTime() - t0;
                tokens += s.count();
                epochStats = epochStats.plus(s);
                String diverged = stepGuard.observe(s.meanLoss());
                listener.onStep(step + 1, stepGuard.smoothed(), lr);
                if (diverged != null) {
                    stop = "diverged at step " + (step + 1) + ": " + diverged;
                    break epochs;
                }
                budgetSpent = (config.budgetTokens() > 0 && tokens >= config.budgetTokens())
                        || (config.budgetSeconds() > 0 && (System.nanoTime() - start) / 1e9 >= config.budgetSeconds());
                if (budgetSpent) {
                    step++;
                    break;                        // validate this partial epoch, then stop
                }
            }
            Metrics v = Metrics.of(Evaluation.run(model, valid));
            EpochRecord rec = new EpochRecord(epoch, step, tokens, (System.nanoTime() - start) / 1e9,
                    epochStats.meanLoss(), v.loss(), v.accuracy(), lr);
            history.add(rec);
            listener.onEpoch(rec);
            String diverged = validGuard.observe(v.loss());
            if (diverged != null) {
                stop = "diverged after epoch " + epoch + ": " + diverged;
                break;
            }
            boolean improved = v.loss() < bestValid;
            if (improved) {
                bestValid = v.loss();
                bestEpoch = epoch;
                sinceBest = 0;
                sinceBestEver = 0;
                try {
                    sink.save(model, epoch, step, v.loss());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write checkpoint: " + e.getMessage(), e);
                }
            }
            String halt = listener.stopAfter(rec);
            if (halt != null) {
                stop = halt;
                break;
            }
            if (improved) continue;
            if (config.patience() > 0 && ++sinceBestEver >= config.patience() && epoch < config.epochs()) {
                listener.onMessage(String.format("%s: early stop after epoch %d: no better validation loss for %d epochs (best %.4f at epoch %d)",
                        model.name(), epoch, config.patience(), bestValid, bestEpoch));
                break;
            }
            if (config.schedule().type() == LearningRateSchedule.Type.PLATEAU && ++sinceBest >= config.schedule().patience()) {
                plateauScale *= config.schedule().factor();
                sinceBest = 0;
                listener.onMessage(String.format("%s: validation loss has not improved for %d epochs; learning rate x%.3g",
                        model.name(), config.schedule().patience(), plateauScale));
            }
        }
        if (stop != null) listener.onMessage(model.name() + ": " + stop
                + (bestEpoch > 0 ? "; keeping the checkpoint of epoch " + bestEpoch : "; no checkpoint was good")
                + (stop.startsWith("diverged") ? " (try a lower training.lr or a tighter training.clip)" : ""));
        listener.onEnd();
        return new TrainingResult(List.copyOf(history), bestEpoch, bestValid, stop,
                (System.nanoTime() - start) / 1e9, stepNanos / 1e9, tokens);
    }
}

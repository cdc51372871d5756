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
        int every = config.evalEvery();
        DivergenceGuard stepGuard = new DivergenceGuard("smoothed training loss", config.divergenceFactor(), 0.05, 20)
                .ceiling(ceiling, ceilingWhy);
        long start = System.nanoTime();
        Validation v = new Validation(model, valid, totalSteps, start);
        long stepNanos = 0, tokens = 0, step = 0;
        listener.onStart(model.name(), totalSteps);
        boolean budgetSpent = false;
        epochs:
        for (int epoch = 1; epoch <= config.epochs() && !budgetSpent; epoch++) {
            EvalStats since = EvalStats.ZERO;     // training loss since the last validation
            long stepsSince = 0;                  // steps since the last validation
            double lr = config.lr();
            for (int i = 0; i < perEpoch; i++) {
                // checked before a step, never after: no optimiser step starts once the budget has run out
                budgetSpent = (config.budgetTokens() > 0 && tokens >= config.budgetTokens())
                        || (config.budgetSeconds() > 0 && (System.nanoTime() - start) / 1e9 >= config.budgetSeconds());
                if (budgetSpent) break;           // validate this partial epoch, if it trained at all, then stop
                lr = config.schedule().at(config.lr(), step, totalSteps) * v.plateauScale;
                Batch batch = train.next();
                long t0 = System.nanoTime();
                EvalStats s = model.trainStep(batch, lr);
                stepNanos += System.nanoTime() - t0;
                step++;
                stepsSince++;
                tokens += s.count();
                since = since.plus(s);
                String diverged = stepGuard.observe(s.meanLoss());
                listener.onStep(step, stepGuard.smoothed(), lr);
                if (diverged != null) {
                    v.stop = "diverged at step " + step + ": " + diverged;
                    break epochs;
                }
                if (every > 0 && step % every == 0 && i < perEpoch - 1) {    // the epoch's end validates anyway
                    if (!v.validate(epoch, step, tokens, since.meanLoss(), lr, false)) break epochs;
                    since = EvalStats.ZERO;
                    stepsSince = 0;
                }
            }
            if (stepsSince == 0 && budgetSpent) break;     // nothing trained since the last validation
            if (!v.validate(epoch, step, tokens, since.meanLoss(), lr, true)) break;
        }
        if (v.stop != null) listener.onMessage(model.name() + ": " + v.stop
                + (v.bestEpoch > 0 ? "; keeping the checkpoint of epoch " + v.bestEpoch : "; no checkpoint was good")
                + (v.stop.startsWith("diverged") ? " (try a lower training.lr or a tighter training.clip)" : ""));
        listener.onEnd();
        return new TrainingResult(List.copyOf(v.history), v.bestEpoch, v.bestValid, v.stop,
                (System.nanoTime() - start) / 1e9, stepNanos / 1e9, tokens);
    }

    /**
     * What each validation decides: a point of the learning curve, divergence, a checkpoint on a new
     * best, early stopping and reduce-on-plateau. It runs at every epoch's end and, with
     * {@code training.eval_every}, every that many steps in between; patience counts validations.
     */
    private final class Validation {
        final SequenceModel model;
        final List<? extends Batch> valid;
        final long totalSteps, start;
        final DivergenceGuard guard = new DivergenceGuard("validation loss", config.divergenceFactor(), 1.0, 0)
                .ceiling(ceiling, ceilingWhy);
        final List<EpochRecord> history = new ArrayList<>();
        int bestEpoch = 0;
        double bestValid = Double.POSITIVE_INFINITY;
        String stop = null;
        double plateauScale = 1;    // reduce-on-plateau multiplier
        int sinceBest = 0, sinceBestEver = 0;

        Validation(SequenceModel model, List<? extends Batch> valid, long totalSteps, long start) {
            this.model = model;
            this.valid = valid;
            this.totalSteps = totalSteps;
            this.start = start;
        }

        /**
         * Validates after {@code step}: the curve's point (its seconds counting this validation, as
         * a wall-clock budget does), then what it decides; false when training must stop.
         */
        boolean validate(int epoch, long step, long tokens, double trainLoss, double lr, boolean epochEnd) {
            EpochRecord rec;
            String diverged;
            boolean improved;
            boolean averaged = model.swapAveragedWeights();     // with optimizer.ema, the average is validated and saved
            try {
                Metrics m = Metrics.of(Evaluation.run(model, valid));
                rec = new EpochRecord(epoch, step, tokens, (System.nanoTime() - start) / 1e9, trainLoss, m.loss(), m.accuracy(), lr);
                history.add(rec);
                listener.onEpoch(rec);
                diverged = guard.observe(m.loss());
                improved = diverged == null && m.loss() < bestValid;
                if (improved) {
                    bestValid = m.loss();
                    bestEpoch = rec.epoch();
                    sinceBest = 0;
                    sinceBestEver = 0;
                    try {
                        sink.save(model, rec.epoch(), rec.step(), m.loss());
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write checkpoint: " + e.getMessage(), e);
                    }
                }
            } finally {
                if (averaged) model.swapAveragedWeights();       // training goes on from its own weights
            }
            String where = epochEnd ? "after epoch " + rec.epoch() : "at step " + rec.step() + " (epoch " + rec.epoch() + ")";
            if (diverged != null) {
                stop = "diverged " + where + ": " + diverged;
                return false;
            }
            String halt = listener.stopAfter(rec);
            if (halt != null) {
                stop = halt;
                return false;
            }
            if (improved) return true;
            String unit = config.evalEvery() > 0 ? "validations" : "epochs";
            if (config.patience() > 0 && ++sinceBestEver >= config.patience() && rec.step() < totalSteps) {
                listener.onMessage(String.format("%s: early stop %s: no better validation loss for %d %s (best %.4f at epoch %d)",
                        model.name(), where, config.patience(), unit, bestValid, bestEpoch));
                return false;
            }
            if (config.schedule().type() == LearningRateSchedule.Type.PLATEAU && ++sinceBest >= config.schedule().patience()) {
                plateauScale *= config.schedule().factor();
                sinceBest = 0;
                listener.onMessage(String.format("%s: validation loss has not improved for %d %s; learning rate x%.3g",
                        model.name(), config.schedule().patience(), unit, plateauScale));
            }
            return true;
        }
    }
}

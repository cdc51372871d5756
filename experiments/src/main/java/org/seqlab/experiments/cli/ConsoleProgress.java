package org.seqlab.experiments.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.seqlab.core.train.EpochRecord;
import org.seqlab.core.train.TrainingListener;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress for people: a progress bar with the smoothed loss on a terminal, one line per
 * epoch otherwise (logs, CI).
 */
final class ConsoleProgress implements TrainingListener {
    private final PrintStream err;
    private final boolean terminal = System.console() != null;
    private ProgressBar bar;
    private String run;

    ConsoleProgress(PrintStream err) {
        this.err = err;
    }

    @Override
    public void onStart(String run, long totalSteps) {
        this.run = run;
        if (terminal)
            bar = new ProgressBarBuilder().setTaskName(run).setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err))
                    .build();
    }

    @Override
    public void onStep(long step, double smoothedLoss, double lr) {
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f", smoothedLoss));
        }
    }

    @Override
    public void onEpoch(EpochRecord r) {
        if (bar == null)
            err.printf(Locale.ROOT, "%s: epoch %d, step %d, train loss %.4f, valid loss %.4f, %.1f s%n", run, r.epoch(),
                    r.step(), r.trainLoss(), r.validLoss(), r.seconds());
    }

    @Override
    public void onMessage(String message) {
        err.println(message);
    }

    @Override
    public void onEnd() {
        if (bar != null) bar.close();
        bar = null;
    }
}

package org.seqlab.data.task;

import org.seqlab.core.FieldException;
import org.seqlab.core.Results;
import org.seqlab.core.sample.SampleConfig;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.data.DataConfig;
import org.seqlab.data.DataSources;
import org.seqlab.data.DataSpec;

import java.util.List;
import java.util.function.Predicate;

/**
 * The kinds of data an experiment can read, one line each: which resolved data sections it reads
 * and the task that reads them. A new kind of data is its {@link DataSpec} variant, one {@link Task}
 * class and one line here.
 */
public final class Tasks {
    private Tasks() {}

    /** How a task is made from its kind of data section, the resolved source and the shared training and sampling sections. */
    private interface Opener<S extends DataSpec> {
        Task open(S data, DataSources.Resolved source, TrainingConfig training, SampleConfig samples);
    }

    private record Kind<S extends DataSpec>(Class<S> type, Predicate<S> reads, Opener<S> opener) {
        Task openIfItReads(DataSpec spec, DataSources.Resolved source, TrainingConfig training, SampleConfig samples) {
            if (!type.isInstance(spec) || !reads.test(type.cast(spec))) return null;
            return opener.open(type.cast(spec), source, training, samples);
        }
    }

    // the first that reads a section wins: MIDI as piano rolls before MIDI as tokens
    private static final List<Kind<?>> KINDS = List.of(
            new Kind<>(DataSpec.Text.class, d -> true, TextTask::new),
            new Kind<>(DataSpec.PianoRolls.class, d -> true, FrameTask::new),
            new Kind<>(DataSpec.Midi.class, d -> d.encoding() == DataConfig.Encoding.PIANOROLL, FrameTask::fromMidi),
            new Kind<>(DataSpec.Midi.class, d -> true, MidiTask::new),
            new Kind<>(DataSpec.Series.class, d -> true, SeriesTask::new));

    /**
     * The task for {@code source} (resolved by {@link DataSources}, so its kind is known), loaded
     * and checked: every problem is a {@link FieldException} whose field is the path from the
     * experiment's top (data.source, training.seq_len, ...).
     */
    public static Task open(DataSources.Resolved source, TrainingConfig training, SampleConfig samples) {
        DataSpec spec = source.spec();
        if (spec instanceof DataSpec.Midi m && m.transpose() > 0 && m.encoding() != DataConfig.Encoding.PIANOROLL)
            throw new FieldException("data.augment.transpose", "transposes piano rolls only (a .json/.pickle source, or MIDI with encoding: pianoroll), not "
                    + m.encoding().name().toLowerCase(java.util.Locale.ROOT) + " tokens");
        for (Kind<?> kind : KINDS) {
            Task task = kind.openIfItReads(spec, source, training, samples);
            if (task == null) continue;
            checkSplits(task);
            return task;
        }
        throw new IllegalStateException("no task reads " + spec);
    }

    /**
     * Every split must hold something before anything trains: an empty validation split would pass
     * for "no improvement", an empty test split would crash after training. One check, for every
     * data kind.
     */
    private static void checkSplits(Task task) {
        Results.Tokens n = task.counts();
        String empty = n.train() == 0 ? "training" : n.valid() == 0 ? "validation" : n.test() == 0 ? "test" : null;
        if (empty == null) return;
        String unit = Results.Unit.of(task.shape().kind()).word();
        throw new FieldException("data", "the " + empty + " split of " + task.source() + " is empty (" + n.train() + " / " + n.valid() + " / "
                + n.test() + " " + unit + "s in training / validation / test): give more data, or change data.split so that each part gets some");
    }

    /** {@code e}, a check of a field inside {@code section}, as a check of {@code section.field}. */
    static FieldException under(String section, FieldException e) {
        FieldException moved = new FieldException(section + "." + e.field(), e.reason());
        moved.initCause(e);
        return moved;
    }

}

package org.seqlab.data.task;

import org.seqlab.core.FileNames;
import org.seqlab.core.Results;
import org.seqlab.core.FieldException;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Batch;
import org.seqlab.core.FrameBaseline;
import org.seqlab.core.Generator;
import org.seqlab.core.Metrics;
import org.seqlab.core.ModelShape;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.UserException;
import org.seqlab.core.data.BatchSource;
import org.seqlab.core.data.FrameTunes;
import org.seqlab.core.data.WholeTunes;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.sample.Sampler;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.core.sample.SampleConfig;
import org.seqlab.data.DataSpec;
import org.seqlab.data.DataSources;
import org.seqlab.data.music.MidiWriter;
import org.seqlab.data.music.PianoRoll;
import org.seqlab.data.music.PianoRollJson;
import org.seqlab.data.music.PianoRollSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Polyphonic music as 88-key piano-roll frames (the JSB/Nottingham/MuseData/Piano-midi
 * benchmarks): each frame predicts the next; loss is the summed binary cross-entropy per frame
 * (NLL/frame as published), accuracy TP/(TP+FP+FN) expected under the model and thresholded.
 * Samples are written as MIDI files and rendered to WAV.
 */
public final class FrameTask implements Task {
    private static final int PRIME = 16;           // frames of a real tune that start every sample
    private final int transpose;
    private final TrainingConfig training;
    private final SampleConfig samples;
    private final PianoRollSet set;
    private final int ticksPerFrame;
    private final List<String> skipped;

    /** MIDI files turned into piano rolls on the data.step_seconds grid, split by file. */
    public static FrameTask fromMidi(DataSpec.Midi data, DataSources.Resolved source, TrainingConfig training, SampleConfig samples) {
        Path file = source.path();
        org.seqlab.data.music.MidiReader.Collection c = MidiTask.songs(data, file);
        var s = MidiTask.split(c, data);
        org.seqlab.data.music.PianoRollCodec codec = new org.seqlab.data.music.PianoRollCodec(data.stepSeconds());
        java.util.function.Function<List<org.seqlab.data.music.MidiReader.Song>, List<float[][]>> rolls = songs -> songs.stream()
                .map(song -> codec.toFrames(song.notes())).filter(f -> f.length >= 2).toList();
        PianoRollSet set = new PianoRollSet(Path.of(data.source()).getFileName().toString(), data.source(),
                MidiTask.sha256(c), rolls.apply(s.train()), rolls.apply(s.valid()), rolls.apply(s.test()));
        return new FrameTask(data.transpose(), training, samples, set, (int) Math.round(data.stepSeconds() * 960), c.skipped());
    }

    private FrameTask(int transpose, TrainingConfig training, SampleConfig samples, PianoRollSet set, int ticksPerFrame, List<String> skipped) {
        this.transpose = transpose;
        this.training = training;
        this.samples = samples;
        this.set = set;
        this.ticksPerFrame = ticksPerFrame;
        this.skipped = skipped;
        if (training.batching() == TrainingConfig.Batching.SEQUENTIAL)
            throw new FieldException("training.batching", "piano rolls take windows (whole tunes walked in seq_len chunks, the state "
                    + "carried) or examples (one whole tune per row, reshuffled every epoch), not sequential");
    }

    @Override
    public List<String> skipped() {
        return skipped;
    }

    /** A piano-roll JSON file that comes split, resolved by DataSources. */
    public FrameTask(DataSpec.PianoRolls data, DataSources.Resolved source, TrainingConfig training, SampleConfig samples) {
        this(data.transpose(), training, samples, read(source.path()), 120, List.of());     // the benchmarks' frames are 16th notes
    }

    private static PianoRollSet read(Path file) {
        try {
            return PianoRollJson.read(file);
        } catch (UserException e) {
            throw new FieldException("data.source", e.getMessage());
        }
    }

    @Override public ModelShape shape() { return ModelShape.frames(PianoRoll.KEYS); }
    @Override public String name() { return set.name(); }
    @Override public String source() { return set.source(); }
    @Override public String sha256() { return set.sha256(); }
    @Override public Double optimum() { return null; }
    @Override public Double trueTestLoss() { return null; }
    @Override public Vocabulary vocabulary() { return null; }
    @Override public String baselineName() { return "independent keys"; }

    @Override
    public Results.Tokens counts() {
        return new Results.Tokens(PianoRollSet.predictions(set.train()), PianoRollSet.predictions(set.valid()),
                PianoRollSet.predictions(set.test()));
    }

    @Override
    public Metrics baseline() {
        return Metrics.of(FrameBaseline.evaluate(set.train(), set.test()));
    }

    /** The independent-keys baseline on every test row with real frames (per-frame NLL, as the models are scored). */
    @Override
    public java.util.Map<String, double[]> referenceTestLosses() {
        double[] p = FrameBaseline.keyProbabilities(set.train());
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (Batch b : testPass()) {
            double[] rows = FrameBaseline.rowLosses((org.seqlab.core.VectorBatch) b, p);
            for (int r = 0; r < b.rows(); r++) {
                boolean any = false;
                for (int t = 0; t < b.length(); t++) any |= b.mask()[r * b.length() + t] != 0;
                if (any) out.add(rows[r]);
            }
        }
        return java.util.Map.of(baselineName(), out.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Override
    public BatchSource training(SplittableRandom random) {
        return training.batching() == TrainingConfig.Batching.EXAMPLES
                ? new WholeTunes(set.train(), training.batchSize(), random, transpose)
                : new FrameTunes(set.train(), training.batchSize(), training.seqLen(), random, transpose);
    }

    @Override public List<? extends Batch> validPass() { return pass(set.valid()); }
    @Override public List<? extends Batch> testPass() { return pass(set.test()); }

    private List<? extends Batch> pass(List<float[][]> tunes) {
        return FrameTunes.pass(tunes, training.evalBatchSize(), training.seqLen());
    }

    /** Continues the start of a test tune for {@code length} frames, each drawn from the model's head. */
    float[][] generate(SequenceModel m, Sampler sampler, int length, SplittableRandom random, int tune) {
        float[][] real = set.test().get(tune % set.test().size());
        Generator g = m.generator();
        int prime = Math.min(PRIME, real.length);
        float[][] out = new float[prime + length][];
        float[] logits = null;
        for (int f = 0; f < prime; f++) {
            out[f] = real[f];
            logits = g.nextFrame(real[f]);
        }
        for (int f = prime; f < out.length; f++) {
            out[f] = g.sampleFrame(logits, sampler.temperature(), random);
            logits = g.nextFrame(out[f]);
        }
        return out;
    }

    @Override
    public List<Results.SampleSet> sample(SequenceModel m, String run, SplittableRandom random, Path out) throws IOException {
        List<Results.SampleSet> sets = new ArrayList<>();
        for (double temp : samples.temperatures()) {
            MusicSamples files = new MusicSamples(out);
            for (int i = 0; i < samples.count(); i++) {
                float[][] music = generate(m, Sampler.ofTemperature(temp), samples.maxLength(), random, i);
                files.add("samples/" + FileNames.of(run) + "-t" + temp + "-" + (i + 1) + ".mid", MidiWriter.write(music, 120, ticksPerFrame));
            }
            sets.add(files.set(temp, 0, 1.0));
        }
        return sets;
    }

    @Override
    public String picture(SequenceModel m, String run, Path out) throws IOException {
        int length = Math.max(64, Math.min(256, samples.maxLength()));
        float[][] real = set.test().get(0);
        float[][] generated = generate(m, Sampler.ofTemperature(1.0), length - Math.min(PRIME, real.length), new SplittableRandom(7), 0);
        String file = "pianoroll-" + FileNames.of(run) + ".png";
        AtomicFiles.writeBytes(out.resolve(file), PianoRollPicture.render(run,
                Arrays.copyOf(real, Math.min(real.length, length)), generated, Math.min(PRIME, real.length)));
        return file;
    }
}

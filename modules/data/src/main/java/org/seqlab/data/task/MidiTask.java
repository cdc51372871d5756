package org.seqlab.data.task;

import org.seqlab.core.FileNames;
import org.seqlab.core.Results;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Batch;
import org.seqlab.core.FieldException;
import org.seqlab.core.Metrics;
import org.seqlab.core.ModelShape;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.UnigramBaseline;
import org.seqlab.core.data.BatchSource;
import org.seqlab.core.data.RandomWindows;
import org.seqlab.core.data.SequentialPass;
import org.seqlab.core.data.SequentialWindows;
import org.seqlab.core.data.Splits;
import org.seqlab.core.data.UnknownPolicy;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.sample.Sampler;
import org.seqlab.core.sample.TextSampling;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.core.sample.SampleConfig;
import org.seqlab.data.DataConfig;
import org.seqlab.data.DataSpec;
import org.seqlab.data.DataSources;
import org.seqlab.data.music.EventCodec;
import org.seqlab.data.music.MelodyCodec;
import org.seqlab.data.music.MidiReader;
import org.seqlab.data.music.MidiWriter;
import org.seqlab.data.music.MusicCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MIDI files as token sequences (performance events or melody tokens): songs are split by file,
 * each song ends with an end token, and samples are decoded back into MIDI files.
 */
public final class MidiTask implements Task {
    static final String END = "<end>";
    private final DataSpec.Midi data;
    private final TrainingConfig training;
    private final SampleConfig samples;
    private final Path source;
    private final MusicCodec codec;
    private final Vocabulary vocab;
    private final int[] train, valid, test;
    private final List<String> skipped;
    private final String sha;

    /** The songs of a MIDI file or directory; files that cannot be read are skipped and listed. */
    static MidiReader.Collection songs(DataSpec.Midi d, Path p) {
        if (p == null || !Files.exists(p)) throw new FieldException("data.source", "not found: " + d.source());
        if (Files.isDirectory(p)) return MidiReader.readDirectory(p, d.drums());
        try {
            return new MidiReader.Collection(List.of(MidiReader.read(p, d.drums())), List.of());
        } catch (org.seqlab.core.UserException e) {
            throw new FieldException("data.source", e.getMessage());
        }
    }

    /** Identity of a song collection for provenance: its files and their notes. */
    static String sha256(MidiReader.Collection c) {
        StringBuilder ids = new StringBuilder();
        for (MidiReader.Song song : c.songs()) ids.append(song.source()).append(':').append(song.notes().hashCode()).append('\n');
        return org.seqlab.core.Sha256.of(ids.toString());
    }

    /** Splits songs by file, seeded; needs one song per split at least. */
    static Splits<List<MidiReader.Song>> split(MidiReader.Collection c, DataSpec.Midi d) {
        if (c.songs().size() < 3)
            throw new FieldException("data.source", d.source() + ": " + c.songs().size() + " readable MIDI file(s); train, valid and test need one each"
                    + (c.skipped().isEmpty() ? "" : " (skipped: " + String.join("; ", c.skipped()) + ")"));
        try {
            return Splits.ofExamples(c.songs(), d.fractions(), d.splitSeed());
        } catch (FieldException e) {
            throw Tasks.under("data", e);
        }
    }

    /** The MIDI file or directory DataSources resolved, read as tokens of {@code data.encoding}. */
    public MidiTask(DataSpec.Midi data, DataSources.Resolved source, TrainingConfig training, SampleConfig samples) {
        this.data = data;
        this.training = training;
        this.samples = samples;
        Path file = source.path();
        DataSpec.Midi d = data;
        this.source = Path.of(d.source());
        MidiReader.Collection c = songs(d, file);
        Splits<List<MidiReader.Song>> s = split(c, d);
        this.skipped = c.skipped();
        this.codec = d.encoding() == DataConfig.Encoding.MELODY ? new MelodyCodec(d.stepSeconds()) : new EventCodec();
        List<String> symbols = new ArrayList<>(codec.vocabulary());
        symbols.add(0, END);
        this.vocab = new Vocabulary(symbols, UnknownPolicy.ERROR, END);
        this.train = stream(s.train());
        this.valid = stream(s.valid());
        this.test = stream(s.test());
        this.sha = sha256(c);
        if (train.length < training.seqLen() + 1)
            throw new FieldException("training.seq_len", "is " + training.seqLen() + " but the training songs have only " + train.length + " tokens");
        if (training.batching() == TrainingConfig.Batching.EXAMPLES)
            throw new FieldException("training.batching", "examples is for one-line examples; use windows or sequential for MIDI");
    }

    /** end, song 1 tokens (shifted past the end token), end, song 2 ..., end. */
    private int[] stream(List<MidiReader.Song> songs) {
        List<Integer> out = new ArrayList<>();
        out.add(0);
        for (MidiReader.Song s : songs) {
            for (int t : codec.encode(s.notes())) out.add(t + 1);
            out.add(0);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override public ModelShape shape() { return ModelShape.tokens(vocab.size()); }
    @Override public String name() { return source.getFileName() + " (" + data.encoding().name().toLowerCase() + ")"; }
    @Override public String source() { return source.toString(); }
    @Override public String sha256() { return sha; }
    @Override public Results.Tokens counts() { return new Results.Tokens(train.length - 1, valid.length - 1, test.length - 1); }
    @Override public Double optimum() { return null; }
    @Override public Double trueTestLoss() { return null; }
    @Override public Vocabulary vocabulary() { return vocab; }
    @Override public String baselineName() { return "unigram"; }
    @Override public Metrics baseline() { return Metrics.of(UnigramBaseline.evaluate(train, test, vocab.size())); }

    @Override
    public List<String> skipped() {
        return skipped;
    }

    @Override
    public BatchSource training(SplittableRandom random) {
        return training.batching() == TrainingConfig.Batching.SEQUENTIAL ? new SequentialWindows(train, training.batchSize(), training.seqLen())
                : new RandomWindows(train, training.batchSize(), training.seqLen(), random);
    }

    @Override public List<? extends Batch> validPass() { return pass(valid); }
    @Override public List<? extends Batch> testPass() { return pass(test); }

    /** The test stream is read in lanes: an example is a stretch of one. */
    @Override
    public String testExample() {
        return "chunk";
    }

    private List<? extends Batch> pass(int[] stream) {
        return SequentialPass.of(stream, training.evalBatchSize(), training.evalLength());
    }

    @Override
    public List<Results.SampleSet> sample(SequenceModel m, String run, SplittableRandom random, Path out) throws IOException {
        List<Results.SampleSet> sets = new ArrayList<>();
        for (double temp : samples.temperatures()) {
            Sampler sampler = new Sampler(temp, samples.topK(), samples.topP() < 1 && temp == 1.0 ? samples.topP() : 1.0);
            MusicSamples files = new MusicSamples(out);
            for (int i = 0; i < samples.count(); i++) {
                int[] tokens = TextSampling.tokens(m, new int[]{0}, samples.maxLength(), 0, -1, sampler, random);
                for (int k = 0; k < tokens.length; k++) tokens[k]--;          // back to codec ids (0 is the end token)
                files.add("samples/" + FileNames.of(run) + "-t" + temp + "-" + (i + 1) + ".mid", MidiWriter.write(codec.decode(tokens), 1));
            }
            sets.add(files.set(temp, samples.topK(), sampler.topP()));
        }
        return sets;
    }

    @Override
    public String picture(SequenceModel m, String run, Path out) {
        return null;
    }
}

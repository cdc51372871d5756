package org.seqlab.data.task;

import org.seqlab.core.FileNames;
import org.seqlab.core.Results;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Batch;
import org.seqlab.core.FieldException;
import org.seqlab.core.Inspectable;
import org.seqlab.core.Metrics;
import org.seqlab.core.ModelShape;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.UnigramBaseline;
import org.seqlab.core.data.BatchSource;
import org.seqlab.core.data.ExampleBatches;
import org.seqlab.core.data.RandomWindows;
import org.seqlab.core.data.SequentialPass;
import org.seqlab.core.data.SequentialWindows;
import org.seqlab.core.data.Tokenizer;
import org.seqlab.core.data.TokenizerSpec;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.sample.Sampler;
import org.seqlab.core.sample.TextSampling;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.core.sample.SampleConfig;
import org.seqlab.data.DataSpec;
import org.seqlab.data.Dataset;
import org.seqlab.data.DataSources;
import org.seqlab.data.Datasets;
import org.seqlab.core.data.SplitMethod;
import org.seqlab.data.TextTokenizers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Text as tokens (characters or words): one example per line or a continuous stream, next-token
 * prediction.
 */
public final class TextTask implements Task {
    private final DataSpec.Text data;
    private final TrainingConfig training;
    private final SampleConfig samples;
    private final Dataset ds;
    private final Tokenizer tok;
    private final int[] train, valid, test;

    /**
     * Loads and checks everything; every problem is a user error naming the field.
     *
     * @param source the data source, resolved
     */
    public TextTask(DataSpec.Text data, DataSources.Resolved source, TrainingConfig training, SampleConfig samples) {
        this.data = data;
        this.training = training;
        this.samples = samples;
        try {
            ds = Datasets.load(source);
            tok = TextTokenizers.build(data, ds.splits().train(), ds.eos());
        } catch (FieldException e) {
            throw Tasks.under("data", e);
        }
        String unit = data.tokenizer() == TokenizerSpec.Kind.WORD ? "word" : "character";
        train = tok.encode(ds.splits().train(), ds.name() + " (train split)");
        long distinct = java.util.Arrays.stream(train).filter(t -> t != tok.vocabulary().eosIndex()).distinct().count();
        if (distinct < 2)
            throw new FieldException("data.source", ds.source() + ": the training split has " + distinct
                    + " distinct " + unit + "(s); a language model needs at least two");
        valid = tok.encode(ds.splits().valid(), ds.name() + " (valid split)");
        test = tok.encode(ds.splits().test(), ds.name() + " (test split)");
        if (train.length < training.seqLen() + 1)
            throw new FieldException("training.seq_len", "is " + training.seqLen() + " but the training split has only "
                    + train.length + " tokens; use at most " + (train.length - 1));
        if (training.batching() == TrainingConfig.Batching.EXAMPLES && ds.eos() == null)
            throw new FieldException("training.batching", "examples needs one example per line (data.mode: lines)");
        if (training.batching() == TrainingConfig.Batching.SEQUENTIAL && (train.length - 1) / training.batchSize() < training.seqLen())
            throw new FieldException("training.seq_len", "sequential batching cuts the " + (train.length - 1)
                    + " training predictions into " + training.batchSize() + " lanes of " + (train.length - 1) / training.batchSize()
                    + " steps, shorter than seq_len " + training.seqLen() + "; lower training.batch_size or training.seq_len");
        if (valid.length < 2 || test.length < 2)
            throw new FieldException("data.split", "the valid and test splits need at least 2 tokens each (got "
                    + valid.length + " and " + test.length + "); use more data or larger fractions");
    }

    @Override public ModelShape shape() { return ModelShape.tokens(tok.vocabulary().size()); }
    @Override public String name() { return ds.name(); }
    @Override public String source() { return ds.source(); }
    @Override public String sha256() { return ds.sha256(); }
    @Override public Results.Tokens counts() { return new Results.Tokens(train.length - 1, valid.length - 1, test.length - 1); }
    @Override public Double optimum() { return ds.optimumLoss(); }
    @Override public Double trueTestLoss() { return ds.trueTestLoss(); }
    @Override public Vocabulary vocabulary() { return tok.vocabulary(); }
    @Override public String baselineName() { return "unigram"; }
    @Override public String tokenizer() { return tok.vocabulary().tokenizer().label(); }
    @Override public SplitMethod split() { return ds.split(); }
    @Override public String testExample() { return training.batching() == TrainingConfig.Batching.EXAMPLES ? "sequence" : "chunk"; }

    @Override
    public Metrics baseline() {
        return Metrics.of(UnigramBaseline.evaluate(train, test, tok.vocabulary().size()));
    }

    /**
     * The unigram on every test row, and, for built-in markov names read example by example, the
     * generating chain's own loss of each test name (the optimum, per example).
     */
    @Override
    public java.util.Map<String, double[]> referenceTestLosses() {
        java.util.Map<String, double[]> out = new java.util.LinkedHashMap<>();
        int width = tok.vocabulary().size();
        double[] logP = UnigramBaseline.logProbabilities(train, width);
        List<Double> unigram = new ArrayList<>();
        for (Batch b : testPass()) {
            org.seqlab.core.TokenBatch tb = (org.seqlab.core.TokenBatch) b;
            for (int r = 0; r < tb.rows(); r++) {
                double loss = 0;
                boolean any = false;
                for (int t = 0; t < tb.length(); t++) {
                    int i = r * tb.length() + t;
                    if (tb.mask()[i] == 0) continue;
                    loss -= logP[tb.targets()[i]];
                    any = true;
                }
                if (any) unigram.add(loss);
            }
        }
        out.put(baselineName(), unigram.stream().mapToDouble(Double::doubleValue).toArray());
        if (data.generator() != null && "markov-names".equals(ds.name()) && training.batching() == TrainingConfig.Batching.EXAMPLES) {
            List<String> names = new ArrayList<>(List.of(ds.splits().test().split("\n")));
            names.removeIf(String::isEmpty);
            double[] optimum = new org.seqlab.data.MarkovNames(data.generator().order(), data.generator().chainSeed()).trueLosses(names);
            if (optimum.length == unigram.size()) out.put("optimum", optimum);
        }
        return out;
    }

    @Override
    public BatchSource training(SplittableRandom random) {
        return switch (training.batching()) {
            case WINDOWS -> new RandomWindows(train, training.batchSize(), training.seqLen(), random);
            case SEQUENTIAL -> new SequentialWindows(train, training.batchSize(), training.seqLen());
            case EXAMPLES -> new ExampleBatches(train, tok.vocabulary().eosIndex(), training.batchSize(), random);
        };
    }

    @Override public List<? extends Batch> validPass() { return pass(valid); }
    @Override public List<? extends Batch> testPass() { return pass(test); }

    /** Every token of a split predicted once: lanes with carried state, or example by example. */
    private List<? extends Batch> pass(int[] stream) {
        return training.batching() == TrainingConfig.Batching.EXAMPLES
                ? ExampleBatches.pass(stream, tok.vocabulary().eosIndex(), training.evalBatchSize())
                : SequentialPass.of(stream, training.evalBatchSize(), training.evalLength());
    }

    @Override
    public List<Results.SampleSet> sample(SequenceModel m, String run, SplittableRandom random, Path out) {
        List<Sampler> samplers = new ArrayList<>();
        for (double temp : samples.temperatures()) samplers.add(new Sampler(temp, samples.topK(), 1.0));
        if (samples.topP() < 1) samplers.add(new Sampler(1.0, samples.topK(), samples.topP()));
        List<Results.SampleSet> sets = new ArrayList<>();
        for (Sampler s : samplers) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < samples.count(); i++) texts.add(TextSampling.generate(m, tok, "", samples.maxLength(), s, random));
            sets.add(new Results.SampleSet(s.temperature(), s.topK(), s.topP(), texts));
        }
        return sets;
    }

    /** The hidden-state picture's width in tokens: at least this many when an example has them, and at most. */
    static final int PICTURE_MIN = 12, PICTURE_MAX = 40;

    /**
     * The tokens the hidden-state picture reads: with examples (lines ended by {@code eos}), the
     * first test example of {@code min} to {@code max} tokens counted with its end marker and the
     * marker before it (where the model's state starts), else the longest one cut to {@code max};
     * a stream (no {@code eos}, -1) gives its first {@code max} tokens. The first test name of
     * Dinosaurus is one letter: three columns said nothing.
     */
    static int[] probe(int[] test, int eos, int min, int max) {
        if (eos < 0) return java.util.Arrays.copyOf(test, Math.min(test.length, max));
        int bestFrom = 0, bestTo = Math.min(test.length, max);
        int longest = -1;
        int from = 0;
        for (int i = 1; i <= test.length; i++) {
            if (i < test.length && test[i] != eos) continue;
            int to = Math.min(i + 1, test.length), length = to - from;    // through the end marker
            if (length >= min && length <= max) return java.util.Arrays.copyOfRange(test, from, to);
            if (length > longest) {
                longest = length;
                bestFrom = from;
                bestTo = Math.min(to, from + max);
            }
            from = i;                                                     // the next example starts at this marker
        }
        return java.util.Arrays.copyOfRange(test, bestFrom, bestTo);
    }

    /**
     * The hidden-state picture of an {@link Inspectable} model on a test example long enough to
     * read (see {@link #probe}), or on the first 40 test tokens of a stream.
     */
    @Override
    public String picture(SequenceModel m, String run, Path out) throws IOException {
        if (!(m instanceof Inspectable inspectable)) return null;
        Vocabulary v = tok.vocabulary();
        int[] probe = probe(test, v.eosIndex(), PICTURE_MIN, PICTURE_MAX);
        List<String> labels = new ArrayList<>();
        for (int t : probe) labels.add(v.symbol(t).equals("\n") ? "↵" : v.symbol(t));
        String file = "hidden-" + FileNames.of(run) + ".png";
        byte[] png = HiddenStatePicture.render(run + ": activations while reading the input below (left to right)",
                labels, inspectable.activations(probe));
        AtomicFiles.writeBytes(out.resolve(file), png);
        return file;
    }
}

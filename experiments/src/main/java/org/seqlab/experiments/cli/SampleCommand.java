package org.seqlab.experiments.cli;

import org.seqlab.core.SequenceModel;
import org.seqlab.core.data.Tokenizer;
import org.seqlab.core.sample.Sampler;
import org.seqlab.core.sample.TextSampling;
import org.seqlab.core.train.Checkpoint;
import org.seqlab.experiments.Families;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

@Command(name = "sample", description = "Generate from a checkpoint (it holds the vocabulary and config: nothing else is needed).")
final class SampleCommand implements Callable<Integer>, DryRun {
    @Parameters(paramLabel = "CHECKPOINT", description = "a checkpoint directory, e.g. reports/quickstart/checkpoints/rnn-seed1234")
    Path checkpoint;

    @Option(names = {"-n", "--count"}, defaultValue = "10", description = "samples to draw (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = {"-t", "--temperature"}, defaultValue = "1.0", description = "softmax temperature (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "keep the k most likely tokens (0 = off)")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass (1 = off)")
    double topP;

    @Option(names = "--prime", defaultValue = "", description = "text to start from")
    String prime;

    @Option(names = "--max-length", defaultValue = "200", description = "tokens per sample at most")
    int maxLength;

    @Option(names = "--seed", defaultValue = "1", description = "sampling seed")
    long seed;

    @Option(names = "--debug", description = "print stack traces")
    boolean debug;

    private Sampler sampler() {
        if (count < 0) throw new org.seqlab.core.UserException("--count: must be >= 0, got " + count);
        if (maxLength < 1) throw new org.seqlab.core.UserException("--max-length: must be >= 1, got " + maxLength);
        if (topK < 0) throw new org.seqlab.core.UserException("--top-k: must be >= 0 (0 = off), got " + topK);
        try {
            return new Sampler(temperature, topK, topP);
        } catch (org.seqlab.core.FieldException e) {
            throw new org.seqlab.core.UserException("--" + e.field().replace('_', '-') + ": " + e.reason());
        }
    }

    private Checkpoint.Info tokenCheckpoint() {
        Checkpoint.Info info = Checkpoint.info(checkpoint);
        if (info.vocabulary() == null) throw new org.seqlab.core.UserException(checkpoint + ": " + notTokens(info));
        return info;
    }

    /** The options are in range and the checkpoint is a token model's (or one a shipped experiment writes). */
    @Override
    public java.util.List<String> check(java.nio.file.Path workDir) {
        sampler();
        String later = java.nio.file.Files.exists(checkpoint) ? null : EarlierOutputs.checkpoint(workDir, checkpoint);
        if (later != null) return java.util.List.of(later);
        Checkpoint.Info info = tokenCheckpoint();
        return java.util.List.of(checkpoint + " is a " + info.family() + " checkpoint of a token model");
    }

    @Override
    public Integer call() {
        Sampler sampler = sampler();
        Checkpoint.Info info = tokenCheckpoint();
        SequenceModel model = Checkpoint.load(checkpoint, Families::get);
        Tokenizer tok = Tokenizer.of(info.vocabulary());     // characters or words, as the model was trained
        try {
            tok.encode(prime, "--prime");
        } catch (org.seqlab.core.UserException e) {
            // the vocabulary is the checkpoint's: data.unknown, which the advice of a training run names, cannot change it
            throw new org.seqlab.core.UserException(e.getMessage().replaceFirst(" \\(set data\\.unknown to .*\\)$", "")
                    + " of " + checkpoint + "; write --prime with the model's own characters or words (its vocabulary: "
                    + checkpoint.resolve("checkpoint.json") + ")");
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++)
            System.out.println(tok.join(prime, TextSampling.generate(model, tok, prime, maxLength, sampler, random)));
        return 0;
    }

    /** Why a checkpoint without a vocabulary cannot be sampled here, and where its samples are instead. */
    private String notTokens(Checkpoint.Info info) {
        var kind = info.shape() == null ? null : info.shape().kind();
        String what = kind == org.seqlab.core.OutputKind.FRAMES ? "a piano-roll (MIDI) model"
                : kind == org.seqlab.core.OutputKind.VALUES ? "a time-series model" : "not a token model";
        String where = kind == org.seqlab.core.OutputKind.VALUES
                ? "its forecasts are in its run's report (report.html)"
                : "its MIDI samples are in its run's report (report.html and samples/*.mid; ./seqlab render FILE.mid makes a WAV)";
        return what + ": seqlab sample writes text from token models only; " + where
                + ". For more samples, raise samples.count in the experiment and run it again (finished models are reused)";
    }
}

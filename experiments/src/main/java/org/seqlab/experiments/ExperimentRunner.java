package org.seqlab.experiments;

import com.fasterxml.jackson.core.type.TypeReference;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.AtomicFiles;
import org.seqlab.core.Batch;
import org.seqlab.core.EvalStats;
import org.seqlab.core.Evaluation;
import org.seqlab.core.FieldException;
import org.seqlab.core.Inspectable;
import org.seqlab.core.Json;
import org.seqlab.core.Metrics;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;
import org.seqlab.core.Provenance;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.Sha256;
import org.seqlab.core.UnigramBaseline;
import org.seqlab.core.UserException;
import org.seqlab.core.data.CharTokenizer;
import org.seqlab.core.data.BatchSource;
import org.seqlab.core.data.ExampleBatches;
import org.seqlab.core.data.RandomWindows;
import org.seqlab.core.data.SequentialWindows;
import org.seqlab.core.data.SequentialPass;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.sample.Sampler;
import org.seqlab.core.sample.TextSampling;
import org.seqlab.core.train.Checkpoint;
import org.seqlab.core.train.Trainer;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.core.train.TrainingListener;
import org.seqlab.core.train.TrainingResult;
import org.seqlab.data.Dataset;
import org.seqlab.data.Datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs an experiment: checks everything against the data before writing anything, trains every
 * model with the same budget, evaluates the best checkpoint of each, samples, and writes
 * {@code results.json}, {@code provenance.json} and the report. Finished runs are kept in
 * {@code runs/}, so re-running an interrupted experiment resumes with the first unfinished model.
 */
public final class ExperimentRunner {
    /** Where the runner reports progress: the CLI prints, tests collect. */
    public interface Console {
        void info(String line);

        TrainingListener listener();
    }

    private final ConfigLoader.Loaded loaded;
    private final ExperimentConfig cfg;
    private final Path out;
    private final Console console;
    private final boolean fresh;
    private final String command;

    public ExperimentRunner(ConfigLoader.Loaded loaded, Path out, Console console, boolean fresh, String command) {
        this.loaded = loaded;
        this.cfg = loaded.config();
        this.out = out;
        this.console = console;
        this.fresh = fresh;
        this.command = command;
    }

    /** The data of the experiment, tokenized and checked. */
    record Prepared(Dataset dataset, CharTokenizer tokenizer, int[] train, int[] valid, int[] test) {}

    Prepared prepare() {
        ConfigLocations where = loaded.locations();
        Dataset ds;
        try {
            ds = Datasets.load(cfg.data(), loaded.file().toAbsolutePath().getParent());
        } catch (FieldException e) {
            throw where.error("data", e);
        }
        String trainText = ds.splits().train();
        long distinct = trainText.codePoints().filter(c -> ds.eos() == null || c != ds.eos().codePointAt(0)).distinct().count();
        if (distinct < 2)
            throw where.error("data.source", ds.source() + ": the training split has " + distinct
                    + " distinct character(s); a language model needs at least two");
        Vocabulary vocab = Vocabulary.ofCharacters(trainText, cfg.data().unknown(), ds.eos());
        CharTokenizer tok = new CharTokenizer(vocab);
        int[] train = tok.encode(trainText, ds.name() + " (train split)");
        int[] valid = tok.encode(ds.splits().valid(), ds.name() + " (valid split)");
        int[] test = tok.encode(ds.splits().test(), ds.name() + " (test split)");
        TrainingConfig t = cfg.training();
        if (train.length < t.seqLen() + 1)
            throw where.error("training.seq_len", "is " + t.seqLen() + " but the training split has only "
                    + train.length + " tokens; use at most " + (train.length - 1));
        if (t.batching() == TrainingConfig.Batching.EXAMPLES && ds.eos() == null)
            throw where.error("training.batching", "examples needs one example per line (data.mode: lines)");
        if (t.batching() == TrainingConfig.Batching.SEQUENTIAL && (train.length - 1) / t.batchSize() < t.seqLen())
            throw where.error("training.seq_len", "sequential batching cuts the " + (train.length - 1)
                    + " training predictions into " + t.batchSize() + " lanes of " + (train.length - 1) / t.batchSize()
                    + " steps, shorter than seq_len " + t.seqLen() + "; lower training.batch_size or training.seq_len");
        if (valid.length < 2 || test.length < 2)
            throw where.error("data.split", "the valid and test splits need at least 2 tokens each (got "
                    + valid.length + " and " + test.length + "); use more data or larger fractions");
        for (int i = 0; i < cfg.models().size(); i++) {
            ModelFamily f = Families.get(familyOf(cfg.models().get(i)));
            if (!f.supports(OutputKind.TOKENS))
                throw where.error("models[" + i + "].family", f.key() + " cannot model tokens");
            try {
                f.validate(cfg.models().get(i), ModelShape.tokens(vocab.size()));
            } catch (FieldException e) {
                throw where.error("models[" + i + "]", e);
            }
        }
        return new Prepared(ds, tok, train, valid, test);
    }

    static String familyOf(ModelConfig m) {
        for (ModelFamily f : Families.ALL) if (f.configType().isInstance(m)) return f.key();
        throw new IllegalStateException("no family for " + m.getClass());
    }

    public Results run() throws IOException {
        Instant start = Instant.now();
        Prepared p = prepare();                       // every input error surfaces before anything is written
        Files.createDirectories(out);
        Provenance prov = new Provenance(cfg.name(), Provenance.gitCommit(Path.of("")), Provenance.gitDirty(Path.of("")),
                ConfigLoader.MAPPER.valueToTree(cfg), p.dataset().name(), p.dataset().sha256(), p.dataset().source(),
                cfg.seed(), Provenance.jvmDescription(), Provenance.osDescription(), backend(), start.toString(), null, command);
        Json.writeFile(out.resolve("provenance.json"), prov);

        ModelShape shape = ModelShape.tokens(p.tokenizer().vocabulary().size());
        List<Results.Run> runs = new ArrayList<>();
        for (ModelConfig mc : cfg.models())
            for (long seed : cfg.runSeeds()) runs.add(runModel(mc, seed, shape, p));

        Metrics unigram = Metrics.of(UnigramBaseline.evaluate(p.train(), p.test(), shape.width()));
        Results results = new Results(cfg.name(),
                new Results.DatasetSummary(p.dataset().name(), p.dataset().source(), p.dataset().sha256(),
                        new Results.Tokens(p.train().length - 1, p.valid().length - 1, p.test().length - 1),
                        shape.width(), p.dataset().trueTestLoss()),
                p.dataset().optimumLoss(), Map.of("unigram", Results.Baseline.of(unigram)), runs);
        Json.writeFile(out.resolve("results.json"), results);
        new ReportWriter(cfg, results, prov).write(out);
        Json.writeFile(out.resolve("provenance.json"), prov.finished(Instant.now()));
        return results;
    }

    private Results.Run runModel(ModelConfig mc, long seed, ModelShape shape, Prepared p) throws IOException {
        String family = familyOf(mc);
        String key = mc.name() + "-seed" + seed;
        Map<String, Object> config = ConfigLoader.MAPPER.convertValue(mc, new TypeReference<LinkedHashMap<String, Object>>() {});
        String hash = Sha256.of(Json.write(List.of(config, cfg.training(), p.dataset().sha256(), seed, cfg.samples())));
        Path runFile = out.resolve("runs").resolve(key + ".json");
        if (!fresh && Files.exists(runFile)) {
            Results.Run done = Json.read(runFile, Results.Run.class);
            if (hash.equals(done.configHash())) {
                console.info(mc.name() + " (seed " + seed + "): finished in an earlier run, reusing its results (--fresh retrains)");
                return done;
            }
        }
        ModelFamily f = Families.get(family);
        TrainingConfig t = cfg.training();
        SplittableRandom random = new SplittableRandom(seed);
        SequenceModel model = f.create(mc, shape, t.options(), seed);
        console.info(String.format("%s: %s, %,d parameters, %d epochs", mc.name(), family, model.parameterCount(), t.epochs()));
        Path ckpt = out.resolve("checkpoints").resolve(key);
        Vocabulary vocab = p.tokenizer().vocabulary();
        List<? extends Batch> valid = evaluationPass(p.valid(), vocab);
        Trainer trainer = new Trainer(t, console.listener(),
                (m, epoch, step, loss) -> Checkpoint.write(ckpt, m, vocab, epoch, step, loss));
        TrainingResult tr;
        String status = "ok", message = null;
        try {
            tr = trainer.train(model, trainingBatches(p.train(), vocab, random.split()), valid);
        } catch (RuntimeException e) {
            if (e instanceof UserException) throw e;
            console.info(mc.name() + ": failed: " + e);
            return new Results.Run(mc.name(), family, model.parameterCount(), seed, config, null, "failed",
                    String.valueOf(e), List.of(), List.of(), null, hash, null, t);
        }
        if (tr.stopReason() != null) {
            status = tr.diverged() ? "diverged" : tr.pruned() ? "pruned" : "stopped";
            message = tr.stopReason();
        }
        Results.RunMetrics metrics = null;
        List<Results.SampleSet> samples = List.of();
        String picture = null;
        if (tr.bestEpoch() > 0) {
            SequenceModel best = Checkpoint.load(ckpt, Families::get);
            Metrics v = Metrics.of(Evaluation.run(best, valid));
            EvalStats testStats = Evaluation.run(best, evaluationPass(p.test(), vocab));
            Metrics te = Metrics.of(testStats);
            metrics = new Results.RunMetrics(Results.finite(v.loss()), Results.finite(v.perplexity()), Results.finite(v.accuracy()),
                    Results.finite(te.loss()), Results.finite(te.perplexity()), Results.finite(te.accuracy()),
                    Results.finite(te.bitsPerToken()), Results.finite(tr.tokensPerSecond()), tr.trainSeconds(),
                    tr.tokensSeen(), tr.bestEpoch());
            samples = sample(best, p.tokenizer(), random.split());
            if (seed == cfg.runSeeds().get(0)) picture = picture(best, mc.name(), p);
            console.info(String.format("%s: test %.4f nats/token (perplexity %.3f, accuracy %.1f%%), %.1f s, %,.0f tokens/s",
                    mc.name(), te.loss(), te.perplexity(), 100 * te.accuracy(), tr.trainSeconds(), tr.tokensPerSecond()));
        }
        Results.Run run = new Results.Run(mc.name(), family, model.parameterCount(), seed, config, metrics, status,
                message, tr.history(), samples, out.relativize(ckpt).toString(), hash, picture, t);
        Json.writeFile(runFile, run);
        return run;
    }

    /**
     * The hidden-state picture of an {@link Inspectable} model on the first test example (or the
     * first 40 test tokens); returns its file name in the output directory, or null.
     */
    private String picture(SequenceModel m, String name, Prepared p) throws IOException {
        if (!(m instanceof Inspectable inspectable)) return null;
        Vocabulary v = p.tokenizer().vocabulary();
        int[] test = p.test();
        int end = Math.min(test.length, 40);
        if (v.eosIndex() >= 0)
            for (int i = 1; i < test.length; i++) if (test[i] == v.eosIndex()) { end = Math.min(i + 1, 40); break; }
        int[] probe = java.util.Arrays.copyOf(test, end);
        List<String> labels = new ArrayList<>();
        for (int t : probe) labels.add(v.symbol(t).equals("\n") ? "↵" : v.symbol(t));
        String file = "hidden-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
        byte[] png = HiddenStatePicture.render(name + ": activations while reading the input below (left to right)",
                labels, inspectable.activations(probe));
        AtomicFiles.writeBytes(out.resolve(file), png);
        return file;
    }

    private BatchSource trainingBatches(int[] stream, Vocabulary vocab, SplittableRandom random) {
        TrainingConfig t = cfg.training();
        return switch (t.batching()) {
            case WINDOWS -> new RandomWindows(stream, t.batchSize(), t.seqLen(), random);
            case SEQUENTIAL -> new SequentialWindows(stream, t.batchSize(), t.seqLen());
            case EXAMPLES -> new ExampleBatches(stream, vocab.eosIndex(), t.batchSize(), random);
        };
    }

    /** Every token of a split predicted once: lanes with carried state, or example by example. */
    private List<? extends Batch> evaluationPass(int[] stream, Vocabulary vocab) {
        TrainingConfig t = cfg.training();
        return t.batching() == TrainingConfig.Batching.EXAMPLES
                ? ExampleBatches.pass(stream, vocab.eosIndex(), t.evalBatchSize())
                : SequentialPass.of(stream, t.evalBatchSize(), Math.max(64, t.seqLen()));
    }

    private List<Results.SampleSet> sample(SequenceModel m, CharTokenizer tok, SplittableRandom random) {
        var sc = cfg.samples();
        List<Sampler> samplers = new ArrayList<>();
        for (double temp : sc.temperatures()) samplers.add(new Sampler(temp, sc.topK(), 1.0));
        if (sc.topP() < 1) samplers.add(new Sampler(1.0, sc.topK(), sc.topP()));
        List<Results.SampleSet> sets = new ArrayList<>();
        for (Sampler s : samplers) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < sc.count(); i++) texts.add(TextSampling.generate(m, tok, "", sc.maxLength(), s, random));
            sets.add(new Results.SampleSet(s.temperature(), s.topK(), s.topP(), texts));
        }
        return sets;
    }

    static String backend() {
        try {
            var env = Nd4j.getExecutioner().getEnvironmentInformation();
            return Nd4j.getBackend().getClass().getSimpleName() + " (blas " + env.getOrDefault("blas.vendor", "?")
                    + ", omp threads " + env.getOrDefault("omp.threads", "?") + ", dtype "
                    + Nd4j.dataType().toString().toLowerCase(java.util.Locale.ROOT) + ")";
        } catch (RuntimeException | LinkageError e) {
            return "unknown (" + e + ")";
        }
    }

    /** Deletes a previous output directory's generated files, keeping nothing stale. */
    static void clean(Path out) throws IOException {
        AtomicFiles.deleteTree(out);
    }
}

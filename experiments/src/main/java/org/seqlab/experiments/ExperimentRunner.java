package org.seqlab.experiments;

import com.fasterxml.jackson.databind.JsonNode;

import com.fasterxml.jackson.core.type.TypeReference;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.core.Capabilities;
import org.seqlab.core.Batch;
import org.seqlab.core.EvalStats;
import org.seqlab.core.Evaluation;
import org.seqlab.core.FieldException;
import org.seqlab.core.MemoryBudget;
import org.seqlab.core.MemoryUse;
import org.seqlab.core.MemoryWatch;
import org.seqlab.core.Json;
import org.seqlab.core.Metrics;
import org.seqlab.core.ModelConfig;
import org.seqlab.core.ModelFamily;
import org.seqlab.core.ModelShape;
import org.seqlab.core.OutputKind;
import org.seqlab.core.Provenance;
import org.seqlab.core.SequenceModel;
import org.seqlab.core.Sha256;
import org.seqlab.core.UserException;
import org.seqlab.optim.CoreBudget;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.train.Checkpoint;
import org.seqlab.core.train.Trainer;
import org.seqlab.core.train.TrainingConfig;
import org.seqlab.core.train.TrainingListener;
import org.seqlab.core.train.TrainingResult;
import org.seqlab.core.Results;
import org.seqlab.data.DataSources;
import org.seqlab.data.task.Task;
import org.seqlab.data.task.Tasks;
import org.seqlab.data.registry.Catalogue;

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

    /** Fault injection for tests: the model (by name) whose first training step ends in a NullPointerException, a stand-in for a bug. */
    public static final String INJECT_FAULT = "seqlab.injectFault";

    private final ConfigLoader.Loaded loaded;
    private final ExperimentConfig cfg;
    private final Path out;
    private final Console console;
    private final boolean fresh;
    private final String command;
    private final Catalogue catalogue;
    private MemoryBudget budget = MemoryBudget.fromEnvironment();

    /** A runner whose registry datasets come through the environment's cache ($SEQLAB_CACHE, $SEQLAB_OFFLINE). */
    public ExperimentRunner(ConfigLoader.Loaded loaded, Path out, Console console, boolean fresh, String command) {
        this(loaded, out, console, fresh, command, Catalogue.fromEnvironment(false));
    }

    /** @param catalogue the registry and cache that {@code data.source: NAME} resolves through */
    public ExperimentRunner(ConfigLoader.Loaded loaded, Path out, Console console, boolean fresh, String command, Catalogue catalogue) {
        this.loaded = loaded;
        this.cfg = loaded.config();
        this.out = out;
        this.console = console;
        this.fresh = fresh;
        this.command = command;
        this.catalogue = catalogue;
    }

    /** Another off-heap budget than $SEQLAB_MAX_OFFHEAP's (tests). */
    ExperimentRunner withBudget(MemoryBudget b) {
        this.budget = b;
        return this;
    }

    /**
     * The experiment's data source made concrete: a path, a registry dataset (downloaded into the
     * cache when missing) or a generator. Errors name the file, line and column of data.source.
     */
    public static DataSources.Resolved resolveData(ConfigLoader.Loaded loaded, Catalogue catalogue, java.util.function.Consumer<String> log) {
        try {
            return DataSources.resolve(loaded.config().data(), loaded.file().toAbsolutePath().getParent(), catalogue, log);
        } catch (FieldException e) {
            throw loaded.locations().error("data", e);
        } catch (UserException e) {
            throw loaded.locations().error("data.source", e.getMessage());
        }
    }

    /** The data, resolved and loaded by its task, checked against every model: what a run trains on. */
    private record Prepared(DataSources.Resolved source, Task task) {}

    /** Loads and checks the data and every model against it, before anything is written. */
    private Prepared prepare() {
        ConfigLocations where = loaded.locations();
        DataSources.Resolved source = resolveData(loaded, catalogue, console::info);
        Task data;
        try {
            data = Tasks.open(source, cfg.training(), cfg.samples());
        } catch (FieldException e) {
            throw where.error("", e);
        }
        for (int i = 0; i < cfg.models().size(); i++) {
            ModelFamily f = Families.get(familyOf(cfg.models().get(i)));
            if (!f.supports(data.shape().kind()))
                throw where.error("models[" + i + "].family", f.key() + " cannot model " + data.shape().kind().name().toLowerCase());
            try {
                f.validate(cfg.models().get(i), data.shape());
            } catch (FieldException e) {
                throw where.error("models[" + i + "]", e);
            }
            Capabilities can = f.capabilities(cfg.models().get(i), data.shape());
            if (!can.generates() && data.shape().kind() == OutputKind.VALUES)
                throw where.error("models[" + i + "]", "this " + f.key() + " configuration cannot run step by step, which forecasts need");
            if (!can.generates())
                console.info(cfg.models().get(i).name() + ": cannot generate (it reads whole sequences), so it is trained and scored without samples or a piano-roll picture");
            String init = cfg.models().get(i).initCheckpoint();
            if (init != null) checkInitCheckpoint(where, "models[" + i + "].init.checkpoint", Path.of(init), f.key(), data);
        }
        return new Prepared(source, data);
    }

    /** The CLI's closing lines for a time series: optimum, naive baselines, then each model against them. */
    public static List<String> seriesSummary(Results r) {
        return SeriesReport.summaryLines(r);
    }

    /** What one predicted step is called in results and messages. */
    static String unit(OutputKind kind) {
        return Results.Unit.of(kind).word();
    }

    /** Fine-tuning starts from a checkpoint of the same family whose vocabulary is this data's. */
    private static void checkInitCheckpoint(ConfigLocations where, String field, Path dir, String family, Task data) {
        try {
            Checkpoint.checkStartingPoint(dir, family, data.shape(), data.vocabulary());
        } catch (UserException e) {
            throw where.error(field, e.getMessage());
        }
    }

    /** "perplexity x, " for tokens when it is finite; nothing for frames (a sum over keys: its exponential is no perplexity). */
    static String perplexity(OutputKind kind, double perplexity) {
        return kind == OutputKind.TOKENS && Double.isFinite(perplexity) ? String.format(java.util.Locale.ROOT, "perplexity %.3f, ", perplexity) : "";
    }

    static String familyOf(ModelConfig m) {
        for (ModelFamily f : Families.ALL) if (f.configType().isInstance(m)) return f.key();
        throw new IllegalStateException("no family for " + m.getClass());
    }

    public Results run() throws IOException {
        Instant start = Instant.now();
        Prepared p = prepare();                   // every input error surfaces before anything is written
        // alone, every core for this run's products; in a sweep, the sweep's smaller share stays in force
        try (DirectoryLock lock = DirectoryLock.acquire(out, command); CoreBudget.Share cores = CoreBudget.forTrials(1)) {
            return run(p.task(), p.source(), start);
        }
    }

    private Results run(Task p, DataSources.Resolved source, Instant start) throws IOException {
        ModelShape shape = p.shape();
        Results.DatasetSummary summary = new Results.DatasetSummary(p.name(), p.source(), p.sha256(), p.counts(), shape.width(),
                p.trueTestLoss(), Results.Unit.of(shape.kind()), p.skipped(), source.registryName(), p.tokenizer(), p.split(), p.series());
        Map<String, Object> dataset = new LinkedHashMap<>();     // what was read and how, beside the config that asked for it
        dataset.put("source", p.source());
        dataset.put("registry", source.registryName());
        dataset.put("sha256", p.sha256());
        dataset.put("tokenizer", p.tokenizer());
        dataset.put("vocabulary_size", shape.width());
        dataset.put("split", p.split());
        Provenance prov = new Provenance(cfg.name(), Provenance.gitCommit(Path.of("")), Provenance.gitDirty(Path.of("")),
                ConfigLoader.MAPPER.valueToTree(cfg), p.name(), p.sha256(), p.source(),
                cfg.seed(), Provenance.jvmDescription(), Provenance.osDescription(), backend(), start.toString(), null, command, dataset);
        forgetResultsOfAnotherExperiment(prov);
        Json.writeFile(out.resolve("provenance.json"), prov);

        TestLossFiles.writeReferences(out, p);
        List<Results.Run> runs = new ArrayList<>();
        for (ModelConfig mc : cfg.models())
            for (long seed : cfg.runSeeds()) runs.add(runModel(mc, seed, shape, p));

        Results results = new Results(cfg.name(), summary, p.optimum(), p.baselines(), runs, cfg.description(), cfg.training(),
                cfg.runSeeds(), Results.Environment.of(prov),
                cfg.published().stream().map(f -> new Results.PublishedFigure(cfg.name(), f.model(), f.testLoss(), f.source())).toList());
        Json.writeFile(out.resolve("results.json"), results);
        new ReportWriter(results).write(out);
        Json.writeFile(out.resolve("provenance.json"), prov.finished(Instant.now()));
        return results;
    }

    /**
     * A re-run into a directory whose results describe another configuration or data removes them
     * (results.json and the report) before anything trains: if this run is killed, what is left
     * never pairs the old report with new checkpoints. Finished models of this configuration stay
     * in runs/ and are reused; the report is written again at the end.
     */
    private void forgetResultsOfAnotherExperiment(Provenance now) throws IOException {
        Path previous = out.resolve("provenance.json");
        if (!Files.isRegularFile(previous)) return;
        JsonNode before;
        try {
            before = Json.MAPPER.readTree(previous.toFile());
        } catch (IOException unreadable) {
            before = null;
        }
        // through JSON text, as the saved one went, so that number types compare alike
        JsonNode config = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(now.config()));
        boolean same = before != null && config.equals(before.get("config"))
                && String.valueOf(now.datasetSha256()).equals(before.path("dataset_sha256").asText(null));
        if (same) return;
        for (String f : List.of("results.json", "report.md", "report.html")) Files.deleteIfExists(out.resolve(f));
    }

    private Results.Run runModel(ModelConfig mc, long seed, ModelShape shape, Task p) throws IOException {
        String family = familyOf(mc);
        String key = mc.name() + "-seed" + seed;
        Map<String, Object> config = ConfigLoader.MAPPER.convertValue(mc, new TypeReference<LinkedHashMap<String, Object>>() {});
        // the data section counts too: the same file split or tokenized differently is another run
        String hash = Sha256.of(Json.write(List.of(config, cfg.trainingOf(mc), p.sha256(), seed, cfg.samples(), cfg.data())));
        Path runFile = out.resolve("runs").resolve(key + ".json");
        if (!fresh && Files.exists(runFile)) {
            Results.Run done = Json.readOutput(runFile, Results.Run.class, "run result");
            if (hash.equals(done.configHash())) {
                console.info(mc.name() + " (seed " + seed + "): finished in an earlier run, reusing its results (--fresh retrains)");
                return done;
            }
        }
        ModelFamily f = Families.get(family);
        TrainingConfig t = cfg.trainingOf(mc);
        MemoryWatch watch = new MemoryWatch(mc.name(), budget);
        SequenceModel model = null;
        try {
            try {
                model = f.create(mc, shape, t.options(), seed);
                watch.weigh(model.parameterCount());     // its part when runs beside it share the process's memory
            } catch (RuntimeException e) {
                // ND4J: "Allocation failed: [std::bad_alloc]" for a model larger than the machine
                if (String.valueOf(e.getMessage()).contains("Allocation failed") || String.valueOf(e.getMessage()).contains("bad_alloc"))
                    throw new MemoryWatch.MemoryBudgetExceeded(mc.name() + " is too large to allocate on this machine ("
                            + e.getMessage() + "): lower its size (hidden, layers, embedding, vocabulary). " + budget.advice()
                            + VocabularyAdvice.of(p.vocabulary()) + " Finished models are kept: run the same command again to resume.");
                throw e;
            }
            return trainAndEvaluate(mc, seed, shape, p, model, family, config, hash, t, runFile, watch);
        } catch (RuntimeException e) {
            if (!StackTraceLog.internal(e)) throw e;
            // a bug, not a result: its trace beside the results, the run failed, the command's exit 1
            String log = out.relativize(out.resolve("runs").resolve(key + ".log")).toString();
            StackTraceLog.write(out.resolve(log), mc.name() + " (seed " + seed + ")", e);
            console.info(mc.name() + ": internal error: " + e + "; stack trace in " + out.resolve(log));
            return Results.Run.internalError(mc.name(), family, parametersOf(model), seed, config,
                    "internal error: " + e + " (stack trace in " + log + ")", t, peak(watch), mc.settings(), log);
        } catch (OutOfMemoryError e) {
            // the Java heap, or JavaCPP's maxphysicalbytes: one clear line, the finished models kept
            throw new MemoryWatch.MemoryBudgetExceeded(mc.name() + " ran out of memory (" + e.getMessage() + "). "
                    + budget.advice() + " The Java heap is SEQLAB_HEAP (now " + MemoryUse.gb(Runtime.getRuntime().maxMemory())
                    + ")." + VocabularyAdvice.of(p.vocabulary()) + " Finished models are kept: run the same command again to resume.");
        } finally {
            NativeMemory.release(model);    // first: while it is being freed, its memory is still this run's
            watch.stop();
        }
    }

    private Results.Run trainAndEvaluate(ModelConfig mc, long seed, ModelShape shape, Task p, SequenceModel model, String family,
                                         Map<String, Object> config, String hash, TrainingConfig t, Path runFile,
                                         MemoryWatch watch) throws IOException {
        String key = mc.name() + "-seed" + seed;
        SplittableRandom random = new SplittableRandom(seed);
        long parameters = model.parameterCount();
        console.info(String.format("%s: %s, %,d parameters, %d epochs", mc.name(), family, parameters, t.epochs()));
        Path ckpt = out.resolve("checkpoints").resolve(key);
        Vocabulary vocab = p.vocabulary();
        List<? extends Batch> valid = p.validPass();
        Trainer trainer = new Trainer(t, injectedFault(mc.name(), watch.guard(console.listener())),
                (m, epoch, step, loss) -> Checkpoint.write(ckpt, m, vocab, epoch, step, loss))
                .divergedAbove(p.divergedAbove(), p.divergedAboveWhy());
        TrainingResult tr = trainer.train(model, p.training(random.split()), valid);
        String status = "ok", message = null;
        if (tr.stopReason() != null) {
            status = tr.diverged() ? "diverged" : tr.pruned() ? "pruned" : "stopped";
            message = tr.stopReason();
        }
        Results.RunMetrics metrics = null;
        List<Results.SampleSet> samples = List.of();
        String picture = null;
        Results.Forecast forecast = null;
        boolean values = shape.kind() == OutputKind.VALUES;     // squared error: no perplexity or bits
        if (tr.bestEpoch() > 0) {
            model.close();                     // the best checkpoint replaces it: never both in memory
            SequenceModel best = Checkpoint.load(ckpt, Families::get);
            try {
                Metrics v = Metrics.of(Evaluation.run(best, valid));
                Evaluation.ByExample byExample = Evaluation.byExample(best, p.testPass());
                EvalStats testStats = byExample.total();
                TestLossFiles.writeRun(out, mc.name(), seed, p, byExample);
                Metrics te = Metrics.of(testStats);
                metrics = new Results.RunMetrics(Results.finite(v.loss()), values ? null : Results.finite(v.perplexity()),
                        Results.finite(v.accuracy()), Results.finite(te.loss()), values ? null : Results.finite(te.perplexity()),
                        Results.finite(te.accuracy()), values ? null : Results.finite(te.bitsPerToken()),
                        Results.finite(tr.tokensPerSecond()), tr.trainSeconds(), tr.tokensSeen(), tr.bestEpoch(),
                        Results.finite(te.expectedAccuracy()));
                forecast = p.forecast(best);
                boolean first = seed == cfg.runSeeds().get(0);
                boolean generates = Families.get(family).capabilities(mc, shape).generates();
                if (generates) samples = p.sample(best, mc.name() + (first ? "" : "-seed" + seed), random.split(), out);
                if (first && generates) picture = p.picture(best, mc.name(), out);
                String unit = unit(shape.kind());
                if (forecast != null)
                    console.info(String.format("%s: test MSE %.4g, MAE %.4g, MAPE %.2f%% (original units; normalised loss %.4f), %.1f s, %,.0f values/s",
                            mc.name(), forecast.testMse(), forecast.testMae(), forecast.testMape() == null ? Double.NaN : forecast.testMape(),
                            te.loss(), tr.trainSeconds(), tr.tokensPerSecond()));
                else
                    console.info(String.format("%s: test %.4f nats/" + unit + " (%saccuracy %s), %.1f s, %,.0f " + unit + "s/s",
                            mc.name(), te.loss(), perplexity(shape.kind(), te.perplexity()), metrics.testAccuracyText(),
                            tr.trainSeconds(), tr.tokensPerSecond()));
            } finally {
                NativeMemory.release(best);
            }
        }
        Results.MemoryPeak memory = peak(watch);
        console.info(String.format("%s: peak memory %s resident, %s outside the Java heap%s", mc.name(),
                MemoryUse.gb(memory.peakRssBytes()), MemoryUse.gb(memory.peakOffHeapBytes()),
                memory.shared() ? " (the process's, shared by " + memory.runsInFlight() + " runs at once)" : ""));
        Results.Run run = new Results.Run(mc.name(), family, parameters, seed, config, metrics, status,
                message, tr.history(), samples, out.relativize(ckpt).toString(), hash, picture, t, forecast, memory, mc.settings());
        Json.writeFile(runFile, run);
        return run;
    }

    /** {@code listener}, or for the model that {@link #INJECT_FAULT} names one that fails at its first step. */
    private static TrainingListener injectedFault(String model, TrainingListener listener) {
        if (!model.equals(System.getProperty(INJECT_FAULT))) return listener;
        return new TrainingListener() {
            @Override public void onStart(String run, long totalSteps) { listener.onStart(run, totalSteps); }
            @Override public void onStep(long step, double smoothedLoss, double lr) {
                Object missing = null;
                missing.hashCode();             // the injected bug: a NullPointerException with a real stack trace
            }
            @Override public void onEpoch(org.seqlab.core.train.EpochRecord record) { listener.onEpoch(record); }
            @Override public String stopAfter(org.seqlab.core.train.EpochRecord record) { return listener.stopAfter(record); }
            @Override public void onMessage(String message) { listener.onMessage(message); }
            @Override public void onEnd() { listener.onEnd(); }
        };
    }

    /** The model's size for a failed run's row; 0 when there is no model or it cannot say. */
    private static long parametersOf(SequenceModel model) {
        try {
            return model == null ? 0 : model.parameterCount();
        } catch (RuntimeException closed) {
            return 0;
        }
    }

    private static Results.MemoryPeak peak(MemoryWatch watch) {
        MemoryWatch.Peak p = watch.stop();
        return new Results.MemoryPeak(p.rssBytes(), p.offHeapBytes(), p.sharedWith() > 1 ? Results.MemoryPeak.PROCESS : Results.MemoryPeak.RUN,
                p.sharedWith());
    }


    static String backend() {
        try {
            var env = Nd4j.getExecutioner().getEnvironmentInformation();
            return Nd4j.getBackend().getClass().getSimpleName() + " (blas " + env.getOrDefault("blas.vendor", "?")
                    + ", omp threads " + env.getOrDefault("omp.threads", "?") + ", blas threads " + CoreBudget.threads() + ", dtype "
                    + Nd4j.dataType().toString().toLowerCase(java.util.Locale.ROOT) + ")";
        } catch (RuntimeException | LinkageError e) {
            return "unknown (" + e + ")";
        }
    }
}

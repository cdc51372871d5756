package org.seqlab.experiments.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.seqlab.core.UserException;
import org.seqlab.optim.CoreBudget;
import org.seqlab.core.train.TrainingListener;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ConfigLocations;
import org.seqlab.experiments.ExperimentConfig;
import org.seqlab.experiments.ExperimentRunner;
import org.seqlab.core.Results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs an experiment's {@code sweep:}. Arbiter's generators (seeded) plan the trials up front, so
 * re-running the same command after a crash regenerates the same plan and runs exactly the trials
 * that {@code trials.jsonl} does not list yet: none is lost or run twice. Each trial is the
 * experiment with the trial's overrides, run by the ordinary {@link ExperimentRunner} into
 * {@code trials/trial-NNN/}; {@code workers} trials train at once. A trial whose values are
 * invalid, or that fails or diverges, is recorded and the sweep goes on.
 */
public final class SweepRunner {
    private final ConfigLoader.Loaded loaded;
    private final SweepConfig sweep;
    private final Path out;
    private final Consumer<String> console;
    /** The sweep's stopping rule (ASHA or the median rule), or null: judged here for every trial, wherever it trains. */
    private final StoppingRule rule;

    private final Catalogue catalogue;

    public SweepRunner(ConfigLoader.Loaded loaded, Path out, Consumer<String> console) {
        this(loaded, out, console, Catalogue.fromEnvironment(false));
    }

    /** @param catalogue the registry and cache that every trial's {@code data.source: NAME} resolves through */
    public SweepRunner(ConfigLoader.Loaded loaded, Path out, Consumer<String> console, Catalogue catalogue) {
        this.catalogue = catalogue;
        this.loaded = loaded;
        this.sweep = loaded.config().sweep();
        if (sweep == null) throw new UserException(loaded.file() + ": no sweep: section to run (see experiments/README.md)");
        this.rule = StoppingRule.of(sweep);
        this.out = out;
        this.console = console;
    }

    /** The planned trials' overrides, in order: a pure function of the sweep section. */
    public List<Map<String, Object>> plan() {
        OverridesSpace space = new OverridesSpace(sweep.parameters());
        CandidateGenerator gen;
        int planned = sweep.trials();
        if (sweep.generator() == SweepConfig.Generator.GRID) {
            GridSearchCandidateGenerator grid = new GridSearchCandidateGenerator(space, sweep.gridPoints(),
                    GridSearchCandidateGenerator.Mode.Sequential, new HashMap<>());
            planned = Math.min(planned, grid.getTotalNumCandidates());
            gen = grid;
        } else {
            gen = new RandomSearchGenerator(space, new HashMap<>());
            gen.setRngSeed(sweep.seed());
        }
        List<Map<String, Object>> plan = new ArrayList<>();
        for (int i = 0; i < planned && gen.hasMoreCandidates(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> v = (Map<String, Object>) gen.getCandidate().getValue();
            plan.add(new LinkedHashMap<>(v));
        }
        return plan;
    }

    /** Runs the sweep's missing trials on local worker threads ({@code workers} at a time). */
    public List<TrialLog.Trial> run() throws IOException {
        return run(null);
    }

    /**
     * Runs the sweep's missing trials through {@code remote} (e.g. Spark), or on local worker threads
     * when it is null: the same plan, resume and report, and this process alone writes
     * trials.jsonl, a line as each trial finishes. The stopping rule is judged here too: a remote
     * trial asks this process at each validation.
     */
    public List<TrialLog.Trial> run(TrialRunner remote) throws IOException {
        check();
        Files.createDirectories(out);
        TrialLog log = new TrialLog(out.resolve("trials.jsonl"));
        List<TrialLog.Trial> earlier = new ArrayList<>(log.readRepairing());
        earlier.sort(java.util.Comparator.comparingInt(TrialLog.Trial::trial));
        replay(earlier);
        ExecutorService pool = remote == null ? Executors.newFixedThreadPool(sweep.workers()) : null;
        // the cores shared among the trials that train at once here, set once for the whole sweep
        int atOnce = Math.max(1, Math.min(sweep.workers(), toRun(earlier)));
        CoreBudget.Share cores = remote == null ? CoreBudget.forTrials(atOnce) : null;
        long deadline = deadline();
        StoppingRule.Judge judge = rule == null ? null : rule::judge;
        Starter start = (trial, params, of) -> remote != null ? remote.submit(trial, params, of, judge)
                : java.util.concurrent.CompletableFuture.supplyAsync(() -> System.nanoTime() > deadline ? null
                        : runTrial(trial, params, of, judge), pool);
        String where = remote != null ? remote.where() : localWhere(atOnce, cores.threads());
        try {
            int planned = sweep.generator() == SweepConfig.Generator.GENETIC ? genetic(log, earlier, start, where, deadline)
                    : planned(log, earlier, start, where, deadline);
            List<TrialLog.Trial> trials = log.read();
            new SweepReport(loaded, sweep, trials, planned, where).write(out);
            return trials;
        } finally {
            if (pool != null) pool.shutdownNow();
            if (cores != null) cores.close();
        }
    }

    /** Trials this run will start: the plan's missing ones, or the genetic search's remaining number. */
    private int toRun(List<TrialLog.Trial> earlier) {
        if (sweep.generator() == SweepConfig.Generator.GENETIC) return Math.max(0, sweep.trials() - earlier.size());
        Set<Integer> done = new HashSet<>();
        for (TrialLog.Trial t : earlier) done.add(t.trial());
        int todo = 0;
        List<Map<String, Object>> plan = plan();
        for (int i = 0; i < plan.size(); i++) if (!done.contains(i)) todo++;
        return todo;
    }

    /** What the console and the report say about local workers: how the cores and the memory are shared. */
    private String localWhere(int atOnce, int threads) {
        return String.format(java.util.Locale.ROOT, "%d worker(s), %d at once: %d BLAS thread(s) each of this machine's %d core(s), "
                        + "and each trial's memory limit %s ÷ trials in flight", sweep.workers(), atOnce, threads, CoreBudget.CORES,
                org.seqlab.core.MemoryBudget.fromEnvironment().source());
    }

    /** Starts one trial where the sweep runs its trials; completes with its record, or null when it did not start (over budget). */
    private interface Starter {
        java.util.concurrent.CompletableFuture<TrialLog.Trial> start(int trial, Map<String, Object> params, int of);
    }

    /** Grid and random search: every missing trial of the plan, all started at once (local workers take them in turn). */
    private int planned(TrialLog log, List<TrialLog.Trial> earlier, Starter start, String where, long deadline) throws IOException {
        List<Map<String, Object>> plan = plan();
        Set<Integer> done = new HashSet<>();
        for (TrialLog.Trial t : earlier) done.add(t.trial());
        int todo = 0;
        for (int i = 0; i < plan.size(); i++) if (!done.contains(i)) todo++;
        console.accept(String.format("sweep %s: %d trials planned (%s search), %d finished earlier, %d to run on %s",
                loaded.config().name(), plan.size(), sweep.generator().name().toLowerCase(), plan.size() - todo, todo, where));
        List<java.util.concurrent.CompletableFuture<?>> running = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            if (done.contains(i)) continue;
            if (System.nanoTime() > deadline) break;                  // over budget: left for a later run
            running.add(start.start(i, plan.get(i), plan.size()).thenAccept(t -> record(log, t, plan.size())));
        }
        await(running);
        return plan.size();
    }

    /**
     * Genetic search: a candidate is drawn whenever one of {@code workers} slots is free and its
     * score is reported back when the trial ends. On resume, the finished trials are replayed into
     * the generator (in trial order) before the search goes on; their numbers are never reused.
     */
    private int genetic(TrialLog log, List<TrialLog.Trial> finished, Starter start, String where, long deadline) throws IOException {
        // at least 3: Arbiter breeds once the population reaches round(2/3 of its size), and with a
        // size of 2 that is one member, whose parent selection then loops for ever (measured: a hang)
        int population = Math.max(3, Math.min(10, sweep.trials() / 2));
        org.deeplearning4j.arbiter.optimize.generator.GeneticSearchCandidateGenerator gen =
                new org.deeplearning4j.arbiter.optimize.generator.GeneticSearchCandidateGenerator.Builder(new OverridesSpace(sweep.parameters()), new Minimise())
                        .populationModel(new org.deeplearning4j.arbiter.optimize.generator.genetic.population.PopulationModel.Builder()
                                .populationSize(population).build()).build();
        gen.setRngSeed(sweep.seed());
        for (TrialLog.Trial t : finished) report(gen, gen.getCandidate(), t.trial(), t.metric());
        int first = finished.isEmpty() ? 0 : finished.get(finished.size() - 1).trial() + 1;
        int todo = Math.max(0, sweep.trials() - finished.size());
        console.accept(String.format("sweep %s: %d trials planned (genetic search, population %d), %d finished earlier, %d to run on %s",
                loaded.config().name(), sweep.trials(), population, finished.size(), todo, where));
        java.util.concurrent.BlockingQueue<Object> ended = new java.util.concurrent.LinkedBlockingQueue<>();
        int running = 0, started = 0, limit = todo;
        try {
            while (started < limit || running > 0) {
                while (running < sweep.workers() && started < limit && System.nanoTime() < deadline) {
                    int trial = first + started++;
                    org.deeplearning4j.arbiter.optimize.api.Candidate c = null;
                    // Arbiter's genetic generator hands out a candidate without a value when it found no
                    // new child (its population's state depends on which trials finished first): ask again
                    for (int tries = 0; tries < 50 && (c == null || c.getValue() == null); tries++) {
                        synchronized (gen) {
                            c = gen.getCandidate();
                        }
                    }
                    if (c.getValue() == null) {
                        started--;
                        console.accept(String.format("sweep %s: the genetic search found no new candidate in 50 tries; stopping after %d trials",
                                loaded.config().name(), finished.size() + started));
                        limit = started;
                        break;
                    }
                    org.deeplearning4j.arbiter.optimize.api.Candidate candidate = c;
                    @SuppressWarnings("unchecked")
                    Map<String, Object> params = new LinkedHashMap<>((Map<String, Object>) c.getValue());
                    start.start(trial, params, first + todo).whenComplete((t, e) -> {
                        try {
                            if (e == null && t != null) {
                                record(log, t, first + todo);
                                synchronized (gen) {
                                    report(gen, candidate, trial, t.metric());
                                }
                            }
                            ended.add(e == null ? Boolean.TRUE : e);
                        } catch (RuntimeException failed) {
                            ended.add(failed);
                        }
                    });
                    running++;
                }
                if (running == 0) break;                      // over the wall-clock budget
                Object r = ended.take();
                running--;
                if (r instanceof Throwable failed) throw couldNotRun(failed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("sweep interrupted", e);
        }
        return sweep.trials();
    }

    /** Appends a finished trial's line (once) and says so on the console; null: it did not start. */
    private void record(TrialLog log, TrialLog.Trial t, int of) {
        if (t == null) return;
        try {
            log.append(t);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        console.accept(consoleLine(t, of));
    }

    /** Waits for every trial; the first that could not be run stops the sweep with its cause. */
    private static void await(List<java.util.concurrent.CompletableFuture<?>> running) throws IOException {
        try {
            java.util.concurrent.CompletableFuture.allOf(running.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw couldNotRun(e);
        }
    }

    /**
     * Why a trial could not be run, unwrapped from the futures it travelled in: an input or
     * file-system problem as itself (one line, exit 2), anything else as an IOException.
     */
    private static IOException couldNotRun(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) cause = cause.getCause();
        if (cause instanceof UserException u) throw u;
        if (cause instanceof java.io.UncheckedIOException u) return u.getCause();
        if (cause instanceof RuntimeException r && org.seqlab.experiments.FileProblem.describe(r) != null) throw r;
        return new IOException("a trial could not be run: " + cause, cause);
    }

    /** What the console says when a trial finishes. */
    String consoleLine(TrialLog.Trial t, int of) {
        String head = String.format("trial-%03d (%d of %d) %s: ", t.trial(), t.trial() + 1, of, describe(t.params()));
        if (t.metric() == null && "failed".equals(t.status())) return head + "failed: " + t.error();
        return head + t.status() + " -> " + (t.metric() == null ? String.valueOf(t.error())
                : String.format("%s %.4f (%.0f s)", sweep.metric().name().toLowerCase(), t.metric(), t.seconds() == null ? 0.0 : t.seconds()));
    }

    /**
     * Runs one trial into this runner's directory ({@code trials/trial-NNN}) and returns its record,
     * without writing trials.jsonl: what a remote worker does with a trial it was sent.
     *
     * @param judge the sweep's stopping rule as the remote worker reaches it, or null for none
     */
    public TrialLog.Trial runOne(int trial, Map<String, Object> params, int of, StoppingRule.Judge judge) {
        return runTrial(trial, params, of, judge);
    }

    /**
     * Checks the search space before any trial runs (and before anything is written), for every
     * generator: each parameter path must name a key of the experiment, and each value it can take
     * (every discrete value, both bounds of a range) must pass the same field checks as a run. A
     * value is refused when it fails on its own key with the rest of the file as written; a
     * failure that only a combination of values causes stays the trial's own.
     */
    public void check() {
        sweep.parameters().forEach((path, spec) -> {
            for (Object value : spec.extremes()) {
                ObjectNode tree = loaded.tree().deepCopy();
                ConfigLocations where = loaded.locations().copy();
                String place = where.placeOf("sweep.parameters." + path) + ": sweep.parameters." + path + " (the value " + value + ")";
                ConfigLoader.set(tree, path, ConfigLoader.MAPPER.valueToTree(value), place, where);
                tree.remove("sweep");
                try {
                    ConfigLoader.bind(tree, where);
                } catch (UserException bad) {
                    if (bad.getMessage().contains("unknown key") || bad.getMessage().contains(" " + path + ": ")) throw bad;
                }
            }
        });
    }

    private long deadline() {
        return sweep.maxSeconds() > 0 ? System.nanoTime() + (long) (sweep.maxSeconds() * 1e9) : Long.MAX_VALUE;
    }

    /** Minimisation, for Arbiter's genetic generator (scores come from the trials, not from it). */
    private static final class Minimise implements org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction {
        @Override public double score(Object m, org.deeplearning4j.arbiter.optimize.api.data.DataProvider d, Map<String, Object> p) { throw new UnsupportedOperationException(); }
        @Override public double score(Object m, Class<? extends org.deeplearning4j.arbiter.optimize.api.data.DataSource> d, java.util.Properties p) { throw new UnsupportedOperationException(); }
        @Override public boolean minimize() { return true; }
        @Override public List<Class<?>> getSupportedModelTypes() { return List.of(Object.class); }
        @Override public List<Class<?>> getSupportedDataTypes() { return List.of(Object.class); }
    }

    private static void report(org.deeplearning4j.arbiter.optimize.generator.GeneticSearchCandidateGenerator gen,
                               org.deeplearning4j.arbiter.optimize.api.Candidate c, int trial, Double metric) {
        double score = metric == null || !Double.isFinite(metric) ? 1e30 : metric;   // failed trials are unfit, not lost
        long now = System.currentTimeMillis();
        org.deeplearning4j.arbiter.optimize.runner.CandidateInfo info = new org.deeplearning4j.arbiter.optimize.runner.CandidateInfo(
                trial, org.deeplearning4j.arbiter.optimize.runner.CandidateStatus.Complete, score, now, now, now, c.getFlatParameters(), null);
        gen.reportResults(new org.deeplearning4j.arbiter.optimize.api.OptimizationResult(c, score, trial, null, info, null));
    }

    /**
     * On resume, the finished trials' learning curves ({@code finished}, in trial order) are fed to
     * the stopping rule again (their own verdicts were taken then), so that the trials still to run
     * are judged against the same records as in a sweep that was never interrupted.
     */
    private void replay(List<TrialLog.Trial> finished) {
        if (rule == null) return;
        for (TrialLog.Trial t : finished) {
            if (t.out() == null) continue;
            Path file = out.resolve(t.out()).resolve("results.json");
            if (!Files.isRegularFile(file)) continue;
            try {
                org.seqlab.core.Results r = org.seqlab.core.Results.read(file);
                if (r.runs().isEmpty() || r.runs().get(0).curve() == null) continue;
                TrainingListener judged = StoppingRule.listener(t.trial(), rule::judge);
                judged.onStart(r.runs().get(0).model(), 0);
                for (org.seqlab.core.train.EpochRecord p : r.runs().get(0).curve()) judged.stopAfter(p);
            } catch (UserException unreadable) {
                console.accept("trial-" + t.trial() + ": its results.json is unreadable; the stopping rule goes on without its curve");
            }
        }
    }

    private TrialLog.Trial runTrial(int trial, Map<String, Object> params, int of, StoppingRule.Judge judge) {
        String name = String.format("trial-%03d", trial);
        long start = System.nanoTime();
        try {
            ObjectNode tree = loaded.tree().deepCopy();
            ConfigLocations where = loaded.locations().copy();
            for (Map.Entry<String, Object> e : params.entrySet())
                ConfigLoader.set(tree, e.getKey(), ConfigLoader.MAPPER.valueToTree(e.getValue()),
                        "sweep trial " + trial + " (" + e.getKey() + "=" + e.getValue() + ")", where);
            tree.remove("sweep");
            tree.set("name", TextNode.valueOf(name));
            ExperimentConfig cfg = ConfigLoader.bind(tree, where);
            TrainingListener stopping = judge == null ? TrainingListener.SILENT : StoppingRule.listener(trial, judge);
            ExperimentRunner.Console quiet = new ExperimentRunner.Console() {
                @Override public void info(String line) {}
                @Override public TrainingListener listener() { return stopping; }
            };
            Path dir = out.resolve("trials").resolve(name);
            Results r = new ExperimentRunner(new ConfigLoader.Loaded(cfg, loaded.file(), where, tree), dir, quiet, false,
                    "seqlab sweep " + loaded.file() + " (" + name + ")", catalogue).run();
            Results.Run first = r.runs().get(0);
            Double metric = first.metrics() == null ? null : sweep.metric() == SweepConfig.Metric.VALID_LOSS
                    ? first.metrics().validLoss() : first.metrics().validPerplexity();
            Map<String, Object> metrics = first.metrics() == null ? Map.of()
                    : ConfigLoader.MAPPER.convertValue(first.metrics(), new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
            String status = metric != null || "diverged".equals(first.status()) ? first.status() : "failed";
            double secs = (System.nanoTime() - start) / 1e9;
            String bug = first.errorLog() == null ? null : out.relativize(dir.resolve(first.errorLog())).toString();
            return new TrialLog.Trial(trial, params, status, metric, metrics, secs, first.message(), out.relativize(dir).toString(), bug);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);   // the disk's failure, not the trial's: the sweep stops, the trial runs again
        } catch (org.seqlab.core.MemoryWatch.MemoryBudgetExceeded e) {
            double secs = (System.nanoTime() - start) / 1e9;   // this trial's own failure: the others go on
            return new TrialLog.Trial(trial, params, "failed", null, Map.of(), secs, "memory: " + e.getMessage(), null);
        } catch (UserException | IllegalArgumentException | IllegalStateException e) {
            org.seqlab.experiments.FileProblem.rethrowIfAny(e);
            double secs = (System.nanoTime() - start) / 1e9;
            return new TrialLog.Trial(trial, params, "failed", null, Map.of(), secs, e.getMessage(), null);
        } catch (RuntimeException e) {
            org.seqlab.experiments.FileProblem.rethrowIfAny(e);
            // a bug outside any model's run: the trial fails with its trace on disk, the sweep goes on and exits 1
            Path file = out.resolve("trials").resolve(name + ".log");
            try {
                org.seqlab.experiments.StackTraceLog.write(file, name, e);
            } catch (IOException disk) {
                throw new java.io.UncheckedIOException(disk);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            return new TrialLog.Trial(trial, params, "failed", null, Map.of(), secs,
                    "internal error: " + e + " (stack trace in " + out.relativize(file) + ")", null, out.relativize(file).toString());
        }
    }

    static String describe(Map<String, Object> params) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : params.entrySet())
            parts.add(e.getKey() + "=" + (e.getValue() instanceof Double d ? String.format("%.4g", d) : e.getValue()));
        return String.join(", ", parts);
    }
}

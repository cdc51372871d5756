package org.seqlab.experiments.cli;

import org.seqlab.experiments.bench.BenchRecord;
import org.seqlab.experiments.bench.BenchReport;
import org.seqlab.experiments.bench.HandRolledBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", description = "Speed benchmarks against the peer scripts in ../shared/bench (run one after the other).",
        subcommands = {BenchCommand.HandRolled.class, BenchCommand.Lstm.class, BenchCommand.Memory.class,
                BenchCommand.Music.class, BenchCommand.Parity.class, BenchCommand.Sweep.class, BenchCommand.Transformer.class,
                BenchCommand.Twins.class, BenchCommand.Report.class})
final class BenchCommand implements Runnable {
    /** {@code f} when it is a file, else a user error saying what was looked for. */
    static Path existing(Path f, String what) {
        if (!java.nio.file.Files.isRegularFile(f))
            throw new org.seqlab.core.UserException(f + ": " + what + " not found (give one with --file)");
        return f;
    }

    static void atLeastOne(String option, long value) {
        if (value < 1) throw new org.seqlab.core.UserException(option + ": must be >= 1, got " + value);
    }

    static void positive(String option, double value) {
        if (!(value > 0)) throw new org.seqlab.core.UserException(option + ": must be > 0, got " + value);
    }

    /** The corpus a bench reads: --file when given (it must be a file), else its default. */
    static Path corpus(Path file) throws java.io.IOException {
        return file != null ? existing(file, "char corpus") : HandRolledBench.defaultCorpus();
    }

    /** The same, in words, for a dry run (the default is made only when the bench runs). */
    static String corpusText(Path file) {
        return "corpus " + (file != null ? existing(file, "char corpus") : "../shared/datasets/dinos.txt, else the embedded names");
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a benchmark: handrolled, lstm, memory, music, parity, sweep, transformer or twins (or report)");
    }

    /**
     * Runs a bench, printing as it goes, and keeps what it measured as a record under
     * {@code reports/bench/} (when run through the launcher) for {@code seqlab bench report}.
     */
    static int recorded(CommandSpec spec, BenchRecord.Body body) throws Exception {
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        String javaOptions = System.getenv("SEQLAB_JAVA_OPTS");
        String command = (javaOptions == null || javaOptions.isBlank() ? "" : "SEQLAB_JAVA_OPTS=" + org.seqlab.experiments.bench.Peer.shellWord(javaOptions) + " ")
                + "./seqlab " + args.stream().map(org.seqlab.experiments.bench.Peer::shellWord)
                .collect(java.util.stream.Collectors.joining(" "));
        BenchRecord.capture(spec.name(), command, System.out, BenchRecord.directory(), body);
        return 0;
    }

    /** {@link #recorded}, with every core for the one model in training at a time, as a single run has them. */
    static int recordedOnAllCores(CommandSpec spec, BenchRecord.Body body) throws Exception {
        return recorded(spec, out -> {
            try (var cores = org.seqlab.optim.CoreBudget.forTrials(1)) {
                body.run(out);
            }
        });
    }

    @Command(name = "report", description = "Writes the results page (docs/results.md) from the latest record of each bench under "
            + "reports/bench/ and the shipped experiments' results.json under reports/<name>/.")
    static final class Report implements Callable<Integer> {
        @Option(names = "--out", description = "the page to write (default docs/results.md of the project)")
        Path out;

        @Override
        public Integer call() throws Exception {
            Path root = org.seqlab.experiments.bench.Peer.projectRoot();
            Path page = out != null ? out : root.resolve("docs").resolve("results.md");
            new BenchReport(root).write(page);
            System.out.println("results page: " + page);
            return 0;
        }
    }

    @Command(name = "handrolled", description = "Hand-rolled vanilla RNN (hidden 100, seq 25) vs NumPy min_char_rnn.py; prints handrolled_vs_numpy_chars_per_s_ratio last.")
    static final class HandRolled implements Callable<Integer>, DryRun {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", description = "char corpus (default ../shared/datasets/dinos.txt, else the embedded names)")
        Path file;

        @Option(names = "--seconds", defaultValue = "30", description = "wall time of each measurement (default ${DEFAULT-VALUE})")
        double seconds;

        @Option(names = "--batch", defaultValue = "128", description = "sequences per batch for seqlab (default ${DEFAULT-VALUE})")
        int batch;

        @Override
        public List<String> check(Path workDir) {
            positive("--seconds", seconds);
            atLeastOne("--batch", batch);
            return List.of(corpusText(file));
        }

        @Override
        public Integer call() throws Exception {
            check(Path.of(""));
            Path f = corpus(file);
            return recorded(spec, out -> new HandRolledBench(f, seconds, batch, out).run());
        }
    }

    @Command(name = "music", description = "Best frame model vs PyTorch torch_poly.py on piano rolls for the same wall time; prints music_vs_torch_test_nll_delta last.")
    static final class Music implements Callable<Integer>, DryRun {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", description = "piano-roll JSON (default ../shared/datasets/nottingham.json)")
        Path file;

        @Option(names = "--seconds", defaultValue = "900", description = "wall time of each side (default ${DEFAULT-VALUE})")
        double seconds;

        private Path rolls(Path home) {
            positive("--seconds", seconds);
            return existing(file != null ? file : home.toAbsolutePath().getParent().resolve("shared").resolve("datasets").resolve("nottingham.json"),
                    "piano-roll file");
        }

        @Override
        public List<String> check(Path workDir) {
            return List.of("piano rolls " + rolls(Main.home(workDir)));
        }

        @Override
        public Integer call() throws Exception {
            Path f = rolls(org.seqlab.experiments.bench.Peer.projectRoot());
            return recordedOnAllCores(spec, out -> new org.seqlab.experiments.bench.MusicBench(f, seconds, out).run());
        }
    }

    @Command(name = "lstm", description = "DL4J LSTM and the hand-rolled LSTM (2x256, batch 32, seq 100) vs PyTorch torch_char.py lstm, "
            + "best of --repeats runs per side; prints handrolled_lstm_vs_torch_tokens_per_s_ratio, then lstm_vs_torch_tokens_per_s_ratio last.")
    static final class Lstm implements Callable<Integer>, DryRun {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", description = "char corpus (default ../shared/datasets/dinos.txt, else the embedded names)")
        Path file;

        @Option(names = "--seconds", defaultValue = "20", description = "wall time of each measurement (default ${DEFAULT-VALUE})")
        double seconds;

        @Option(names = "--repeats", defaultValue = "3", description = "measurements per side; the best counts (default ${DEFAULT-VALUE})")
        int repeats;

        @Option(names = "--no-peer", description = "seqlab's side only, no ratio (e.g. to compare SEQLAB_JAVA_OPTS=-Dseqlab.kernels=nd4j)")
        boolean noPeer;

        @Override
        public List<String> check(Path workDir) {
            atLeastOne("--repeats", repeats);
            positive("--seconds", seconds);
            return List.of(corpusText(file));
        }

        @Override
        public Integer call() throws Exception {
            check(Path.of(""));
            Path f = corpus(file);
            return recordedOnAllCores(spec, out -> new org.seqlab.experiments.bench.LstmBench(f, seconds, repeats, !noPeer, out).run());
        }
    }

    @Command(name = "transformer", description = "the transformer (4 layers, 4 heads, 128 wide, context 64, batch 12; fused engine, and the SameDiff graph for seed 1) vs the same model in PyTorch (peers/torch_gpt.py) for the same iterations, seeds 1..N; prints the mean validation-loss delta and transformer_vs_torch_tokens_per_s_ratio last.")
    static final class Transformer implements Callable<Integer>, DryRun {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", description = "char corpus (default ../shared/datasets/dinos.txt, else the embedded names)")
        Path file;

        @Option(names = "--iters", defaultValue = "500", description = "training iterations of each side (default ${DEFAULT-VALUE})")
        int iters;

        @Option(names = "--seconds", defaultValue = "600", description = "wall-time cap of each side (default ${DEFAULT-VALUE})")
        double seconds;

        @Option(names = "--seeds", defaultValue = "3", description = "seeds 1..N for each side; losses are compared as means (default ${DEFAULT-VALUE})")
        int seeds;

        @Option(names = "--no-peer", description = "seqlab's side only, no ratio (e.g. to compare SEQLAB_JAVA_OPTS=-Dseqlab.kernels=nd4j)")
        boolean noPeer;

        @Override
        public List<String> check(Path workDir) {
            atLeastOne("--seeds", seeds);
            atLeastOne("--iters", iters);
            positive("--seconds", seconds);
            return List.of(corpusText(file));
        }

        @Override
        public Integer call() throws Exception {
            check(Path.of(""));
            Path f = corpus(file);
            return recordedOnAllCores(spec, out -> new org.seqlab.experiments.bench.TransformerBench(f, iters, seconds, seeds, !noPeer, out).run());
        }
    }

    @Command(name = "twins", description = "The hand-rolled LSTM and the DL4J LSTM (2x256, batch 32 x 100, Adam 2e-3, clip 5) from the same "
            + "starting weights on the same batches, --seconds of training each, validated at the same steps, without dropout and with "
            + "dropout 0.2, seeds 1..N; prints twins_no_dropout_max_gap= and twins_dropout_0_2_max_gap= (largest gap between the mean validation curves) and twins_max_gap= last.")
    static final class Twins implements Callable<Integer>, DryRun {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", description = "char corpus (default: the registry's tiny-shakespeare, 1.1 MB of plays)")
        Path file;

        @Option(names = "--seconds", defaultValue = "60", description = "training time of each model (default ${DEFAULT-VALUE})")
        double seconds;

        @Option(names = "--seeds", defaultValue = "3", description = "seeds 1..N per setting; curves are compared as means (default ${DEFAULT-VALUE})")
        int seeds;

        @Option(names = "--hidden", defaultValue = "256", description = "units per layer (default ${DEFAULT-VALUE})")
        int hidden;

        @Option(names = "--layers", defaultValue = "2", description = "LSTM layers (default ${DEFAULT-VALUE})")
        int layers;

        @Option(names = "--batch", defaultValue = "32", description = "sequences per batch (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--seq", defaultValue = "100", description = "steps per window (default ${DEFAULT-VALUE})")
        int seq;

        @Option(names = "--eval-every", defaultValue = "25", description = "validate after every multiple of this many steps (default ${DEFAULT-VALUE})")
        int evalEvery;

        @Option(names = "--init", description = "training.init scheme: small_output (default), pytorch or xavier")
        String init;

        private org.seqlab.core.InitScheme scheme() {
            for (var o : java.util.Map.of("--seeds", seeds, "--hidden", hidden, "--layers", layers, "--batch", batch, "--seq", seq,
                    "--eval-every", evalEvery).entrySet())
                atLeastOne(o.getKey(), o.getValue());
            positive("--seconds", seconds);
            if (init == null) return org.seqlab.core.InitScheme.DEFAULT;
            try {
                return org.seqlab.core.InitScheme.valueOf(init.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new org.seqlab.core.UserException("--init: unknown scheme '" + init + "' (small_output, pytorch or xavier)");
            }
        }

        /** The options; --file when given (the default corpus is a registry dataset, fetched when the bench runs). */
        @Override
        public List<String> check(Path workDir) {
            scheme();
            return List.of(file != null ? "corpus " + existing(file, "char corpus") : "corpus tiny-shakespeare (the registry's, fetched on first use)");
        }

        @Override
        public Integer call() throws Exception {
            org.seqlab.core.InitScheme init = scheme();
            Path f = file != null ? existing(file, "char corpus") : org.seqlab.experiments.bench.TwinsBench.defaultCorpus();
            return recordedOnAllCores(spec, out -> new org.seqlab.experiments.bench.TwinsBench(f, hidden, layers, batch, seq, evalEvery, seconds, seeds, init, out).run());
        }
    }

    @Command(name = "parity", description = "Every family against its PyTorch twin (peers/parity_twin.py), step for step in float64: AdamW, clipping, warmup + cosine; prints parity_<case>_max_rel_loss_diff= per case and parity_max_rel_loss_diff= last.")
    static final class Parity implements Callable<Integer>, DryRun {
        @Spec
        CommandSpec spec;

        @Option(names = "--steps", defaultValue = "200", description = "training steps of each side (default ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--only", description = "compare only the cases whose name contains this (e.g. dl4j, transformer)")
        String only;

        @Override
        public List<String> check(Path workDir) {
            atLeastOne("--steps", steps);
            return List.of(steps + " steps a case" + (only == null ? "" : ", cases containing '" + only + "'"));
        }

        @Override
        public Integer call() throws Exception {
            check(Path.of(""));
            return recordedOnAllCores(spec, out -> new org.seqlab.experiments.bench.ParityBench(steps, only, out).run());
        }
    }

    @Command(name = "memory", description = "Every model of experiments/nottingham.yaml for 120 s each in one JVM; prints each model's peak resident memory and peak_rss_gb last.")
    static final class Memory implements Callable<Integer>, DryRun {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", description = "experiment file (default experiments/nottingham.yaml)")
        Path file;

        @Option(names = "--seconds", defaultValue = "120", description = "training budget of each model (default ${DEFAULT-VALUE})")
        double seconds;

        private Path experiment(Path root) {
            positive("--seconds", seconds);
            return existing(file != null ? file : root.resolve("experiments").resolve("nottingham.yaml"), "experiment file");
        }

        @Override
        public List<String> check(Path workDir) {
            Path f = experiment(Main.home(workDir));
            var loaded = org.seqlab.experiments.ConfigLoader.load(f, List.of());
            return List.of(f + " loads (models: " + String.join(", ", loaded.config().models().stream().map(m -> m.name()).toList()) + ")");
        }

        @Override
        public Integer call() throws Exception {
            Path f = experiment(org.seqlab.experiments.bench.Peer.projectRoot());
            return recorded(spec, out -> new org.seqlab.experiments.bench.MemoryBench(f, seconds, out).run());
        }
    }

    @Command(name = "sweep", description = "One sweep of small hand-rolled LSTMs on one local worker (all the cores), on two (the cores split), then as Spark tasks "
            + "(local[2]); prints the BLAS threads per trial, the tasks' overheads, an estimate for 8, 32 and 128 executors, "
            + "local_2workers_vs_serial_trials_per_hour_ratio and spark_local2_vs_serial_trials_per_hour_ratio last.")
    static final class Sweep implements Callable<Integer>, LaunchNeeds.SparkUser, DryRun {
        @Spec
        CommandSpec spec;

        @Override
        public boolean needsSpark() {
            return true;
        }

        @Option(names = "--file", description = "char corpus (default ../shared/datasets/dinos.txt, else the embedded names)")
        Path file;

        @Option(names = "--trials", defaultValue = "8", description = "trials of the sweep (default ${DEFAULT-VALUE})")
        int trials;

        @Option(names = "--epochs", defaultValue = "14", description = "epochs of each trial, about 20 s here on dinos.txt (default ${DEFAULT-VALUE})")
        int epochs;

        @Option(names = "--master", defaultValue = "local[2]", description = "Spark master of the second run (default ${DEFAULT-VALUE})")
        String master;

        @Override
        public List<String> check(Path workDir) {
            atLeastOne("--trials", trials);
            atLeastOne("--epochs", epochs);
            try {
                org.seqlab.experiments.sweep.SparkMaster.check(master);
            } catch (org.seqlab.core.FieldException e) {
                throw new org.seqlab.core.UserException("--master " + master + ": " + e.reason());
            }
            return List.of(corpusText(file), "--master " + master + " is a master URL");
        }

        @Override
        public Integer call() throws Exception {
            check(Path.of(""));
            Path f = corpus(file);
            Class<?> bench = SweepCommand.sparkClass("SweepBench", "bench sweep");
            return recorded(spec, out -> {
                Object b = bench.getConstructor(Path.class, int.class, int.class, String.class, java.io.PrintStream.class)
                        .newInstance(f, trials, epochs, master, out);
                try {
                    bench.getMethod("run").invoke(b);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            });
        }
    }
}

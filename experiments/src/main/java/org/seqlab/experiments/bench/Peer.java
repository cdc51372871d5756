package org.seqlab.experiments.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.optim.CoreBudget;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer benchmark script from {@code ../shared/bench/}, run as a child process after seqlab's own
 * measurement (never at the same time). A missing interpreter or package is reported, never
 * papered over with an invented number.
 */
public final class Peer {
    /**
     * What a peer run gave: the number we compare against (null: none, see problem), its last output
     * line, all it printed, the threads it ran at and the shell line that repeats it by hand.
     */
    public record Outcome(Double value, String line, String output, String problem, Threads threads, String shellLine) {}

    private Peer() {}

    /** The project root: set by the launcher, else the working directory. */
    public static Path projectRoot() {
        String home = System.getenv("SEQLAB_HOME");
        return home != null ? Path.of(home) : Path.of("").toAbsolutePath();
    }

    public static Path sharedDir() {
        return projectRoot().toAbsolutePath().getParent().resolve("shared");
    }

    /**
     * The first of {@code python3} (on the PATH) and {@code /usr/bin/python3} (where Debian's
     * packages, e.g. python3-torch, install) that can import {@code modules}; null when none can.
     */
    public static String interpreter(String... modules) {
        for (String py : List.of("python3", "/usr/bin/python3"))
            if (missingPython(py, modules) == null) return py;
        return null;
    }

    /**
     * A python3 with a PyTorch fit to be a peer, or null after saying on {@code out} why there is
     * none (no PyTorch, or one on a reference BLAS), so that a benchmark prints its own figures and
     * never a ratio against a missing or crippled peer.
     */
    public static String torch(PrintStream out, Path script) {
        String name = script.getFileName().toString();
        String python = interpreter("torch");
        if (python == null) {
            out.println("peer " + name + " not run: no python3 with torch (run ../shared/bench/setup-peers.sh); seqlab figures only");
            return null;
        }
        double torch = torchGflops(python), nd4j = nd4jGflops();
        if (!(torch >= nd4j / 3)) {
            out.printf(Locale.ROOT, "peer %s not run: its PyTorch multiplies 1024x1024 matrices at %.1f GFLOP/s, against %.1f "
                    + "for ND4J here just now (reference BLAS?); a ratio against a crippled peer would mislead (install libopenblas0-pthread)%n",
                    name, torch, nd4j);
            return null;
        }
        return python;
    }

    /** A script of {@code ../shared/bench}. */
    public static Path sharedScript(String name) {
        return sharedDir().resolve("bench").resolve(name);
    }

    /**
     * Times a PyTorch peer at every thread setting ({@link #SETTINGS}), {@code repeats} runs each,
     * one after the other, printing every run with its setting; returns the fastest run by
     * {@code speed} (higher is faster), or null after saying why there is none. The caller compares
     * against it and prints its {@link Outcome#shellLine()}.
     */
    public static Outcome fastest(PrintStream out, String python, Path script, List<String> args, String key, long timeoutSeconds,
                                  int repeats, ToDoubleFunction<Outcome> speed) {
        Outcome best = null;
        for (Threads t : SETTINGS)
            for (int i = 1; i <= repeats; i++) {
                Outcome o = run(python, script, args, key, timeoutSeconds, t);
                if (o.problem() != null) {
                    out.println("peer " + script.getFileName() + " (" + t.label() + "): " + o.problem() + "; seqlab figures only");
                    return null;
                }
                out.printf(Locale.ROOT, "peer %s, %s, run %d: %s%n", script.getFileName(), t.label(), i, o.line());
                if (best == null || speed.applyAsDouble(o) > speed.applyAsDouble(best)) best = o;
            }
        out.printf(Locale.ROOT, "peer at its fastest setting: %s (by hand, from your shell: %s)%n", best.threads().label(), best.shellLine());
        return best;
    }

    /**
     * How fast this PyTorch multiplies 1024x1024 float matrices in the peer's environment, on one
     * thread as {@link #nd4jGflops} (GFLOP/s; NaN when it cannot). A reference BLAS is about ten
     * times slower than OpenBLAS; this machine's own speed varies several-fold from minute to minute,
     * so the figure is judged against ND4J's, measured just after it ({@link #nd4jGflops}), never
     * against a fixed bar.
     */
    public static double torchGflops(String python) {
        String code = "import time,torch\ntorch.set_num_threads(1)\na=torch.randn(1024,1024);b=torch.randn(1024,1024);a@b\n"
                + "t=time.time()\nfor _ in range(10): a@b\nprint('gflops=%.1f' % (10*2*1024**3/(time.time()-t)/1e9))";
        Answer a = python(python, code, 120, new Threads(1, 1));
        Matcher m = Pattern.compile("gflops=([0-9.]+)").matcher(a.output());
        return a.problem() == null && m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /**
     * The same product in ND4J on one BLAS thread (GFLOP/s), as PyTorch's is timed: like with like,
     * so that only a slow BLAS fails the check.
     */
    public static double nd4jGflops() {
        INDArray a = Nd4j.randn(DataType.FLOAT, 1024, 1024), b = Nd4j.randn(DataType.FLOAT, 1024, 1024),
                c = Nd4j.create(DataType.FLOAT, 1024, 1024);
        try (CoreBudget.Share one = CoreBudget.withThreads(1)) {
            Nd4j.gemm(a, b, c, false, false, 1, 0);
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) Nd4j.gemm(a, b, c, false, false, 1, 0);
            return 10 * 2.0 * Math.pow(1024, 3) / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }
    }

    /** Checks that {@code python} can import {@code modules}; returns null when it can, else why not. */
    public static String missingPython(String python, String... modules) {
        Answer a = python(python, "import " + String.join(", ", modules), 60, null);
        return a.ok() ? null : a.problem() != null ? a.problem()
                : "python3 cannot import " + String.join(", ", modules) + ": " + a.lastLine();
    }

    /** What {@code python -c code} printed (stdout and stderr), and whether it exited 0; problem: why it could not run. */
    record Answer(boolean ok, String output, String problem) {
        String lastLine() {
            return output.strip().lines().reduce((a, b) -> b).orElse("");
        }
    }

    /** Runs {@code python -c code} with a time limit in the peer's environment at {@code threads} (null: the shell's). */
    static Answer python(String python, String code, long timeoutSeconds, Threads threads) {
        try {
            Process p = inPeerEnvironment(new ProcessBuilder(python, "-c", code).redirectErrorStream(true), threads).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Answer(false, out, "python3 did not answer");
            }
            return new Answer(p.exitValue() == 0, out, null);
        } catch (IOException e) {
            return new Answer(false, "", "python3 not found");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(false, "", "interrupted");
        }
    }

    /** Where the launcher records what it changed in the user's environment (see the {@code seqlab} script). */
    static final String SHELL_DIFF = "SEQLAB_SHELL_DIFF";
    /** The variables a peer's thread setting owns. */
    static final List<String> THREAD_VARIABLES = List.of("PEER_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS");

    /**
     * A peer's threads: PyTorch's intra-op threads (the scripts read {@code PEER_THREADS}) and its
     * OpenBLAS threads. PyTorch is fastest here at one and two, the split seqlab uses too
     * (element-wise work on one thread, products on two), but a peer is timed at every setting
     * ({@link #SETTINGS}) and compared at its best.
     */
    public record Threads(int intraOp, int blas) {
        public String label() {
            return "intra-op " + intraOp + ", BLAS " + blas;
        }

        /** The variables that make a PyTorch script run at this setting, in the order a shell line shows them. */
        Map<String, String> variables() {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("PEER_THREADS", String.valueOf(intraOp));
            v.put("OMP_NUM_THREADS", String.valueOf(blas));
            v.put("OPENBLAS_NUM_THREADS", String.valueOf(blas));
            return v;
        }
    }

    /** The thread settings a peer is timed at: intra-op threads 1 or 2, BLAS threads 1 or 2. */
    public static final List<Threads> SETTINGS = List.of(new Threads(1, 1), new Threads(1, 2), new Threads(2, 1), new Threads(2, 2));

    /**
     * The peer's environment: the one the user's shell had before the launcher changed it, so that a
     * peer runs as it would by hand (the launcher's glibc settings for the JVM, MALLOC_MMAP_THRESHOLD_
     * above all, cost PyTorch 40% of its speed), with two exceptions: the OpenBLAS kernels the
     * launcher named (PyTorch's OpenBLAS 0.3.21 falls back to SSE3 Prescott kernels on this CPU
     * too: 27 against 203 GFLOP/s) and {@code threads} (null: the shell's own). Without a launcher
     * (tests, an IDE) the JVM's environment is the user's.
     */
    static Map<String, String> peerEnvironment(Map<String, String> jvm, Threads threads) {
        Map<String, String> env = new TreeMap<>(jvm);
        String diff = env.remove(SHELL_DIFF);
        if (diff != null && !diff.isEmpty())
            for (String entry : new String(Base64.getDecoder().decode(diff), StandardCharsets.UTF_8).split("\0")) {
                if (entry.startsWith("-")) env.remove(entry.substring(1));
                else if (entry.indexOf('=') > 0) env.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
            }
        String kernels = jvm.get("OPENBLAS_CORETYPE");
        if (kernels != null) env.put("OPENBLAS_CORETYPE", kernels);
        env.remove("OPENBLAS_L2_SIZE");       // a cache size tuned for another library build
        if (threads != null) env.putAll(threads.variables());
        return env;
    }

    private static ProcessBuilder inPeerEnvironment(ProcessBuilder pb, Threads threads) {
        Map<String, String> env = pb.environment();
        Map<String, String> peer = peerEnvironment(env, threads);
        env.clear();
        env.putAll(peer);
        return pb;
    }

    /**
     * One shell line that runs {@code python script args} as the bench ran it, from the user's own
     * shell: the exceptions of {@link #peerEnvironment} written out, nothing else.
     */
    public static String shellLine(String python, Path script, List<String> args, Threads threads) {
        List<String> words = new ArrayList<>();
        String kernels = System.getenv("OPENBLAS_CORETYPE");
        if (kernels != null) words.add("OPENBLAS_CORETYPE=" + shellWord(kernels));
        if (threads != null) threads.variables().forEach((k, v) -> words.add(k + "=" + v));
        words.add(shellWord(python));
        words.add(shellWord(script.toAbsolutePath().normalize().toString()));
        for (String a : args) words.add(shellWord(a));
        return String.join(" ", words);
    }

    /** {@code s} as one word of a shell line: as it is when nothing in it is special to a shell, else single-quoted. */
    public static String shellWord(String s) {
        return s.matches("[A-Za-z0-9_./:=+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Runs {@code python script args...} in {@link #peerEnvironment the peer's environment} at
     * {@code threads} (null: the shell's own) and extracts the last {@code key=<number>} of its output.
     */
    public static Outcome run(String python, Path script, List<String> args, String key, long timeoutSeconds, Threads threads) {
        String shellLine = shellLine(python, script, args, threads);
        if (!Files.isRegularFile(script)) return new Outcome(null, null, "", "peer script " + script + " not found", threads, shellLine);
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(args);
        try {
            Process p = inPeerEnvironment(new ProcessBuilder(cmd).redirectErrorStream(true), threads).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Outcome(null, null, out, "peer timed out", threads, shellLine);
            }
            String last = out.strip().lines().reduce((x, y) -> y).orElse("");
            Matcher m = Pattern.compile(Pattern.quote(key) + "=([0-9.eE+-]+)").matcher(out);
            Double v = null;
            while (m.find()) v = Double.parseDouble(m.group(1));
            if (p.exitValue() != 0 || v == null)
                return new Outcome(null, last, out, "peer failed (exit " + p.exitValue() + "): " + last, threads, shellLine);
            return new Outcome(v, last, out, null, threads, shellLine);
        } catch (IOException e) {
            return new Outcome(null, null, "", "cannot start python3: " + e.getMessage(), threads, shellLine);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, null, "", "interrupted", threads, shellLine);
        }
    }
}

package org.seqlab.experiments.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqlab.optim.CoreBudget;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer benchmark script from {@code ../shared/bench/}, run as a child process after seqlab's own
 * measurement (never at the same time). A missing interpreter or package is reported, never
 * papered over with an invented number.
 */
public final class Peer {
    /** What a peer run gave: its last output line and the number we compare against, or why not. */
    public record Outcome(Double value, String line, String problem) {}

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
     * Runs a PyTorch peer script from {@code ../shared/bench} when a python3 with a fast PyTorch is
     * there; otherwise (or when the script fails) says why on {@code out} and returns null, so a
     * benchmark prints its own figures and never a ratio against a missing or crippled peer.
     */
    public static Outcome runTorch(java.io.PrintStream out, String script, List<String> args, String key, long timeoutSeconds) {
        return runTorch(out, sharedDir().resolve("bench").resolve(script), args, key, timeoutSeconds);
    }

    /** {@link #runTorch(java.io.PrintStream, String, List, String, long)} for a script anywhere (the project's {@code peers/}). */
    public static Outcome runTorch(java.io.PrintStream out, Path scriptPath, List<String> args, String key, long timeoutSeconds) {
        String script = scriptPath.getFileName().toString();
        String python = interpreter("torch");
        if (python == null) {
            out.println("peer " + script + " not run: no python3 with torch (run ../shared/bench/setup-peers.sh); seqlab figures only");
            return null;
        }
        double torch = torchGflops(python), nd4j = nd4jGflops();
        if (!(torch >= nd4j / 3)) {
            out.printf(Locale.ROOT, "peer %s not run: its PyTorch multiplies 1024x1024 matrices at %.1f GFLOP/s, against %.1f "
                    + "for ND4J here just now (reference BLAS?); a ratio against a crippled peer would mislead (install libopenblas0-pthread)%n",
                    script, torch, nd4j);
            return null;
        }
        Outcome o = run(python, scriptPath, args, key, timeoutSeconds);
        if (o.problem() != null) {
            out.println("peer " + script + ": " + o.problem() + "; seqlab figures only");
            return null;
        }
        return o;
    }

    /**
     * How fast this PyTorch multiplies 1024x1024 float matrices as the peers run (two intra-op
     * threads, the peer's environment; GFLOP/s; NaN when it cannot). A reference BLAS is about ten
     * times slower than OpenBLAS; this machine's own speed varies several-fold from minute to minute,
     * so the figure is judged against ND4J's, measured just after it ({@link #nd4jGflops}), never
     * against a fixed bar.
     */
    public static double torchGflops(String python) {
        String code = "import time,torch\ntorch.set_num_threads(2)\na=torch.randn(1024,1024);b=torch.randn(1024,1024);a@b\n"
                + "t=time.time()\nfor _ in range(10): a@b\nprint('gflops=%.1f' % (10*2*1024**3/(time.time()-t)/1e9))";
        Answer a = python(python, code, 120);
        Matcher m = Pattern.compile("gflops=([0-9.]+)").matcher(a.output());
        return a.problem() == null && m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /**
     * The same product in ND4J on one BLAS thread (GFLOP/s), as PyTorch's OpenBLAS multiplies under
     * the launcher's OMP_NUM_THREADS=1: like with like, so that only a slow BLAS fails the check.
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
        Answer a = python(python, "import " + String.join(", ", modules), 60);
        return a.ok() ? null : a.problem() != null ? a.problem()
                : "python3 cannot import " + String.join(", ", modules) + ": " + a.lastLine();
    }

    /** What {@code python -c code} printed (stdout and stderr), and whether it exited 0; problem: why it could not run. */
    record Answer(boolean ok, String output, String problem) {
        String lastLine() {
            return output.strip().lines().reduce((a, b) -> b).orElse("");
        }
    }

    /** Runs {@code python -c code} with a time limit. */
    static Answer python(String python, String code, long timeoutSeconds) {
        try {
            Process p = peerEnvironment(new ProcessBuilder(python, "-c", code).redirectErrorStream(true)).start();
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

    /**
     * The peer's environment: this one, OpenBLAS's kernels included, less an OPENBLAS_L2_SIZE
     * override (a cache size tuned for another library build). PyTorch's OpenBLAS (0.3.21)
     * does not know this CPU either and falls back to SSE3 Prescott kernels without
     * OPENBLAS_CORETYPE (1024x1024 product, two threads: 27 GFLOP/s; with the launcher's SkylakeX
     * 203), so both sides multiply with the kernels the launcher names. OMP_NUM_THREADS=1 stays:
     * PyTorch's OpenBLAS then multiplies on one thread beside the script's two intra-op threads, its
     * fastest setting here (torch_gpt.py 3,518 tokens/s; with OPENBLAS_NUM_THREADS=2 as well 1,791).
     */
    static ProcessBuilder peerEnvironment(ProcessBuilder pb) {
        pb.environment().remove("OPENBLAS_L2_SIZE");
        return pb;
    }

    /**
     * Runs {@code python script args...} and extracts {@code key=<number>} from its output, in
     * {@link #peerEnvironment the peer's environment}.
     */
    public static Outcome run(String python, Path script, List<String> args, String key, long timeoutSeconds) {
        if (!Files.isRegularFile(script)) return new Outcome(null, null, "peer script " + script + " not found");
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(args);
        try {
            Process p = peerEnvironment(new ProcessBuilder(cmd).redirectErrorStream(true)).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Outcome(null, null, "peer timed out");
            }
            String last = out.strip().lines().reduce((a, b) -> b).orElse("");
            Matcher m = Pattern.compile(Pattern.quote(key) + "=([0-9.eE+-]+)").matcher(out);
            Double v = null;
            while (m.find()) v = Double.parseDouble(m.group(1));
            if (p.exitValue() != 0 || v == null)
                return new Outcome(null, last, "peer failed (exit " + p.exitValue() + "): " + last);
            return new Outcome(v, last, null);
        } catch (IOException e) {
            return new Outcome(null, null, "cannot start python3: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, null, "interrupted");
        }
    }
}

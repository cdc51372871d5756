package org.seqlab.experiments.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a benchmark's figures depend on, printed before it measures: the machine's load, the
 * kernels and the peer's PyTorch. A PyTorch peer on two threads loses up to half its speed when
 * anything else runs (a background build once took a ratio from 0.37 to 0.78), so a busy machine
 * is said out loud rather than silently inflating seqlab's ratio.
 */
public final class BenchMachine {
    /** CPU use by others above which the figures are not to be trusted (a fraction of all cores). */
    static final double BUSY = 0.15;

    private BenchMachine() {}

    /** Prints the load and, when there is a PyTorch, the threads {@code peerScript} runs with; returns whether the machine looked quiet. */
    public static boolean describe(PrintStream out, Path peerScript) {
        String python = peerScript == null ? null : Peer.interpreter("torch");
        int cores = Runtime.getRuntime().availableProcessors();
        String load = loadAverage();
        double busy = busyFraction();
        out.printf(Locale.ROOT, "machine: %d cores, load average %s, CPU busy %.0f%% over the last second (before measuring)%n",
                cores, load == null ? "unknown" : load, 100 * busy);
        String kernels = System.getenv("OPENBLAS_CORETYPE");
        out.println("OpenBLAS kernels, both sides: " + (kernels == null || kernels.isBlank()
                ? "chosen by OpenBLAS from the CPU model (OPENBLAS_CORETYPE unset; the launcher sets it from the CPU's features)"
                : "OPENBLAS_CORETYPE=" + kernels));
        if (python != null) out.println("peer " + peerScript.getFileName() + ": " + torchThreads(python)
                + "; run in your shell's environment, timed at each thread setting (" + Peer.SETTINGS.size() + ")");
        boolean quiet = busy < BUSY;
        if (!quiet)
            out.printf(Locale.ROOT, "warning: the machine is busy (%.0f%% of its CPU in use before measuring): a PyTorch peer on two threads "
                    + "loses up to half its speed when anything else runs, which inflates seqlab's ratio; run benchmarks alone%n", 100 * busy);
        return quiet;
    }

    /** The 1, 5 and 15 minute load averages, or null where /proc is not there. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The fraction of all cores busy over one second now (from /proc/stat); 0 where it cannot be read. */
    static double busyFraction() {
        long[] a = cpuTimes();
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long[] b = cpuTimes();
        if (a == null || b == null || b[0] <= a[0]) return 0;
        return 1 - (double) (b[1] - a[1]) / (b[0] - a[0]);
    }

    /** {total, idle + iowait} jiffies of all cores. */
    private static long[] cpuTimes() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
            return new long[]{total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** PyTorch's version, default thread counts and BLAS, in the environment the peers get (the user's shell's). */
    static String torchThreads(String python) {
        String code = "import os,torch\n"
                + "cfg=torch.__config__.show()\n"
                + "blas=[l.split('BLAS_INFO=')[1].split(',')[0].strip() for l in cfg.splitlines() if 'BLAS_INFO=' in l]\n"
                + "print('torch %s (default %d intra-op / %d inter-op threads, BLAS %s, OMP_NUM_THREADS=%s)' % (torch.__version__, "
                + "torch.get_num_threads(), torch.get_num_interop_threads(), blas[0] if blas else '?', "
                + "os.environ.get('OMP_NUM_THREADS', 'unset')))";
        Peer.Answer a = Peer.python(python, code, 60, null);
        if (a.problem() != null) return "unknown (" + a.problem() + ")";
        return a.ok() ? a.lastLine() : "unknown (" + a.lastLine() + ")";
    }
}

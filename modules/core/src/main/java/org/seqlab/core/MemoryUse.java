package org.seqlab.core;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The process's memory as the kernel sees it, which is what decides an out-of-memory kill: the
 * resident set (RSS) and the part of it outside the Java heap ("off-heap": ND4J's arrays, native
 * libraries, the JVM's own code and metadata): RSS minus the resident part of the Java heap's
 * address range, read from {@code /proc/self/smaps} (the heap's committed size where the range is
 * not found: committed heap pages need not be resident, so that estimate can run low).
 * Linux only; elsewhere every figure is 0 and nothing is enforced.
 */
public record MemoryUse(long rssBytes, long heapBytes) {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path SMAPS = Path.of("/proc/self/smaps");

    /** Resident memory outside the Java heap, never negative. */
    public long offHeapBytes() {
        return Math.max(0, rssBytes - heapBytes);
    }

    /** Now: RSS and the Java heap's resident bytes (a few milliseconds: it reads the memory map). */
    public static MemoryUse now() {
        long heap = heapResidentBytes();
        return new MemoryUse(rssNow(), heap >= 0 ? heap : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
    }

    /** The resident set alone (cheap: one small file). */
    public static long rssNow() {
        return statusKb("VmRSS:") * 1024;
    }

    /**
     * Resident bytes of the Java heap: the run of adjacent anonymous mappings in {@code smaps}
     * whose size is closest to the heap's reserved size (-Xmx), within 2%; -1 when there is none.
     */
    static long heapResidentBytes() {
        long reserved = reservedHeapBytes(), bestRss = -1, bestGap = reserved / 50;
        try (java.io.BufferedReader in = Files.newBufferedReader(SMAPS)) {
            long runStart = -1, runEnd = -1, runRss = 0;
            boolean anonymous = false;
            String line;
            while ((line = in.readLine()) != null) {
                char c = line.isEmpty() ? ' ' : line.charAt(0);
                if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {     // "start-end perms offset dev inode [path]"
                    String[] f = line.trim().split("\\s+", 6);
                    int dash = f[0].indexOf('-');
                    long start = Long.parseUnsignedLong(f[0], 0, dash, 16), end = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
                    anonymous = f.length == 5 && "0".equals(f[4]);
                    if (anonymous && runStart >= 0 && runEnd == start) {
                        runEnd = end;           // the heap shows as several adjacent mappings (committed or not)
                        continue;
                    }
                    if (runStart >= 0 && Math.abs(runEnd - runStart - reserved) < bestGap) {
                        bestGap = Math.abs(runEnd - runStart - reserved);
                        bestRss = runRss;
                    }
                    runStart = anonymous ? start : -1;
                    runEnd = anonymous ? end : -1;
                    runRss = 0;
                } else if (anonymous && line.startsWith("Rss:")) {
                    runRss += kb(line) * 1024;
                }
            }
            if (runStart >= 0 && Math.abs(runEnd - runStart - reserved) < bestGap) bestRss = runRss;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return bestRss;
    }

    private static long reservedHeapBytes() {
        try {
            return Long.parseLong(ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxHeapSize").getValue());
        } catch (RuntimeException e) {
            return Runtime.getRuntime().maxMemory();
        }
    }

    /** Whether this system reports resident memory (Linux). */
    public static boolean measurable() {
        return statusKb("VmRSS:") > 0;
    }

    /** The kernel's record of the process's peak RSS since start or the last {@link #resetPeak}. */
    public static long peakRssBytes() {
        return statusKb("VmHWM:") * 1024;
    }

    /** Starts a new peak (VmHWM) where the kernel allows it; returns false where it does not. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Installed physical memory, or 0 when unknown. */
    public static long physicalBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
                if (line.startsWith("MemTotal:")) return kb(line) * 1024;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** "1.23 GB": bytes as people read memory. */
    public static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    /**
     * A size as the launcher's variables and JVM flags write it: plain bytes or with a K, M, G or T
     * suffix (powers of 1024), e.g. {@code 8G}, {@code 512m}.
     */
    public static long parseSize(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit > 1) s = s.substring(0, s.length() - 1).trim();
        }
        double value;
        try {
            value = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected e.g. 8G, 512M or a number of bytes)");
        }
        if (!(value > 0) || Double.isInfinite(value))
            throw new IllegalArgumentException("'" + text + "' is not a positive size");
        return (long) (value * unit);
    }

    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(STATUS))
                if (line.startsWith(key)) return kb(line);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}

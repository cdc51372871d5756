package org.seqlab.experiments.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchMachineTest {
    /** What a benchmark says before measuring: cores, load, how busy the CPU is now, and a warning when it is busy. */
    @Test
    void theMachineIsDescribedAndABusyOneIsWarnedAbout() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        boolean quiet = BenchMachine.describe(out, null);
        String said = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average "), said);
        assertTrue(said.contains("CPU busy ") && said.contains("% over the last second (before measuring)"), said);
        assertEquals(!quiet, said.contains("warning: the machine is busy"), said);

        // a busy machine: keep one core spinning while it looks
        Thread spin = new Thread(() -> {
            long end = System.nanoTime() + 1_600_000_000L;
            double x = 0;
            while (System.nanoTime() < end) x += Math.sqrt(x + 1);
            if (x < 0) System.out.println(x);
        });
        spin.start();
        Thread.sleep(200);
        double busy = BenchMachine.busyFraction();
        spin.join();
        assertTrue(busy >= 0.9 / Runtime.getRuntime().availableProcessors(), "one spinning core out of all: " + busy);
    }
}

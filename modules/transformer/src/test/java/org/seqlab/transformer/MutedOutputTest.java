package org.seqlab.transformer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MutedOutputTest {
    /** While one thread builds a graph quietly, another thread's lines still reach System.out (two sweep workers). */
    @Test
    void onlyTheQuietThreadIsMuted() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            CountDownLatch inside = new CountDownLatch(1), printed = new CountDownLatch(1);
            Thread other = new Thread(() -> {
                try {
                    assertTrue(inside.await(10, TimeUnit.SECONDS));
                    System.out.println("the other trial's line");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    printed.countDown();
                }
            });
            other.start();
            MutedOutput.run(() -> {
                System.out.println("SameDiff's line");
                inside.countDown();
                try {
                    assertTrue(printed.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            other.join();
            System.out.println("after");
            System.out.flush();
            assertEquals("the other trial's line\nafter\n", captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }
}

package org.seqlab.core;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryUseTest {
    @Test
    void sizesReadAsTheLauncherWritesThem() {
        assertEquals(8L << 30, MemoryUse.parseSize("8G"));
        assertEquals(512L << 20, MemoryUse.parseSize("512m"));
        assertEquals(3L << 30, MemoryUse.parseSize("3gb"));
        assertEquals(4096, MemoryUse.parseSize("4096"));
        assertEquals(3L << 29, MemoryUse.parseSize("1.5G"));
        for (String bad : new String[]{"eight", "-1G", "0", "", "G", "1.5.G"})
            assertThrows(IllegalArgumentException.class, () -> MemoryUse.parseSize(bad), bad);
    }

    /** Java heap that is written to is resident heap, not off-heap: the estimate must tell them apart. */
    @Test
    void heapArraysCountAsHeapNotOffHeap() {
        Assumptions.assumeTrue(MemoryUse.measurable(), "this system does not report resident memory");
        assertTrue(MemoryUse.heapResidentBytes() > 0, "the heap's address range is found in smaps");
        MemoryUse before = MemoryUse.now();
        byte[][] blocks = new byte[128][];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new byte[1 << 20];
            java.util.Arrays.fill(blocks[i], (byte) i);      // touched: resident
        }
        MemoryUse after = MemoryUse.now();
        assertTrue(Math.abs(after.offHeapBytes() - before.offHeapBytes()) < 32L << 20,
                "128 MB written on the heap should not move the off-heap figure: " + before + " -> " + after);
        assertEquals(127, blocks[127][0]);
    }

    @Test
    void aBudgetComesFromTheEnvironmentOrItsDefault() {
        MemoryBudget b = MemoryBudget.fromEnvironment();
        assertTrue(b.offHeapBytes() > 0 && b.source().startsWith(MemoryBudget.VARIABLE), b.toString());
        assertTrue(b.advice().contains(MemoryBudget.VARIABLE + "=") && b.advice().contains("training.batch_size"), b.advice());
    }
}

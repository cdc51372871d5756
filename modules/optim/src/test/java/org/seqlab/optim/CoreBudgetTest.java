package org.seqlab.optim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CoreBudgetTest {
    private int original;

    @BeforeEach
    void allCores() {
        original = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(CoreBudget.CORES);      // ND4J's own setting, as a process starts with it
    }

    @AfterEach
    void putBack() {
        Nd4j.factory().blas().setMaxThreads(original);
    }

    @Test
    void threadsAreTheCoresSharedAmongTheTrialsAtLeastOne() {
        assertEquals(CoreBudget.CORES, CoreBudget.threadsFor(1));
        assertEquals(Math.max(1, CoreBudget.CORES / 2), CoreBudget.threadsFor(2));
        assertEquals(1, CoreBudget.threadsFor(CoreBudget.CORES * 4));
    }

    @Test
    void twoConcurrentTrialsEachSeeTheirShareAndLeaveTheGlobalSettingAsItWas() throws Exception {
        int global = Nd4j.factory().blas().getMaxThreads();
        CyclicBarrier bothOpen = new CyclicBarrier(2), bothLooked = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            java.util.List<Future<int[]>> seen = new java.util.ArrayList<>();
            for (int trial = 0; trial < 2; trial++)
                seen.add(pool.submit(() -> {
                    try (CoreBudget.Share share = CoreBudget.forTrials(2)) {
                        bothOpen.await(30, TimeUnit.SECONDS);
                        int[] looked = {share.threads(), Nd4j.factory().blas().getMaxThreads()};
                        bothLooked.await(30, TimeUnit.SECONDS);
                        return looked;
                    }
                }));
            for (Future<int[]> f : seen) {
                int[] looked = f.get(60, TimeUnit.SECONDS);
                assertEquals(CoreBudget.threadsFor(2), looked[0], "the trial's own thread count");
                assertEquals(CoreBudget.threadsFor(2), looked[1], "what BLAS runs on while both train");
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(global, Nd4j.factory().blas().getMaxThreads(), "the global setting after both trials");
        assertEquals(global, CoreBudget.threads());
    }

    @Test
    void theSmallestOpenShareIsInForceAndClosingItPutsTheNextBack() {
        int global = Nd4j.factory().blas().getMaxThreads();
        CoreBudget.Share alone = CoreBudget.forTrials(1);
        assertEquals(CoreBudget.CORES, Nd4j.factory().blas().getMaxThreads());
        CoreBudget.Share one = CoreBudget.withThreads(1);
        assertEquals(1, Nd4j.factory().blas().getMaxThreads(), "fewer threads win: never more than the cores");
        CoreBudget.Share more = CoreBudget.forTrials(1);
        assertEquals(1, more.threads(), "a share asking for more leaves the setting");
        one.close();
        one.close();                                   // closing twice counts once
        assertEquals(CoreBudget.CORES, Nd4j.factory().blas().getMaxThreads(), "the one-thread share gone: the others' count again");
        alone.close();
        assertEquals(CoreBudget.CORES, more.threads());
        more.close();
        assertEquals(global, Nd4j.factory().blas().getMaxThreads(), "ND4J's own setting back");
    }
}

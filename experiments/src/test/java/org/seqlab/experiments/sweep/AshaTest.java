package org.seqlab.experiments.sweep;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AshaTest {
    @Test
    void aTrialGoesOnOnlyWithinTheBestFractionOfItsRung() {
        Asha asha = new Asha(Asha.Resource.EPOCHS, 1.0, 2.0);
        assertEquals(List.of(1.0, 2.0, 4.0), List.of(asha.rung(0), asha.rung(1), asha.rung(2)));
        Asha.Rungs rungs = asha.new Rungs();
        Asha.Rungs.Trial a = rungs.new Trial(), b = rungs.new Trial(), c = rungs.new Trial();
        assertNull(a.observe(1, 1.0), "the first at a rung always goes on");
        String stop = b.observe(1, 2.0);
        assertTrue(stop != null && stop.startsWith("stopped by ASHA at rung 0 (1 epochs): validation loss 2.0000 is outside the best 1/2 (cutoff 1.0000) of 1 trials there"), stop);
        assertNull(c.observe(1, 1.2), "within the best half of [1.0, 2.0]: cutoff 1.5");
        assertNull(a.observe(2, 0.9));
        assertNull(a.observe(3, 0.8), "between rungs nothing is recorded");
        assertTrue(c.observe(2, 1.0) != null, "rung 1 holds 0.9: 1.0 is outside its best half");
    }

    /** As Ray Tune's ASHA: a result past several rungs at once is recorded at the highest only. */
    @Test
    void aJumpOverSeveralRungsRecordsTheHighest() {
        Asha asha = new Asha(Asha.Resource.SECONDS, 10.0, 3.0);
        Asha.Rungs rungs = asha.new Rungs();
        assertNull(rungs.new Trial().observe(95, 5.0), "past 10, 30 and 90 s: recorded at 90 (rung 2)");
        Asha.Rungs.Trial late = rungs.new Trial();
        assertNull(late.observe(10, 9.0), "rung 0 was empty");
        assertNull(late.observe(30, 9.0), "rung 1 was empty");
        assertTrue(late.observe(90, 6.0).contains("at rung 2 (90 seconds)"), "rung 2 holds 5.0");
    }

    @Test
    void percentilesInterpolateAsNumpy() {
        assertEquals(2.5, Asha.percentile(List.of(4.0, 1.0, 2.0, 3.0), 50), 1e-12);
        assertEquals(1.0 + 3.0 / 3, Asha.percentile(List.of(1.0, 2.0, 3.0, 4.0), 100 / 3.0), 1e-12);
    }

    @Test
    void settingsAreChecked() {
        assertThrows(org.seqlab.core.FieldException.class, () -> new Asha(null, 0.0, null));
        assertThrows(org.seqlab.core.FieldException.class, () -> new Asha(null, null, 1.0));
    }
}

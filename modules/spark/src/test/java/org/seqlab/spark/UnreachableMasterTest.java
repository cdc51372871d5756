package org.seqlab.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.UserException;
import org.seqlab.data.registry.Catalogue;
import org.seqlab.experiments.ConfigLoader;
import org.seqlab.experiments.ExperimentRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A standalone master with nothing listening: one user error within the connection timeout, before Spark starts retrying for a minute. */
class UnreachableMasterTest {
    @TempDir
    Path dir;

    @Test
    void nothingListeningIsOneLineWithinSeconds() throws Exception {
        ConfigLoader.Loaded loaded = ConfigLoader.load(Files.writeString(dir.resolve("sw.yaml"), """
                data: {source: builtin:markov-names, names: 100}
                models:
                  - {family: handrolled, name: m, hidden: 8}
                training: {epochs: 1, batch_size: 8, seq_len: 16, lr: 0.01}
                sweep:
                  trials: 1
                  parameters:
                    training.lr: {type: continuous, min: 0.001, max: 0.1}
                """), List.of());
        var data = ExperimentRunner.resolveData(loaded, Catalogue.fromEnvironment(false), line -> {});
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String master = "spark://127.0.0.1:" + port;
        long start = System.nanoTime();
        UserException e = assertThrows(UserException.class, () -> new SparkTrials(master, loaded, data, dir.resolve("out")).close());
        assertTrue(e.getMessage().startsWith("cannot reach the Spark master " + master) && !e.getMessage().contains("\n"), e.getMessage());
        assertTrue((System.nanoTime() - start) / 1e9 < 10, "within the connection timeout");
    }
}

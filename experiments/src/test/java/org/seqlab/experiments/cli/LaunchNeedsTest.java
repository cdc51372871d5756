package org.seqlab.experiments.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher adds Spark's class path when the parsed command and its configuration ask for Spark, wherever the asking is written. */
class LaunchNeedsTest {
    @TempDir
    Path dir;

    private static final String PLAIN = """
            data: {source: builtin:markov-names, names: 200}
            models:
              - {family: handrolled, name: m, hidden: 8}
            training: {epochs: 1, batch_size: 8, seq_len: 16, lr: 0.01}
            sweep:
              trials: 1
              parameters:
                training.lr: {type: continuous, min: 0.001, max: 0.1}
            """;

    @Test
    void sparkIsNeededWhereverTheCommandLineOrConfigurationAsksForIt() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain.yaml"), PLAIN);
        Path spark = Files.writeString(dir.resolve("spark.yaml"), PLAIN + "  spark: {master: 'local[1]'}\n");
        Path child = Files.writeString(dir.resolve("child.yaml"), "extends: spark.yaml\nname: child\n");
        // an option before the file, --set, a base file, the flag after the file, and the benchmark
        assertTrue(LaunchNeeds.needsSpark("sweep", "--out=" + dir.resolve("o"), spark.toString()));
        assertTrue(LaunchNeeds.needsSpark("sweep", plain.toString(), "--set", "sweep.spark.master=local[1]"));
        assertTrue(LaunchNeeds.needsSpark("sweep", child.toString()));
        assertTrue(LaunchNeeds.needsSpark("sweep", plain.toString(), "--spark", "local[2]"));
        assertTrue(LaunchNeeds.needsSpark("bench", "sweep", "--trials", "1"));
        // no Spark: a plain sweep, another command on a file with a spark section, and bad input (the command itself reports it)
        assertFalse(LaunchNeeds.needsSpark("sweep", plain.toString()));
        assertFalse(LaunchNeeds.needsSpark("run", spark.toString()));
        assertFalse(LaunchNeeds.needsSpark("sweep", dir.resolve("missing.yaml").toString()));
        assertFalse(LaunchNeeds.needsSpark("sweep", "--no-such-option", spark.toString()));
    }

    /** The launcher asks the CLI instead of reading argument positions. */
    @Test
    void theLauncherAsksTheCli() throws Exception {
        String launcher = Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("seqlab"));
        assertTrue(launcher.contains("org.seqlab.experiments.cli.LaunchNeeds \"$@\""), "the launcher calls LaunchNeeds");
        assertFalse(launcher.contains("grep -q '^[[:space:]]*spark:' \"$2\""), "no guess from the second argument");
    }
}

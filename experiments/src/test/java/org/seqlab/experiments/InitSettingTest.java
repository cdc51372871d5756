package org.seqlab.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** training.init from the user's side: the report shows it with where dropout falls, and a bad scheme is one clear line. */
class InitSettingTest {
    private static final String YAML = """
            name: init
            data:
              source: builtin:markov-names
              names: 200
            models:
              - {family: handrolled, name: lstm, cell: lstm, hidden: 8, layers: 2, dropout: 0.1}
              - {family: handrolled, name: gru, cell: gru, hidden: 8, training: {init: pytorch}}
            training:
              epochs: 1
              batch_size: 8
              seq_len: 16
              init: xavier
            samples:
              count: 1
            """;

    @TempDir
    Path dir;

    @Test
    void theSettingsTableShowsEachModelsSchemeAndWhereDropoutFalls() throws Exception {
        Path yaml = Files.writeString(dir.resolve("init.yaml"), YAML);
        Path out = dir.resolve("out");
        CliRun o = CliRun.of("run", yaml.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err() + o.out());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| clip | init |"), md);
        assertTrue(md.matches("(?s).*\\| lstm \\| handrolled \\|[^\\n]*\\| norm 5\\.0 \\| xavier \\|.*"), md);
        assertTrue(md.matches("(?s).*\\| gru \\| handrolled \\|[^\\n]*\\| norm 5\\.0 \\| pytorch \\|.*"), "a model's own training.init: " + md);
        assertTrue(md.contains("Dropout falls on every recurrent layer's output, between stacked layers and before the output layer"), md);
    }

    @Test
    void anUnknownSchemeIsOneLineNamingTheFieldAndExit2() throws Exception {
        Path yaml = Files.writeString(dir.resolve("bad.yaml"), YAML.replace("init: xavier", "init: glorot"));
        CliRun o = CliRun.of("run", yaml.toString(), "--out", dir.resolve("bad").toString());
        assertEquals(2, o.code(), o.err() + o.out());
        String err = o.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains("training.init") && err.contains("glorot") && err.contains("bad.yaml"), err);
        assertTrue(err.contains("xavier") && err.contains("small_output"), "names the allowed values: " + err);
    }
}

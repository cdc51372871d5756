package org.seqlab.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.UserException;
import org.seqlab.rnn.HandRolledConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String GOOD = """
            name: tiny
            data:
              source: builtin:markov-names
              names: 200
            models:
              - family: handrolled
                name: rnn
                hidden: 16
            training:
              epochs: 2
              lr: 0.01
            """;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("exp.yaml"), yaml);
    }

    private String error(String yaml, String... overrides) throws Exception {
        Path f = write(yaml);
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load(f, List.of(overrides)));
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage().replace(f.toString(), "FILE");
    }

    @Test
    void bindsAGoodFileWithDefaults() throws Exception {
        ConfigLoader.Loaded l = ConfigLoader.load(write(GOOD), List.of());
        ExperimentConfig c = l.config();
        assertEquals("tiny", c.name());
        assertEquals(200, c.data().names());
        assertEquals(16, ((HandRolledConfig) c.models().get(0)).hidden());
        assertEquals(0.01, c.training().lr());
        assertEquals(32, c.training().batchSize(), "default batch size");
        assertEquals(1234L, c.seed(), "documented default seed");
    }

    @Test
    void aModelMayOverrideItsOptimisationButNotTheBatches() throws Exception {
        String two = GOOD.replace("    hidden: 16\n", """
                        hidden: 16
                      - family: transformer
                        name: gpt
                        layers: 1
                        training: {lr: 0.001, schedule: {type: cosine, warmup_steps: 10}}
                    """);
        ExperimentConfig c = ConfigLoader.load(write(two), List.of()).config();
        assertEquals(0.01, c.trainingOf(0).lr(), "no override: the shared training");
        assertEquals(0.001, c.trainingOf(1).lr(), "the model's own learning rate");
        assertEquals(2, c.trainingOf(1).epochs(), "other keys come from the shared training");
        assertEquals(10, c.trainingOf(1).schedule().warmupSteps());

        String msg = error(two.replace("training: {lr: 0.001,", "training: {seq_len: 10,"));
        assertTrue(msg.startsWith("FILE:12:") && msg.contains("models[1].training.seq_len: is shared by every model"), msg);
        msg = error(two.replace("lr: 0.001,", "lr: -1,"));
        assertTrue(msg.startsWith("FILE:12:") && msg.contains("lr"), "points at the model's own line: " + msg);
        msg = error(two + "model_training: []\n");
        assertTrue(msg.contains("model_training: not a key to write"), msg);
    }

    @Test
    void unknownKeyNamesFileLineColumnAndTheKnownKeys() throws Exception {
        String msg = error(GOOD.replace("    hidden: 16", "    hiden: 16"));
        assertTrue(msg.startsWith("FILE:8:5: models[0].hiden: unknown key"), msg);
        assertTrue(msg.contains("hidden"), "suggests the known keys: " + msg);
    }

    @Test
    void wrongTypesAndRangesNameTheField() throws Exception {
        assertTrue(error(GOOD.replace("epochs: 2", "epochs: two")).startsWith("FILE:10:3: training.epochs: expected an integer, got 'two'"),
                error(GOOD.replace("epochs: 2", "epochs: two")));
        String lr = error(GOOD.replace("lr: 0.01", "lr: -0.1"));
        assertTrue(lr.contains("training.lr: must be > 0, got -0.1") && lr.startsWith("FILE:11:3:"), lr);
        String hidden = error(GOOD.replace("hidden: 16", "hidden: 0"));
        assertTrue(hidden.contains("models[0].hidden: must be >= 1, got 0") && hidden.startsWith("FILE:8:"), hidden);
        String e = error(GOOD.replace("lr: 0.01", "lr: 0.01\n  optimizer: {type: adamm}"));
        assertTrue(e.contains("training.optimizer.type: expected one of sgd, momentum, adagrad, rmsprop, adam, adamw"), e);
    }

    @Test
    void anUnknownOutputHeadNamesTheFieldAndTheHeads() throws Exception {
        String e = error(GOOD.replace("hidden: 16", "hidden: 16\n    output: nad"));
        assertTrue(e.contains("models[0].output: unknown head 'nad'; allowed: softmax, bernoulli, gaussian, nade"), e);
        String n = error(GOOD.replace("hidden: 16", "hidden: 16\n    nade_hidden: 8"));
        assertTrue(n.contains("models[0].nade_hidden: applies to output: nade only"), n);
    }

    @Test
    void familyProblemsAreExplained() throws Exception {
        String missing = error(GOOD.replace("  - family: handrolled\n    name: rnn", "  - name: rnn"));
        assertTrue(missing.contains("models[0]: missing key 'family' (one of: handrolled, dl4j-lstm, transformer)"), missing);
        String unknown = error(GOOD.replace("family: handrolled", "family: transformer9"));
        assertTrue(unknown.contains("models[0].family: unknown family 'transformer9'"), unknown);
    }

    @Test
    void syntaxErrorsAndDuplicatesArePlaced() throws Exception {
        assertTrue(error("name: [unclosed\n").startsWith("FILE:2:1: YAML syntax error"), error("name: [unclosed\n"));
        String dup = error(GOOD + "seed: 1\nseed: 2\n");
        assertTrue(dup.endsWith("FILE:13:1: seed: duplicate key"), dup);
    }

    @Test
    void setOverridesGoThroughTheSameChecks() throws Exception {
        Path f = write(GOOD);
        ExperimentConfig c = ConfigLoader.load(f, List.of("models[0].hidden=64", "training.lr=0.5", "seed=7")).config();
        assertEquals(64, ((HandRolledConfig) c.models().get(0)).hidden());
        assertEquals(0.5, c.training().lr());
        assertEquals(7L, c.seed());
        String bad = error(GOOD, "training.lrr=0.1");
        assertTrue(bad.startsWith("--set training.lrr=0.1: training.lrr: unknown key"), bad);
        String range = error(GOOD, "models[0].hidden=-3");
        assertTrue(range.startsWith("--set models[0].hidden=-3: models[0].hidden: must be >= 1"), range);
        assertTrue(error(GOOD, "models[4].hidden=3").contains("models has no element [4] (it has 1)"));
    }

    /** Two overrides that used to do something silently: an empty value (the default) and a mapping over a section (a reset). */
    @Test
    void overridesThatWouldSilentlyResetAreRefused() throws Exception {
        String empty = error(GOOD, "training.lr=");
        assertTrue(empty.startsWith("--set training.lr=: no value after '='"), empty);
        String section = error(GOOD, "training={lr: 0.1}");
        assertTrue(section.startsWith("--set training={lr: 0.1}: a mapping would replace the whole 'training' section"), section);
        assertTrue(section.contains("--set training.lr=..."), section);
        String name = error(GOOD, "name=..");
        assertTrue(name.contains("name: use letters, digits"), name);
        String model = error(GOOD, "models[0].name=../escape");
        assertTrue(model.contains("models[0].name: use letters, digits"), model);
    }

    @Test
    void extendsMergesABaseFileAndKeepsBothFilesLocations() throws Exception {
        Files.writeString(dir.resolve("base.yaml"), GOOD);
        Path child = Files.writeString(dir.resolve("child.yaml"), """
                extends: base.yaml
                name: child
                training:
                  lr: 0.02
                seeds: [1, 2]
                """);
        ExperimentConfig c = ConfigLoader.load(child, List.of()).config();
        assertEquals("child", c.name());
        assertEquals(0.02, c.training().lr(), "the child's value wins");
        assertEquals(2, c.training().epochs(), "the base's other training keys stay");
        assertEquals(16, ((HandRolledConfig) c.models().get(0)).hidden());
        assertEquals(List.of(1L, 2L), c.runSeeds());
        Files.writeString(child, "extends: base.yaml\ntraining:\n  epochs: -1\n");
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load(child, List.of()));
        assertTrue(e.getMessage().contains("child.yaml:3:3: training.epochs: must be >= 1"), e.getMessage());
        Files.writeString(dir.resolve("base.yaml"), GOOD.replace("hidden: 16", "hidden: zero"));
        Files.writeString(child, "extends: base.yaml\n");
        e = assertThrows(UserException.class, () -> ConfigLoader.load(child, List.of()));
        assertTrue(e.getMessage().contains("base.yaml:8:5: models[0].hidden: expected an integer"), e.getMessage());
        Files.writeString(dir.resolve("base.yaml"), "extends: child.yaml\n");
        assertTrue(assertThrows(UserException.class, () -> ConfigLoader.load(child, List.of())).getMessage().contains("cycle"));
    }

    @Test
    void missingFileIsAUserError() {
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load(dir.resolve("none.yaml"), List.of()));
        assertTrue(e.getMessage().endsWith("none.yaml: experiment file not found"), e.getMessage());
    }

    @Test
    void everyShippedExperimentLoadsAndNamesAKnownSource() throws Exception {
        List<Path> files;
        try (var s = Files.list(Path.of("."))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 10, files.toString());
        org.seqlab.data.registry.Registry registry = org.seqlab.data.registry.Registry.load();
        for (Path f : files) {
            ExperimentConfig c = ConfigLoader.load(f, List.of()).config();
            assertEquals(f.getFileName().toString().replace(".yaml", ""), c.name());
            String source = c.data().source();
            // loading, not training: a source is a built-in, a registry name, or a path (which may live outside the checkout)
            assertTrue(source.startsWith("builtin:") && org.seqlab.data.DataConfig.BUILTINS.contains(source)
                    || registry.find(source).isPresent() || source.contains("/"), f + ": data.source " + source);
        }
        assertEquals("tiny-shakespeare", ConfigLoader.load(Path.of("shakespeare-words.yaml"), List.of()).config().data().source());
    }

    @Test
    void dataKeysAreCheckedWhereTheyAreWritten() throws Exception {
        assertEquals("FILE:5:3: data.tokenizer: expected one of char, word, got 'words'",
                error(GOOD.replace("names: 200", "names: 200\n  tokenizer: words")));
        assertEquals("FILE:5:3: data.max_vocab: must be >= 0, got -1", error(GOOD.replace("names: 200", "names: 200\n  max_vocab: -1")));
        assertEquals("FILE:5:33: data.split_files.valid: list at least one file",
                error(GOOD.replace("names: 200", "names: 200\n  split_files: {train: [a.txt], valid: [], test: [c.txt]}")));
        assertEquals("FILE:5:3: data.documents: split_files assigns whole files to splits: leave documents out or set it to true",
                error(GOOD.replace("names: 200", "names: 200\n  documents: false\n  split_files: {train: [a], valid: [b], test: [c]}")));
    }
}

package org.seqlab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.FieldException;
import org.seqlab.core.data.SplitMethod;
import org.seqlab.core.Json;
import org.seqlab.core.UserException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    /** A data section as YAML would give it: {@code cfg("source", "x.txt", "mode", "stream")}. */
    static DataConfig cfg(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("split", List.of(0.5, 0.25, 0.25));
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return Json.MAPPER.convertValue(m, DataConfig.class);
    }

    /** The text settings of {@link #cfg}, as a text source resolves them. */
    static DataSpec.Text text(Object... keyValues) {
        DataConfig c = cfg(keyValues);
        return (DataSpec.Text) DataSpec.of(c, c.resolved(c.source(), DataConfig.Format.TEXT, c.mode() != null ? c.mode() : DataConfig.Mode.LINES));
    }

    @Test
    void linesModeSplitsExamplesReproducibly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("names.txt");
        Files.writeString(f, "alpha\nbeta\r\ngamma\n\ndelta\n");
        Dataset a = Datasets.load(cfg("source", f.toString()), dir), b = Datasets.load(cfg("source", f.toString()), dir);
        assertEquals(a.splits(), b.splits());
        String all = a.splits().train() + a.splits().valid() + a.splits().test();
        for (String n : List.of("alpha", "beta", "gamma", "delta")) assertTrue(all.contains("\n" + n + "\n"), n);
        assertTrue(a.splits().train().startsWith("\n") && a.splits().train().endsWith("\n"));
        assertEquals("\n", a.eos());
        assertEquals(new SplitMethod("examples", List.of(0.5, 0.25, 0.25), 0L, null), a.split());
    }

    @Test
    void relativePathsAreTriedAgainstTheExperimentDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("n.txt"), "a\nb\nc\nd\n");
        assertEquals("n", Datasets.load(cfg("source", "n.txt"), dir).name());
    }

    @Test
    void badFilesGetClearErrors(@TempDir Path dir) throws Exception {
        FieldException missing = assertThrows(FieldException.class, () -> Datasets.load(cfg("source", "nope.txt"), dir));
        assertTrue(missing.getMessage().startsWith("source: file not found: nope.txt (looked for "
                + Path.of("nope.txt").toAbsolutePath() + " and " + dir.resolve("nope.txt").toAbsolutePath()
                + "), and it is not a dataset of the registry (known: tiny-shakespeare, dinosaurus,"), missing.getMessage());
        assertTrue(missing.getMessage().endsWith("nor a built-in generator (builtin:markov-names, builtin:markov-chain, builtin:copy, builtin:seasonal)"));
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertTrue(assertThrows(FieldException.class, () -> Datasets.load(cfg("source", empty.toString()), dir))
                .getMessage().contains("is empty"));
        Path bad = Files.write(dir.resolve("bad.txt"), new byte[]{'a', 'b', '\n', 'c', (byte) 0xC3, '(', '\n'});
        UserException e = assertThrows(UserException.class, () -> Datasets.load(cfg("source", bad.toString()), dir));
        assertTrue(e.getMessage().contains("bad.txt:2:2: invalid UTF-8 byte 0xC3 at offset 4"), e.getMessage());
    }

    private static Path corpus(Path dir) throws Exception {
        Path c = Files.createDirectories(dir.resolve("corpus/sub"));
        Files.writeString(c.getParent().resolve("b.txt"), "bravo one\nbravo two");          // no final newline
        Files.writeString(c.getParent().resolve("a.txt"), "alpha one\r\nalpha two\n");
        Files.writeString(c.resolve("c.txt"), "charlie\n");
        Files.writeString(c.getParent().resolve(".hidden"), "never read\n");
        Files.writeString(c.getParent().resolve("d.txt"), "delta\n");
        return c.getParent();
    }

    @Test
    void aDirectoryIsItsSortedFilesJoinedWithAnEmptyLine(@TempDir Path dir) throws Exception {
        Path c = corpus(dir);
        assertEquals(List.of("a.txt", "b.txt", "d.txt", "sub/c.txt"), TextFiles.list(c));
        Dataset d = Datasets.load(cfg("source", c.toString(), "mode", "stream", "split", List.of(0.8, 0.1, 0.1)), dir);
        assertEquals("alpha one\nalpha two\n\nbravo one\nbravo two\n\ndelta\n\ncharlie\n",
                d.splits().train() + d.splits().valid() + d.splits().test());
        assertEquals("corpus", d.name());
        assertEquals("contiguous", d.split().method());
        Files.writeString(c.resolve("d.txt"), "delta!\n");
        assertFalse(d.sha256().equals(Datasets.load(cfg("source", c.toString(), "mode", "stream"), dir).sha256()),
                "the hash covers every file's bytes");
        Files.write(c.resolve("sub/c.txt"), new byte[]{'o', 'k', '\n', (byte) 0xFF});
        UserException bad = assertThrows(UserException.class, () -> Datasets.load(cfg("source", c.toString()), dir));
        assertTrue(bad.getMessage().contains("sub/c.txt:2:1: invalid UTF-8 byte 0xFF at offset 3"), bad.getMessage());
    }

    @Test
    void documentsAreSplitByWholeFilesReproducibly(@TempDir Path dir) throws Exception {
        Path c = corpus(dir);
        Dataset d = Datasets.load(cfg("source", c.toString(), "documents", true, "split_seed", 3), dir);
        assertEquals("files", d.split().method());
        assertEquals(3L, d.split().seed());
        Map<String, List<String>> files = d.split().files();
        assertEquals(4, files.values().stream().mapToInt(List::size).sum());
        for (String split : List.of("train", "valid", "test")) assertFalse(files.get(split).isEmpty(), split);
        assertEquals(files, Datasets.load(cfg("source", c.toString(), "documents", true, "split_seed", 3), dir).split().files());
        // every line of a file lands in that file's split
        String valid = d.splits().valid();
        for (String f : files.get("valid")) {
            String text = Files.readString(c.resolve(f)).replace("\r\n", "\n");
            for (String line : text.strip().split("\n")) assertTrue(valid.contains("\n" + line.strip() + "\n"), f + ": " + line);
        }
    }

    @Test
    void splitFilesAssignsNamedFilesAndChecksThem(@TempDir Path dir) throws Exception {
        Path c = corpus(dir);
        Map<String, Object> sf = Map.of("train", List.of("b.txt", "a.txt"), "valid", List.of("./sub/c.txt"), "test", List.of("d.txt"));
        Dataset d = Datasets.load(cfg("source", c.toString(), "split_files", sf, "mode", "stream"), dir);
        assertEquals("alpha one\nalpha two\n\nbravo one\nbravo two\n", d.splits().train());
        assertEquals("charlie\n", d.splits().valid());
        assertEquals("delta\n", d.splits().test());
        assertEquals(new SplitMethod("split_files", null, null, Map.of("train", List.of("a.txt", "b.txt"),
                "valid", List.of("sub/c.txt"), "test", List.of("d.txt"))), d.split());

        FieldException missing = assertThrows(FieldException.class, () -> Datasets.load(cfg("source", c.toString(),
                "split_files", Map.of("train", List.of("a.txt", "x.txt"), "valid", List.of("sub/c.txt"), "test", List.of("d.txt"))), dir));
        assertEquals("split_files: train: no file 'x.txt' in " + c + " (it holds: a.txt, b.txt, d.txt, sub/c.txt)", missing.getMessage());
        FieldException twice = assertThrows(FieldException.class, () -> Datasets.load(cfg("source", c.toString(),
                "split_files", Map.of("train", List.of("a.txt", "b.txt"), "valid", List.of("sub/c.txt", "a.txt"), "test", List.of("d.txt"))), dir));
        assertEquals("split_files: 'a.txt' is listed in train and in valid", twice.getMessage());
        FieldException left = assertThrows(FieldException.class, () -> Datasets.load(cfg("source", c.toString(),
                "split_files", Map.of("train", List.of("a.txt"), "valid", List.of("sub/c.txt"), "test", List.of("d.txt"))), dir));
        assertTrue(left.getMessage().startsWith("split_files: file(s) of " + c + " in no split: b.txt"), left.getMessage());
        Path single = Files.writeString(dir.resolve("one.txt"), "a\nb\nc\n");
        assertEquals("split_files: needs a directory of text files as source (" + single + " is a single file)",
                assertThrows(FieldException.class, () -> Datasets.load(cfg("source", single.toString(), "split_files", sf), dir)).getMessage());
    }

    @Test
    void aDirectoryWithMidiFilesIsMidiAndOtherwiseText(@TempDir Path dir) throws Exception {
        Path c = corpus(dir);
        var text = DataSources.resolve(cfg("source", c.toString()), dir, null, l -> {});
        assertEquals(DataConfig.Format.TEXT, text.config().format());
        assertEquals(DataConfig.Mode.LINES, text.config().mode(), "paths default to lines mode, as before");
        Files.write(c.resolve("sub/tune.mid"), new byte[]{1});
        assertEquals(DataConfig.Format.MIDI, DataSources.resolve(cfg("source", c.toString()), dir, null, l -> {}).config().format());
    }

    @Test
    void builtInGeneratorsKnowTheirOptimumAndMode() {
        Dataset names = Datasets.load(cfg("split", List.of(0.8, 0.1, 0.1), "names", 500, "order", 2, "chain_seed", 3), null);
        assertTrue(names.optimumLoss() > 0 && names.trueTestLoss() > 0);
        assertEquals(names.optimumLoss(), names.trueTestLoss(), 0.15, "test split of 50 names is near the entropy rate");
        assertEquals(64, names.sha256().length());

        Dataset chain = Datasets.load(cfg("source", DataConfig.MARKOV_CHAIN, "tokens", 20_000, "order", 1, "alphabet", 5), null);
        assertEquals(null, chain.eos(), "a continuous stream");
        assertEquals(20_000, chain.splits().train().length() + chain.splits().valid().length() + chain.splits().test().length());
        assertEquals(chain.optimumLoss(), chain.trueTestLoss(), 0.05);
        assertTrue(chain.optimumLoss() < Math.log(5));
        assertEquals("mode: builtin:markov-chain is one continuous stream: use mode: lines".replace("lines", "stream"),
                assertThrows(FieldException.class, () -> Datasets.load(cfg("source", DataConfig.MARKOV_CHAIN, "mode", "lines"), null)).getMessage());

        Dataset copy = Datasets.load(cfg("source", DataConfig.COPY, "examples", 40, "copy_length", 3, "alphabet", 4), null);
        assertEquals(3 * Math.log(4) / 8, copy.optimumLoss(), 1e-12);
        assertEquals(copy.optimumLoss(), copy.trueTestLoss(), 1e-12, "every copy line costs the same");
        assertTrue(copy.splits().test().matches("\n([a-d]{3}\\|[a-d]{3}\n)+"), copy.splits().test());
    }
}

package org.seqlab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.FieldException;
import org.seqlab.core.UserException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    private static DataConfig cfg(String source) {
        return new DataConfig(source, null, null, null, null, null, List.of(0.5, 0.25, 0.25), null, null, null, null, null);
    }

    @Test
    void linesModeSplitsExamplesReproducibly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("names.txt");
        Files.writeString(f, "alpha\nbeta\r\ngamma\n\ndelta\n");
        Dataset a = Datasets.load(cfg(f.toString()), dir), b = Datasets.load(cfg(f.toString()), dir);
        assertEquals(a.splits(), b.splits());
        String all = a.splits().train() + a.splits().valid() + a.splits().test();
        for (String n : List.of("alpha", "beta", "gamma", "delta")) assertTrue(all.contains("\n" + n + "\n"), n);
        assertTrue(a.splits().train().startsWith("\n") && a.splits().train().endsWith("\n"));
        assertEquals("\n", a.eos());
    }

    @Test
    void relativePathsAreTriedAgainstTheExperimentDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("n.txt"), "a\nb\nc\nd\n");
        assertEquals("n", Datasets.load(cfg("n.txt"), dir).name());
    }

    @Test
    void badFilesGetClearErrors(@TempDir Path dir) throws Exception {
        FieldException missing = assertThrows(FieldException.class, () -> Datasets.load(cfg("nope.txt"), dir));
        assertTrue(missing.getMessage().contains("file not found"), missing.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertTrue(assertThrows(FieldException.class, () -> Datasets.load(cfg(empty.toString()), dir))
                .getMessage().contains("is empty"));
        Path bad = Files.write(dir.resolve("bad.txt"), new byte[]{'a', 'b', '\n', 'c', (byte) 0xC3, '(', '\n'});
        UserException e = assertThrows(UserException.class, () -> Datasets.load(cfg(bad.toString()), dir));
        assertTrue(e.getMessage().contains("bad.txt:2:2: invalid UTF-8 byte 0xC3"), e.getMessage());
    }

    @Test
    void markovNamesKnowTheirOptimum() {
        Dataset d = Datasets.load(new DataConfig(null, null, null, null, null, null, null, null, null, 500, 2, 3L), null);
        assertTrue(d.optimumLoss() > 0 && d.trueTestLoss() > 0);
        assertEquals(d.optimumLoss(), d.trueTestLoss(), 0.15, "test split of 50 names is near the entropy rate");
        assertEquals(64, d.sha256().length());
    }
}

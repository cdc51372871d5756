package org.seqlab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.FieldException;
import org.seqlab.core.data.Tokenizer;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.data.WordTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextTokenizersTest {
    private static final String PLAY = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
            + "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\nResolved. resolved.\n";

    @Test
    void wordTokensInStreamModeKeepNewlinesSoTextReadsBack(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("play.txt"), PLAY.repeat(3));
        Dataset d = Datasets.load(DatasetsTest.cfg("source", f.toString(), "mode", "stream", "split", List.of(0.6, 0.2, 0.2)), dir);
        Tokenizer t = TextTokenizers.build(DatasetsTest.text("tokenizer", "word", "unknown", "unk"), d.splits().train(), d.eos());
        assertInstanceOf(WordTokenizer.class, t);
        assertTrue(t.vocabulary().contains("\n") && t.vocabulary().contains("Citizen") && t.vocabulary().contains(","));
        String train = d.splits().train();
        String back = t.decode(t.encode(train, "train"));
        assertEquals(String.join(" ", WordTokenizer.split(train, false)).replace(" ", ""), back.replace(" ", ""), "nothing lost");
        assertTrue(back.contains("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak."), back);
    }

    @Test
    void wordTokensInLinesModeEndEveryExample(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("names.txt"), "Tyrannosaurus Rex\nVelociraptor\nStego saurus\nTri ceratops\n");
        Dataset d = Datasets.load(DatasetsTest.cfg("source", f.toString(), "split", List.of(0.5, 0.25, 0.25)), dir);
        Tokenizer t = TextTokenizers.build(DatasetsTest.text("tokenizer", "word", "lowercase", true, "unknown", "unk"),
                d.splits().train(), d.eos());
        assertEquals(0, t.vocabulary().eosIndex(), "the end of a line is the end-of-sequence token");
        int[] ids = t.encode(d.splits().train(), "train");
        assertEquals(0, ids[0]);
        assertEquals(0, ids[ids.length - 1]);
        assertTrue(t.vocabulary().symbols().stream().allMatch(s -> s.equals(s.toLowerCase())), t.vocabulary().symbols().toString());
    }

    @Test
    void maxVocabKeepsTheMostFrequentAndNeedsSomewhereForTheRest() {
        String train = "the cat and the dog and the bird\n";
        Tokenizer t = TextTokenizers.build(DatasetsTest.text("tokenizer", "word", "max_vocab", 4, "unknown", "unk"), train, null);
        assertEquals(List.of("\n", "the", "and", Vocabulary.UNK), t.vocabulary().symbols());
        assertEquals("the <unk> and", t.decode(t.encode("the fish and", "x")));
        FieldException e = assertThrows(FieldException.class,
                () -> TextTokenizers.build(DatasetsTest.text("tokenizer", "word", "max_vocab", 4), train, null));
        assertEquals("max_vocab: keeps 4 of the training split's 6 distinct words; the others need data.unknown: unk (or skip)", e.getMessage());
        Tokenizer chars = TextTokenizers.build(DatasetsTest.text("max_vocab", 5, "unknown", "unk"), "aaabbc\n", null);
        assertEquals(List.of("\n", "a", "b", "c", Vocabulary.UNK), chars.vocabulary().symbols(), "characters can be capped too");
        assertEquals(List.of("\n", "a", "b", "c"), TextTokenizers.build(DatasetsTest.text(), "cab\n", null).vocabulary().symbols(),
                "without a cap the character vocabulary stays sorted, as before");
    }
}

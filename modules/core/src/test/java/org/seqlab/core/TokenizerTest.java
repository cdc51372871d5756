package org.seqlab.core;

import org.junit.jupiter.api.Test;
import org.seqlab.core.data.CharTokenizer;
import org.seqlab.core.data.Tokenizer;
import org.seqlab.core.data.TokenizerSpec;
import org.seqlab.core.data.UnknownPolicy;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.core.data.WordTokenizer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTest {
    private static final TokenizerSpec WORD = new TokenizerSpec(TokenizerSpec.Kind.WORD, false);

    @Test
    void wordsPunctuationAndNewlinesAreTokens() {
        assertEquals(List.of("First", "Citizen", ":", "\n", "Before", "we", "proceed", ",", "don't", "-", "-", "hear", "me", "!", "\n"),
                WordTokenizer.split("First Citizen:\nBefore  we proceed,\tdon't--hear me!\n", false));
        assertEquals(List.of("o'er", "the", "3", "hills", ",", "é", "t", "é", "(", "x", ")", "\n", "\n"),
                WordTokenizer.split("o'er the 3 hills, é t é (x)\n\n", false));
        assertEquals(List.of("romeo", ":", "\n", "what", "light"), WordTokenizer.split("ROMEO:\nWhat light", true));
    }

    @Test
    void detokenizingRestoresConventionallySpacedText() {
        for (String text : List.of(
                "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n",
                "He said \"yes\" (twice) -- or was it well-known? 'Tis 50% true; don't ask!",
                "KING RICHARD III:\nNow is the winter of our discontent\nMade glorious summer by this sun of York;")) {
            List<String> tokens = WordTokenizer.split(text, false);
            String back = WordTokenizer.detokenize(tokens, false);
            assertEquals(text.replace(" -- ", "--"), back, "round trip of " + text);
        }
    }

    @Test
    void wordVocabularyKeepsTheMostFrequentWithDeterministicTiesAndTheNewline() {
        List<String> tokens = WordTokenizer.split("b a c b a d\nb e\n", false);
        // counts: b 3, a 2, newline 2, c d e 1 each; cap 5 = newline + b + a + c (ties by string order) + <unk>
        Vocabulary v = Vocabulary.ofTokens(tokens, 5, UnknownPolicy.UNK, null, List.of("\n"), WORD);
        assertEquals(List.of("\n", "b", "a", "c", Vocabulary.UNK), v.symbols());
        List<String> reversed = new java.util.ArrayList<>(tokens);
        java.util.Collections.reverse(reversed);
        Vocabulary again = Vocabulary.ofTokens(reversed, 5, UnknownPolicy.UNK, null, List.of("\n"), WORD);
        assertEquals(v, again, "order of the text does not matter, only counts");
        Tokenizer t = Tokenizer.of(v);
        assertInstanceOf(WordTokenizer.class, t);
        assertArrayEquals(new int[]{1, 4, 0, 3, 2}, t.encode("b e\nc a", "x"));
        assertEquals("b <unk>\nc a", t.decode(t.encode("b e\nc a", "x")));
        assertEquals(v, Json.MAPPER.convertValue(Json.MAPPER.valueToTree(v), Vocabulary.class), "JSON keeps the tokenizer");
        FieldException tooSmall = assertThrows(FieldException.class,
                () -> Vocabulary.ofTokens(tokens, 2, UnknownPolicy.UNK, null, List.of("\n"), WORD));
        assertTrue(tooSmall.getMessage().startsWith("max_vocab: is 2 but 2 symbol(s) are reserved"), tooSmall.getMessage());
    }

    @Test
    void unknownWordsNameLineAndColumnAndLowercaseAppliesToEncoding() {
        Vocabulary v = Vocabulary.ofTokens(WordTokenizer.split("the cat sat\n", true), 0, UnknownPolicy.ERROR, null,
                List.of("\n"), new TokenizerSpec(TokenizerSpec.Kind.WORD, true));
        WordTokenizer t = new WordTokenizer(v);
        assertEquals(3, t.encode("The CAT Sat", "x").length);
        UserException e = assertThrows(UserException.class, () -> t.encode("the cat\nsat on", "valid split"));
        assertEquals("valid split:2:5: word 'on' is not in the vocabulary built from the training split"
                + " (set data.unknown to 'unk' or 'skip' to accept it)", e.getMessage());
        assertEquals("The cat sat.", t.join("The cat", "sat."), "the prime, as typed, joins the continuation as running text");
    }

    @Test
    void checkpointsWithoutATokenizerAreCharacterVocabularies() throws Exception {
        Vocabulary old = Json.MAPPER.readValue("{\"symbols\": [\"\\n\", \"a\"], \"unknown\": \"error\", \"eos\": \"\\n\"}", Vocabulary.class);
        assertEquals(TokenizerSpec.CHAR, old.tokenizer());
        assertInstanceOf(CharTokenizer.class, Tokenizer.of(old));
        Vocabulary lower = Vocabulary.ofCharacters("ab", UnknownPolicy.ERROR, null, new TokenizerSpec(TokenizerSpec.Kind.CHAR, true));
        assertArrayEquals(new int[]{0, 1}, Tokenizer.of(lower).encode("AB", "x"));
    }
}

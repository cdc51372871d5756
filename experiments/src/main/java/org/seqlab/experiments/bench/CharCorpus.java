package org.seqlab.experiments.bench;

import org.seqlab.core.data.CharTokenizer;
import org.seqlab.core.data.UnknownPolicy;
import org.seqlab.core.data.Vocabulary;
import org.seqlab.data.TextFiles;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A benchmark's character corpus: the whole file as one token stream over its own characters, and
 * the split the PyTorch peers use (the first 90% to train on, the rest to validate).
 */
record CharCorpus(Path file, Vocabulary vocabulary, int[] stream) {
    static CharCorpus read(Path file) {
        String text = TextFiles.readUtf8(file);
        Vocabulary v = Vocabulary.ofCharacters(text, UnknownPolicy.ERROR, null);
        return new CharCorpus(file, v, new CharTokenizer(v).encode(text, file.toString()));
    }

    private int peerSplit() {
        return (int) (stream.length * 0.9);
    }

    int[] peerTrain() {
        return Arrays.copyOf(stream, peerSplit());
    }

    int[] peerValid() {
        return Arrays.copyOfRange(stream, peerSplit(), stream.length);
    }
}

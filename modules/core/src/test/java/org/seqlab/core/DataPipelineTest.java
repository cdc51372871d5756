package org.seqlab.core;

import org.junit.jupiter.api.Test;
import org.seqlab.core.data.CharTokenizer;
import org.seqlab.core.data.ExampleBatches;
import org.seqlab.core.data.FrameTunes;
import org.seqlab.core.data.SequentialWindows;
import org.seqlab.core.data.RandomWindows;
import org.seqlab.core.data.SequentialPass;
import org.seqlab.core.data.UnknownPolicy;
import org.seqlab.core.data.Vocabulary;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataPipelineTest {
    @Test
    void vocabularyIsSortedWithEosFirstAndRoundTrips() {
        Vocabulary v = Vocabulary.ofCharacters("\nbca\nab\n", UnknownPolicy.ERROR, "\n");
        assertEquals(List.of("\n", "a", "b", "c"), v.symbols());
        CharTokenizer t = new CharTokenizer(v);
        assertArrayEquals(new int[]{2, 1, 0, 3}, t.encode("ba\nc", "x"));
        assertEquals("ba\nc", t.decode(t.encode("ba\nc", "x")));
        assertEquals(v, Json.MAPPER.convertValue(Json.MAPPER.valueToTree(v), Vocabulary.class), "JSON round trip");
    }

    @Test
    void unknownCharactersFollowThePolicy() {
        String train = "abc\n";
        UserException e = assertThrows(UserException.class,
                () -> new CharTokenizer(Vocabulary.ofCharacters(train, UnknownPolicy.ERROR, null)).encode("ab\ncz", "valid.txt"));
        assertTrue(e.getMessage().startsWith("valid.txt:2:2: character 'z' (U+007A) is not in the vocabulary"), e.getMessage());
        Vocabulary unk = Vocabulary.ofCharacters(train, UnknownPolicy.UNK, null);
        assertEquals("a\uFFFDc", new CharTokenizer(unk).decode(new CharTokenizer(unk).encode("azc", "x")));
        assertArrayEquals(new int[]{1, 3}, new CharTokenizer(Vocabulary.ofCharacters(train, UnknownPolicy.SKIP, null)).encode("azc", "x"));
    }

    @Test
    void sequentialPassPredictsEveryTokenExactlyOnceInOrder() {
        int[] stream = new int[103];
        for (int i = 0; i < stream.length; i++) stream[i] = i;
        List<TokenBatch> batches = SequentialPass.of(stream, 4, 10);
        int[] seen = new int[stream.length];
        for (int bi = 0; bi < batches.size(); bi++) {
            TokenBatch b = batches.get(bi);
            assertEquals(bi > 0, b.continues());
            for (int i = 0; i < b.rows() * b.length(); i++)
                if (b.mask()[i] == 1) {
                    assertEquals(b.inputs()[i] + 1, b.targets()[i]);
                    seen[b.targets()[i]]++;
                }
        }
        for (int i = 1; i < stream.length; i++) assertEquals(1, seen[i], "token " + i);
        assertEquals(0, seen[0], "the first token is context only");
    }

    @Test
    void randomWindowsAreSeededNextTokenPairs() {
        int[] stream = new int[50];
        for (int i = 0; i < 50; i++) stream[i] = i;
        RandomWindows a = new RandomWindows(stream, 3, 7, new SplittableRandom(1));
        RandomWindows b = new RandomWindows(stream, 3, 7, new SplittableRandom(1));
        TokenBatch x = a.next(), y = b.next();
        assertArrayEquals(x.inputs(), y.inputs());
        for (int i = 0; i < 21; i++) assertEquals(x.inputs()[i] + 1, x.targets()[i]);
        assertFalse(x.continues());
        assertEquals(3, a.batchesPerEpoch(), "49 predictions / 21 per batch, rounded up");
    }

    @Test
    void sequentialWindowsWalkLanesAndCarryState() {
        int[] stream = new int[41];
        for (int i = 0; i < stream.length; i++) stream[i] = i;
        SequentialWindows w = new SequentialWindows(stream, 2, 5);   // lanes of 20 steps: 4 windows
        assertEquals(4, w.batchesPerEpoch());
        TokenBatch first = w.next(), second = w.next();
        assertFalse(first.continues());
        assertTrue(second.continues());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 20, 21, 22, 23, 24}, first.inputs());
        assertArrayEquals(new int[]{5, 6, 7, 8, 9, 25, 26, 27, 28, 29}, second.inputs());
        w.next();
        w.next();
        assertFalse(w.next().continues(), "a new epoch starts from fresh state");
        assertThrows(IllegalArgumentException.class, () -> new SequentialWindows(stream, 8, 10));
    }

    @Test
    void exampleBatchesPutOneExamplePerRowWithMasks() {
        int eos = 0;
        int[] stream = {0, 5, 6, 0, 7, 0, 8, 9, 9, 0};    // examples: [5 6], [7], [8 9 9]
        List<TokenBatch> pass = ExampleBatches.pass(stream, eos, 2);
        assertEquals(2, pass.size());
        TokenBatch b = pass.get(0);
        assertEquals(3, b.length(), "padded to the longest example in the batch");
        assertArrayEquals(new int[]{0, 5, 6, 0, 7, 0}, b.inputs());
        assertArrayEquals(new int[]{5, 6, 0, 7, 0, 0}, b.targets());
        assertArrayEquals(new float[]{1, 1, 1, 1, 1, 0}, b.mask());
        long predictions = pass.stream().mapToLong(TokenBatch::steps).sum();
        assertEquals(stream.length - 1, predictions, "the same predictions as a sequential pass");
        ExampleBatches train = new ExampleBatches(stream, eos, 2, new SplittableRandom(1));
        assertEquals(2, train.batchesPerEpoch());
        long seen = train.next().steps() + train.next().steps();
        assertEquals(9, seen, "an epoch visits every example once");
    }

    @Test
    void frameTunesWalkWholeTunesInChunksSizedToTheData() {
        java.util.List<float[][]> tunes = new java.util.ArrayList<>();
        int[] lengths = {7, 3, 12, 5, 2};
        for (int n = 0; n < lengths.length; n++) {
            float[][] t = new float[lengths[n]][3];
            for (int f = 0; f < t.length; f++) t[f][0] = n * 100 + f;     // tune n, frame f
            tunes.add(t);
        }
        java.util.List<org.seqlab.core.FrameBatch> pass = FrameTunes.pass(tunes, 2, 4);
        java.util.Map<Float, Integer> predicted = new java.util.HashMap<>();
        // groups by length: (12, 7) walked as 4 + 4 + 3 frames, (5, 3) as 4, (2) as 1: no chunk longer than its tunes need
        assertEquals(List.of(4, 4, 3, 4, 1), pass.stream().map(org.seqlab.core.FrameBatch::length).toList());
        for (org.seqlab.core.FrameBatch b : pass) {
            assertEquals(2, b.rows());
            for (int i = 0; i < 2 * b.length(); i++)
                if (b.mask()[i] == 1) {
                    assertEquals(b.inputs()[i * 3] + 1, b.targets()[i * 3], 0f, "the target is the next frame");
                    predicted.merge(b.targets()[i * 3], 1, Integer::sum);
                }
        }
        int expected = 0;
        for (int len : lengths) expected += len - 1;
        assertEquals(expected, predicted.size(), "every frame but the first of each tune is predicted");
        assertTrue(predicted.values().stream().allMatch(c -> c == 1), "exactly once");
        assertTrue(pass.get(1).continues() && !pass.get(0).continues(), "chunks of one group continue each other");
        FrameTunes train = new FrameTunes(tunes, 2, 4, new SplittableRandom(3));
        assertEquals(pass.size(), train.batchesPerEpoch());

        // chunk 200: a group's last chunk rounded up to a quarter (50), so at most four lengths
        float[][] sixty = new float[61][3], longer = new float[431][3];
        List<Integer> lengths200 = FrameTunes.pass(List.<float[][]>of(sixty, longer), 1, 200).stream().map(org.seqlab.core.FrameBatch::length).toList();
        assertEquals(List.of(200, 200, 50, 100), lengths200, "430 steps: 200 + 200 + 30 (as 50); 60 steps as 100");
    }

    /**
     * batching: examples on piano rolls: each epoch predicts every frame of every tune once, each
     * tune whole in one row from its first frame; the batches are dealt anew every epoch, and rows
     * of one batch come sorted out of a shuffled pool, so padding stays small.
     */
    @Test
    void wholeTunesAreDealtIntoNewBatchesOfSimilarLengthEveryEpoch() {
        SplittableRandom lengths = new SplittableRandom(5);
        java.util.List<float[][]> tunes = new java.util.ArrayList<>();
        for (int n = 0; n < 300; n++) {
            float[][] t = new float[40 + lengths.nextInt(400)][2];
            for (int f = 0; f < t.length; f++) t[f][0] = n * 10_000 + f;     // tune n, frame f
            tunes.add(t);
        }
        org.seqlab.core.data.WholeTunes train = new org.seqlab.core.data.WholeTunes(tunes, 8, new SplittableRandom(2), 0);
        assertEquals(38, train.batchesPerEpoch(), "300 tunes in batches of 8");
        java.util.Set<java.util.Set<Float>> firstEpoch = new java.util.HashSet<>();
        int repeated = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            java.util.Map<Float, Integer> predicted = new java.util.HashMap<>();
            long computed = 0, real = 0;
            for (int b = 0; b < train.batchesPerEpoch(); b++) {
                org.seqlab.core.FrameBatch batch = train.next();
                assertFalse(batch.continues(), "every batch starts its tunes");
                java.util.Set<Float> starts = new java.util.HashSet<>();
                for (int r = 0; r < batch.rows(); r++) {
                    int row = r * batch.length();
                    if (batch.mask()[row] == 1) {
                        assertEquals(0f, batch.inputs()[row * 2] % 10_000, "row " + r + " starts at its tune's first frame");
                        starts.add(batch.inputs()[row * 2]);
                    }
                    for (int t = 0; t < batch.length(); t++)
                        if (batch.mask()[row + t] == 1) {
                            assertEquals(batch.inputs()[(row + t) * 2] + 1, batch.targets()[(row + t) * 2], 0f, "the target is the next frame");
                            predicted.merge(batch.targets()[(row + t) * 2], 1, Integer::sum);
                            real++;
                        }
                }
                computed += (long) batch.rows() * batch.length();
                if (epoch == 0) firstEpoch.add(starts);
                else if (firstEpoch.contains(starts)) repeated++;
            }
            long expected = tunes.stream().mapToLong(t -> t.length - 1).sum();
            assertEquals(expected, predicted.size(), "every frame but each tune's first is predicted");
            assertTrue(predicted.values().stream().allMatch(c -> c == 1), "exactly once");
            double padding = 1 - (double) real / computed;
            assertTrue(padding < 0.12, "sorted pools keep padding small: " + padding);
        }
        // tunes of distinct lengths sorted in pools of 256 fall into similar batches; still most are new
        assertTrue(repeated < train.batchesPerEpoch() / 4, "epoch 2 deals new batches: " + repeated + " of " + train.batchesPerEpoch() + " repeated");
        assertEquals(List.of(16, 18, 208, 256, 288, 1792), java.util.stream.IntStream.of(16, 17, 200, 254, 258, 1787)
                .map(org.seqlab.core.data.WholeTunes::rounded).boxed().toList(), "eight lengths per octave");
    }

    /** Transposition moves every note by the same number of keys and drops what leaves the keyboard. */
    @Test
    void transposingMovesEveryNoteAndDropsWhatLeavesTheKeyboard() {
        float[][] tune = {{1, 0, 0, 1}, {0, 1, 0, 0}};
        assertArrayEquals(new float[][]{{0, 1, 0, 0}, {0, 0, 1, 0}}, FrameTunes.transpose(tune, 1));
        assertArrayEquals(new float[][]{{0, 0, 1, 0}, {1, 0, 0, 0}}, FrameTunes.transpose(tune, -1));
        assertArrayEquals(new float[][]{{1, 0, 0, 0}, {0, 0, 0, 0}}, FrameTunes.transpose(tune, -3));
        assertTrue(FrameTunes.transpose(tune, 0) == tune);
    }

    /**
     * With transposition each epoch draws a shift per tune: the notes of a one-note tune land on
     * every key of the range over epochs, the same tune and frames are predicted (same masks), and
     * without it the batches are the tunes themselves.
     */
    @Test
    void augmentedEpochsTransposeEachTuneByADrawnShift() {
        float[][] tune = new float[9][11];
        for (float[] f : tune) f[5] = 1;                                   // one key held: key 5
        FrameTunes plain = new FrameTunes(List.<float[][]>of(tune), 1, 4, new SplittableRandom(1));
        FrameTunes moved = new FrameTunes(List.<float[][]>of(tune), 1, 4, new SplittableRandom(1), 2);
        java.util.Set<Integer> keys = new java.util.TreeSet<>();
        for (int epoch = 0; epoch < 40; epoch++)
            for (int b = 0; b < plain.batchesPerEpoch(); b++) {
                org.seqlab.core.FrameBatch p = plain.next(), m = moved.next();
                assertArrayEquals(p.mask(), m.mask(), "the same frames are predicted");
                assertEquals(1f, p.inputs()[5]);
                for (int k = 0; k < 11; k++) if (m.inputs()[k] == 1f) keys.add(k);
            }
        assertEquals(java.util.Set.of(3, 4, 5, 6, 7), keys, "shifts -2..2, each drawn");
    }

    @Test
    void unigramBaselineIsTheSmoothedFrequencyCrossEntropy() {
        int[] train = {0, 0, 0, 1};           // targets 0,0,1 -> counts+1: 3, 2 of 5
        int[] test = {0, 1, 0};               // targets 1, 0
        EvalStats s = UnigramBaseline.evaluate(train, test, 2);
        assertEquals(-(Math.log(2 / 5.0) + Math.log(3 / 5.0)), s.lossSum(), 1e-12);
        assertEquals(1, s.correct());
        Metrics m = Metrics.of(s);
        assertEquals(Math.exp(m.loss()), m.perplexity(), 1e-12);
        assertEquals(m.loss() / Math.log(2), m.bitsPerToken(), 1e-12);
        assertEquals(0.5, m.accuracy());
    }
}

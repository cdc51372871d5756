package org.seqlab.data.music;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.UserException;

import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PianoRollTest {
    @TempDir
    Path dir;

    private static final String JSON = """
            {"train": [[[60, 64, 67], [60], []], [[21], [108]]],
             "valid": [[[62], [62, 65]]],
             "test":  [[[40], [41], [42, 43]]]}
            """;

    @Test
    void readsTheBenchmarkJsonIntoMultiHotFrames() throws Exception {
        PianoRollSet set = PianoRollJson.read(Files.writeString(dir.resolve("tiny.json"), JSON));
        assertEquals(2, set.train().size());
        float[][] first = set.train().get(0);
        assertEquals(3, first.length);
        assertEquals(PianoRoll.KEYS, first[0].length);
        assertEquals(1f, first[0][60 - 21]);
        assertEquals(1f, first[0][67 - 21]);
        assertEquals(0f, first[1][64 - 21]);
        assertEquals(1f, set.train().get(1)[1][87], "MIDI 108 is the top key");
        assertEquals(3, PianoRollSet.predictions(set.train()), "every frame but each tune's first");
        assertEquals(64, set.sha256().length());
    }

    @Test
    void readsTheOriginalPicklesToo() throws Exception {
        // the benchmarks' pickles hold {"train": [[(60.0, 64.0), ...], ...], ...}: tuples of float pitches
        java.util.Map<String, Object> data = new java.util.HashMap<>();
        data.put("train", java.util.List.of(java.util.List.of(new Object[]{60.0, 64.0}, new Object[]{}, new Object[]{67.0})));
        data.put("valid", java.util.List.of(java.util.List.of(new Object[]{62.0}, new Object[]{62.0})));
        data.put("test", java.util.List.of(java.util.List.of(new Object[]{40.0}, new Object[]{41.0})));
        Path file = Files.write(dir.resolve("JSB Chorales.pickle"), new net.razorvine.pickle.Pickler().dumps(data));
        PianoRollSet set = PianoRollJson.read(file);
        assertEquals("JSB Chorales", set.name());
        assertEquals(3, set.train().get(0).length);
        assertEquals(1f, set.train().get(0)[0][64 - 21]);
        assertEquals(1f, set.train().get(0)[2][67 - 21]);
        Files.write(dir.resolve("bad.pickle"), new byte[]{(byte) 0x80, 2, 'x'});
        assertTrue(assertThrows(UserException.class, () -> PianoRollJson.read(dir.resolve("bad.pickle"))).getMessage()
                .contains("not a readable piano-roll pickle file"));
    }

    @Test
    void badFilesNameTheFileAndThePlace() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), JSON.replace("[41]", "[141]"));
        UserException e = assertThrows(UserException.class, () -> PianoRollJson.read(bad));
        assertTrue(e.getMessage().endsWith("bad.json: test[0][1]: pitch 141 is outside the piano (21..108)"), e.getMessage());
        Path missing = Files.writeString(dir.resolve("missing.json"), "{\"train\": [[[60],[61]]], \"valid\": []}");
        assertTrue(assertThrows(UserException.class, () -> PianoRollJson.read(missing)).getMessage().contains("\"valid\" must be a non-empty list"));
        Path notJson = Files.writeString(dir.resolve("x.json"), "not json");
        assertTrue(assertThrows(UserException.class, () -> PianoRollJson.read(notJson)).getMessage().contains("not a readable piano-roll JSON"));
    }

    @Test
    void writesMidiThatJavaSoundReadsBack() throws Exception {
        float[][] roll = new float[8][PianoRoll.KEYS];
        for (int f = 0; f < 4; f++) roll[f][60 - 21] = 1;        // C4 held 4 frames
        roll[2][64 - 21] = roll[3][64 - 21] = 1;                  // E4 enters on frame 2
        for (int f = 5; f < 8; f++) roll[f][67 - 21] = 1;         // G4 at the end
        Sequence seq = MidiSystem.getSequence(new ByteArrayInputStream(MidiWriter.write(roll, 120, 120)));
        int ons = 0, offs = 0;
        long c4On = -1, c4Off = -1;
        for (int i = 0; i < seq.getTracks()[0].size(); i++) {
            MidiEvent ev = seq.getTracks()[0].get(i);
            if (ev.getMessage() instanceof ShortMessage m) {
                if (m.getCommand() == ShortMessage.NOTE_ON) { ons++; if (m.getData1() == 60) c4On = ev.getTick(); }
                if (m.getCommand() == ShortMessage.NOTE_OFF) { offs++; if (m.getData1() == 60) c4Off = ev.getTick(); }
            }
        }
        assertEquals(3, ons);
        assertEquals(3, offs, "every note ends, the last at the end of the roll");
        assertEquals(0, c4On);
        assertEquals(4 * 120, c4Off, "4 frames of 120 ticks");
        assertEquals(480, seq.getResolution());
    }
}

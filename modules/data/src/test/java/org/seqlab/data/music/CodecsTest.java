package org.seqlab.data.music;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqlab.core.UserException;

import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecsTest {
    @TempDir
    Path dir;

    /** Random polyphonic music on a 1/8 s grid, with repeated notes and chords. */
    static List<Note> music(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Note> notes = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < 60; i++) {
            int voices = 1 + r.nextInt(3);
            double len = (1 + r.nextInt(6)) * 0.125;
            for (int v = 0; v < voices; v++) notes.add(new Note(48 + r.nextInt(30), t, t + len, 20 + r.nextInt(100)));
            t += (r.nextInt(4)) * 0.125 + (r.nextInt(5) == 0 ? 2.5 : 0);
        }
        return notes;
    }

    @Test
    void everyCodecRoundTrips() {
        for (long seed = 1; seed <= 5; seed++) {
            List<Note> notes = music(seed);
            for (MusicCodec c : List.of(new EventCodec(), new MelodyCodec(0.125))) {
                int[] tokens = c.encode(notes);
                assertTrue(tokens.length > 10, c.getClass().getSimpleName());
                for (int t : tokens) assertTrue(t >= 0 && t < c.vocabulary().size(), "token in range: " + t);
                assertArrayEquals(tokens, c.encode(c.decode(tokens)), c.getClass().getSimpleName() + " seed " + seed);
            }
            PianoRollCodec roll = new PianoRollCodec(0.125);
            float[][] frames = roll.toFrames(notes);
            assertArrayEquals(frames, roll.toFrames(roll.toNotes(frames)), "piano roll seed " + seed);
        }
        assertEquals(388, new EventCodec().vocabulary().size(), "the Performance RNN vocabulary");
    }

    @Test
    void eventsKeepTimingAndPitchesToTenMilliseconds() {
        List<Note> notes = List.of(new Note(60, 0.0, 0.5, 100), new Note(64, 0.25, 1.75, 40), new Note(67, 3.0, 3.01, 64));
        List<Note> back = new EventCodec().decode(new EventCodec().encode(notes));
        assertEquals(3, back.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(notes.get(i).pitch(), back.get(i).pitch());
            assertEquals(notes.get(i).start(), back.get(i).start(), 0.0051);
            assertEquals(notes.get(i).end(), back.get(i).end(), 0.0051);
            assertEquals(notes.get(i).velocity(), back.get(i).velocity(), 4, "velocity survives its 32 bins");
        }
    }

    @Test
    void melodyIsTheTopVoice() {
        List<Note> chord = List.of(new Note(60, 0, 0.5, 80), new Note(64, 0, 0.5, 80), new Note(72, 0.25, 0.5, 80));
        List<Note> melody = new MelodyCodec(0.125).decode(new MelodyCodec(0.125).encode(chord));
        assertEquals(List.of(64, 72), melody.stream().map(Note::pitch).toList());
        assertEquals(0.25, melody.get(0).end(), 1e-9, "the lower note yields when a higher one starts");
    }

    private Path midi(String name, int type, boolean tempoChange) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 96);
        Track conductor = seq.createTrack();
        conductor.add(new MidiEvent(new MetaMessage(0x51, new byte[]{0x07, (byte) 0xA1, 0x20}, 3), 0));          // 120 bpm
        if (tempoChange) conductor.add(new MidiEvent(new MetaMessage(0x51, new byte[]{0x0F, 0x42, 0x40}, 3), 192)); // 60 bpm from beat 2
        Track t = type == 0 ? conductor : seq.createTrack();
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 60, 90), 0));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 60, 0), 96));      // note-on velocity 0 = note-off
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 1, 67, 70), 192));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 1, 67, 0), 288));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 9, 36, 100), 0));     // a drum hit
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 9, 36, 0), 48));
        Path f = dir.resolve(name);
        MidiSystem.write(seq, type, f.toFile());
        return f;
    }

    @Test
    void readsType0AndType1WithTempoChangesAndWithoutDrums() throws Exception {
        for (int type : new int[]{0, 1}) {
            MidiReader.Song s = MidiReader.read(midi("t" + type + ".mid", type, true), false);
            assertEquals(2, s.notes().size(), "drums left out");
            assertEquals(0.5, s.notes().get(0).end(), 1e-9, "96 ticks at 120 bpm");
            assertEquals(1.0, s.notes().get(1).start(), 1e-9);
            assertEquals(2.0, s.notes().get(1).end(), 1e-9, "after the change to 60 bpm a beat lasts 1 s");
        }
        assertEquals(3, MidiReader.read(dir.resolve("t1.mid"), true).notes().size(), "drums when asked");
    }

    @Test
    void corruptFilesAreNamedAndSkippedInADirectory() throws Exception {
        midi("good.mid", 1, false);
        Files.write(dir.resolve("broken.mid"), new byte[]{'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1});
        Files.writeString(dir.resolve("notes.txt"), "not music");
        UserException e = assertThrows(UserException.class, () -> MidiReader.read(dir.resolve("broken.mid"), false));
        assertTrue(e.getMessage().startsWith(dir.resolve("broken.mid") + ": "), e.getMessage());
        MidiReader.Collection c = MidiReader.readDirectory(dir, false);
        assertEquals(1, c.songs().size());
        assertEquals(1, c.skipped().size());
        assertTrue(c.skipped().get(0).contains("broken.mid"));
    }

    @Test
    void notesWrittenToMidiReadBackTheSame() throws Exception {
        List<Note> notes = List.of(new Note(60, 0, 0.5, 90), new Note(64, 0.5, 1.25, 60));
        Path f = Files.write(dir.resolve("w.mid"), MidiWriter.write(notes, 1));
        assertEquals(notes, MidiReader.read(f, false).notes());
    }
}

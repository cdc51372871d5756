package org.seqlab.data.music;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Piano roll to a standard MIDI file (type 1, one piano track): a key that turns on starts a note,
 * a key that turns off ends it. Frames are 16th notes at the given tempo by default.
 */
public final class MidiWriter {
    private MidiWriter() {}

    /** Notes (seconds) to a MIDI file at 120 bpm, 480 ticks per quarter (960 ticks per second). */
    public static byte[] write(java.util.List<Note> notes, int type) {
        try {
            Sequence seq = new Sequence(Sequence.PPQ, 480);
            Track track = seq.createTrack();
            track.add(new MidiEvent(new MetaMessage(0x51, new byte[]{0x07, (byte) 0xA1, 0x20}, 3), 0));   // 500000 us per quarter
            for (Note n : notes) {
                track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, n.pitch(), n.velocity()), Math.round(n.start() * 960)));
                track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, n.pitch(), 0), Math.round(n.end() * 960)));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MidiSystem.write(seq, type, out);
            return out.toByteArray();
        } catch (InvalidMidiDataException | IOException e) {
            throw new IllegalStateException("cannot write MIDI: " + e.getMessage(), e);
        }
    }

    /**
     * @param ticksPerFrame MIDI ticks per frame at 480 ticks per quarter note (120 = a 16th note)
     */
    public static byte[] write(float[][] frames, int bpm, int ticksPerFrame) {
        try {
            Sequence seq = new Sequence(Sequence.PPQ, 480);
            Track track = seq.createTrack();
            int mpq = 60_000_000 / bpm;
            track.add(new MidiEvent(new MetaMessage(0x51, new byte[]{(byte) (mpq >> 16), (byte) (mpq >> 8), (byte) mpq}, 3), 0));
            track.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, 0, 0, 0), 0));
            boolean[] on = new boolean[PianoRoll.KEYS];
            for (int f = 0; f <= frames.length; f++) {
                long tick = (long) f * ticksPerFrame;
                for (int k = 0; k < PianoRoll.KEYS; k++) {
                    boolean now = f < frames.length && frames[f][k] > 0.5f;
                    if (now && !on[k]) track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, PianoRoll.pitch(k), 80), tick));
                    if (!now && on[k]) track.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, PianoRoll.pitch(k), 0), tick));
                    on[k] = now;
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MidiSystem.write(seq, 1, out);
            return out.toByteArray();
        } catch (InvalidMidiDataException | IOException e) {
            throw new IllegalStateException("cannot write MIDI: " + e.getMessage(), e);
        }
    }
}

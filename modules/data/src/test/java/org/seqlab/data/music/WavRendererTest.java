package org.seqlab.data.music;

import org.junit.jupiter.api.Test;

import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WavRendererTest {
    /** The rendered samples of {@code wav} as values in [-1, 1]. */
    private static double[] samples(byte[] wav) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            assertEquals(WavRenderer.FORMAT.getSampleRate(), in.getFormat().getSampleRate());
            assertEquals(1, in.getFormat().getChannels());
            byte[] b = in.readAllBytes();
            double[] x = new double[b.length / 2];
            for (int i = 0; i < x.length; i++) x[i] = (short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8)) / 32768.0;
            return x;
        }
    }

    /** Energy of {@code x[from, to)} at {@code hz} (Goertzel's algorithm: one bin of a DFT). */
    private static double energyAt(double[] x, int from, int to, double hz) {
        double w = 2 * Math.PI * hz / WavRenderer.FORMAT.getSampleRate(), c = 2 * Math.cos(w), s1 = 0, s2 = 0;
        for (int i = from; i < to; i++) {
            double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * (i - from) / (to - from - 1));
            double s = x[i] * hann + c * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return s1 * s1 + s2 * s2 - c * s1 * s2;
    }

    /** One A4 (MIDI 69, 440 Hz) held for a second: its energy sits at 440 Hz, not a semitone away, and the tail rings out. */
    @Test
    void aRenderedNoteHasItsEnergyAtItsPitch() throws Exception {
        byte[] midi = MidiWriter.write(List.of(new Note(69, 0.0, 1.0, 100)), 1);
        double[] x = samples(WavRenderer.render(midi));
        double rate = WavRenderer.FORMAT.getSampleRate();
        assertEquals(2.0, x.length / rate, 0.05, "the note's second and one second of tail");
        int from = (int) (0.1 * rate), to = (int) (0.9 * rate);
        double a = energyAt(x, from, to, 440), below = energyAt(x, from, to, 415.30), above = energyAt(x, from, to, 466.16);
        double octaveBelow = energyAt(x, from, to, 220);
        assertTrue(a > 50 * below && a > 50 * above && a > 50 * octaveBelow,
                String.format("energy at 440 Hz %.3g, at 415 Hz %.3g, at 466 Hz %.3g, at 220 Hz %.3g", a, below, above, octaveBelow));
        double loud = 0, quiet = 0;
        for (int i = from; i < to; i++) loud += x[i] * x[i];
        for (int i = (int) (1.9 * rate); i < x.length; i++) quiet += x[i] * x[i];
        assertTrue(loud / (to - from) > 100 * quiet / Math.max(1, x.length - (int) (1.9 * rate)), "sound while the note is held, near silence at the end");
    }

    /** A tempo change is followed: the same 8 ticks-per-quarter note lasts half as long at 240 bpm. */
    @Test
    void tempoChangesAreFollowed() throws Exception {
        float[][] frames = new float[8][PianoRoll.KEYS];
        for (float[] f : frames) f[PianoRoll.KEYS / 2] = 1;
        double slow = samples(WavRenderer.render(MidiWriter.write(frames, 120, 120))).length / WavRenderer.FORMAT.getSampleRate();
        double fast = samples(WavRenderer.render(MidiWriter.write(frames, 240, 120))).length / WavRenderer.FORMAT.getSampleRate();
        assertEquals(8 * 0.125 + 1, slow, 0.05);
        assertEquals(8 * 0.0625 + 1, fast, 0.05);
    }

    @Test
    void bytesThatAreNotMidiAreRefused() {
        IOException e = assertThrows(IOException.class, () -> WavRenderer.render("not midi".getBytes()));
        assertTrue(e.getMessage().startsWith("not a MIDI file"), e.getMessage());
    }
}

package org.seqlab.data.music;

/**
 * The 88-key piano roll used by the polyphonic benchmarks (JSB Chorales, Nottingham, MuseData,
 * Piano-midi.de): unit k is MIDI pitch 21 + k (A0..C8); a frame is multi-hot.
 */
public final class PianoRoll {
    public static final int KEYS = 88;
    public static final int LOWEST = 21;
    public static final int HIGHEST = LOWEST + KEYS - 1;

    private PianoRoll() {}

    public static int key(int midiPitch) {
        return midiPitch - LOWEST;
    }

    public static int pitch(int key) {
        return key + LOWEST;
    }
}

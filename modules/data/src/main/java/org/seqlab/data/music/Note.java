package org.seqlab.data.music;

/**
 * One note: MIDI pitch, start and end in seconds, velocity 1..127.
 */
public record Note(int pitch, double start, double end, int velocity) {
    public Note {
        if (pitch < 0 || pitch > 127) throw new IllegalArgumentException("pitch " + pitch + " outside 0..127");
        if (!(end > start)) throw new IllegalArgumentException("a note must end after it starts: " + start + ".." + end);
        if (velocity < 1 || velocity > 127) throw new IllegalArgumentException("velocity " + velocity + " outside 1..127");
    }
}

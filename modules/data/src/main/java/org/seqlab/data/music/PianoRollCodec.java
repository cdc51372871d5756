package org.seqlab.data.music;

import java.util.ArrayList;
import java.util.List;

/**
 * Notes to 88-key multi-hot frames at a fixed quantisation ({@code stepSeconds} per frame) and
 * back: a key that is on in consecutive frames is one note. Frames round-trip exactly
 * ({@code toFrames(toNotes(f))} equals {@code f}); pitches outside the piano are dropped.
 */
public final class PianoRollCodec {
    private final double step;

    public PianoRollCodec(double stepSeconds) {
        this.step = stepSeconds;
    }

    public float[][] toFrames(List<Note> notes) {
        double end = notes.stream().mapToDouble(Note::end).max().orElse(0);
        float[][] frames = new float[(int) Math.round(end / step)][PianoRoll.KEYS];
        for (Note n : notes) {
            if (n.pitch() < PianoRoll.LOWEST || n.pitch() > PianoRoll.HIGHEST) continue;
            int a = (int) Math.round(n.start() / step), b = Math.max(a + 1, (int) Math.round(n.end() / step));
            for (int f = a; f < Math.min(b, frames.length); f++) frames[f][PianoRoll.key(n.pitch())] = 1f;
        }
        return frames;
    }

    public List<Note> toNotes(float[][] frames) {
        List<Note> notes = new ArrayList<>();
        for (int k = 0; k < PianoRoll.KEYS; k++) {
            int start = -1;
            for (int f = 0; f <= frames.length; f++) {
                boolean on = f < frames.length && frames[f][k] > 0.5f;
                if (on && start < 0) start = f;
                if (!on && start >= 0) {
                    notes.add(new Note(PianoRoll.pitch(k), start * step, f * step, 80));
                    start = -1;
                }
            }
        }
        notes.sort(java.util.Comparator.comparingDouble(Note::start).thenComparingInt(Note::pitch));
        return notes;
    }
}

package org.seqlab.data.music;

import java.util.ArrayList;
import java.util.List;

/**
 * The top voice as (pitch, duration) tokens, the compact vocabulary of course-style melody
 * models: time is a grid of {@code stepSeconds} (a 16th note at 120 bpm by default); at every
 * grid step the highest sounding note is the melody; a token is a pitch (or a rest) with a
 * duration of 1..16 steps (longer notes continue with a "tie" token of the same pitch).
 */
public final class MelodyCodec implements MusicCodec {
    static final int MAX = 16;
    private final double step;

    public MelodyCodec(double stepSeconds) {
        this.step = stepSeconds;
    }

    /** Token of pitch p (0..127, or 128 for a rest), duration d (1..MAX), tied to the previous or not. */
    private static int token(int pitch, int duration, boolean tie) {
        return ((tie ? 129 : 0) + pitch) * MAX + (duration - 1);
    }

    @Override
    public List<String> vocabulary() {
        List<String> v = new ArrayList<>();
        for (int tie = 0; tie < 2; tie++)
            for (int p = 0; p <= 128; p++)
                for (int d = 1; d <= MAX; d++) v.add((tie == 1 ? "tie-" : "") + (p == 128 ? "rest" : "p" + p) + "x" + d);
        return v;
    }

    @Override
    public int[] encode(List<Note> notes) {
        double end = notes.stream().mapToDouble(Note::end).max().orElse(0);
        int steps = (int) Math.round(end / step);
        int[] top = new int[steps];
        boolean[] onset = new boolean[steps];
        java.util.Arrays.fill(top, 128);
        for (Note n : notes) {
            int a = (int) Math.round(n.start() / step), b = Math.max(a + 1, (int) Math.round(n.end() / step));
            for (int s = a; s < Math.min(b, steps); s++)
                if (top[s] == 128 || n.pitch() > top[s]) {
                    top[s] = n.pitch();
                    onset[s] = s == a;
                } else if (n.pitch() == top[s] && s == a) onset[s] = true;
        }
        List<Integer> out = new ArrayList<>();
        int s = 0;
        while (s < steps) {
            int p = top[s], len = 1;
            while (s + len < steps && top[s + len] == p && !(p != 128 && onset[s + len])) len++;
            boolean tie = false;
            for (int left = len; left > 0; left -= MAX) {
                out.add(token(p, Math.min(left, MAX), tie));
                tie = true;
            }
            s += len;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public List<Note> decode(int[] tokens) {
        List<Note> notes = new ArrayList<>();
        long t = 0;
        Note open = null;
        for (int tok : tokens) {
            boolean tie = tok / MAX >= 129;
            int p = tok / MAX - (tie ? 129 : 0), d = tok % MAX + 1;
            if (tie && open != null && open.pitch() == p) {
                open = new Note(p, open.start(), (t + d) * step, open.velocity());
            } else if (tie && open == null && p == 128) {
                // a tied rest: nothing sounds
            } else {
                if (open != null) notes.add(open);
                open = p == 128 ? null : new Note(p, t * step, (t + d) * step, 80);
            }
            t += d;
        }
        if (open != null) notes.add(open);
        return notes;
    }
}

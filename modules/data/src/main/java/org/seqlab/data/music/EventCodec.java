package org.seqlab.data.music;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Performance events (Oore et al. 2018, Performance RNN): note-on ×128, note-off ×128,
 * time-shift ×100 (10 ms to 1 s), velocity ×32 bins: 388 tokens. Times are quantised to 10 ms;
 * at one instant note-offs come before note-ons, each in pitch order, and a velocity token comes
 * only when the velocity bin changes, which makes the encoding canonical.
 */
public final class EventCodec implements MusicCodec {
    static final int ON = 0, OFF = 128, SHIFT = 256, VELOCITY = 356, SIZE = 388;
    private static final double STEP = 0.01;

    @Override
    public List<String> vocabulary() {
        List<String> v = new ArrayList<>(SIZE);
        for (int p = 0; p < 128; p++) v.add("on" + p);
        for (int p = 0; p < 128; p++) v.add("off" + p);
        for (int s = 1; s <= 100; s++) v.add("shift" + s * 10 + "ms");
        for (int b = 0; b < 32; b++) v.add("vel" + b);
        return v;
    }

    private record Event(long step, boolean on, int pitch, int velocity) {}

    @Override
    public int[] encode(List<Note> notes) {
        // one pitch sounds once at a time: a note that restarts a sounding pitch ends the earlier one
        List<Note> sorted = new ArrayList<>(notes);
        sorted.sort(Comparator.comparingDouble(Note::start).thenComparingInt(Note::pitch));
        long[][] span = new long[sorted.size()][];
        int[] last = new int[128];
        java.util.Arrays.fill(last, -1);
        for (int i = 0; i < sorted.size(); i++) {
            Note n = sorted.get(i);
            long a = Math.round(n.start() / STEP), b = Math.max(a + 1, Math.round(n.end() / STEP));
            int prev = last[n.pitch()];
            if (prev >= 0 && span[prev] != null && span[prev][1] > a) {
                if (span[prev][0] == a) { span[prev][1] = Math.max(span[prev][1], b); continue; }   // same onset: one note
                span[prev][1] = a;
            }
            span[i] = new long[]{a, b};
            last[n.pitch()] = i;
        }
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            if (span[i] == null) continue;
            Note n = sorted.get(i);
            events.add(new Event(span[i][0], true, n.pitch(), n.velocity()));
            events.add(new Event(span[i][1], false, n.pitch(), 0));
        }
        events.sort(Comparator.comparingLong(Event::step).thenComparing(e -> e.on()).thenComparingInt(Event::pitch));
        List<Integer> out = new ArrayList<>();
        long now = 0;
        int bin = -1;
        for (Event e : events) {
            for (long gap = e.step() - now; gap > 0; gap -= 100) out.add(SHIFT + (int) Math.min(gap, 100) - 1);
            now = e.step();
            if (e.on()) {
                int vb = (e.velocity() - 1) * 32 / 127;
                if (vb != bin) { out.add(VELOCITY + vb); bin = vb; }
                out.add(ON + e.pitch());
            } else out.add(OFF + e.pitch());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public List<Note> decode(int[] tokens) {
        List<Note> notes = new ArrayList<>();
        long now = 0;
        int velocity = 64;
        long[] started = new long[128];
        int[] vel = new int[128];
        java.util.Arrays.fill(started, -1);
        for (int t : tokens) {
            if (t >= VELOCITY) velocity = (t - VELOCITY) * 127 / 32 + 1 + (127 / 32) / 2;
            else if (t >= SHIFT) now += t - SHIFT + 1;
            else if (t >= OFF) {
                int p = t - OFF;
                if (started[p] >= 0 && now > started[p]) notes.add(new Note(p, started[p] * STEP, now * STEP, vel[p]));
                started[p] = -1;
            } else {
                if (started[t] >= 0 && now > started[t]) notes.add(new Note(t, started[t] * STEP, now * STEP, vel[t]));
                started[t] = now;
                vel[t] = Math.min(127, velocity);
            }
        }
        for (int p = 0; p < 128; p++)                                 // notes left sounding end one step later
            if (started[p] >= 0) notes.add(new Note(p, started[p] * STEP, (Math.max(now, started[p]) + 1) * STEP, vel[p]));
        notes.sort(Comparator.comparingDouble(Note::start).thenComparingInt(Note::pitch));
        return notes;
    }
}

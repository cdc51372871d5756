package org.seqlab.data.music;

import org.seqlab.core.UserException;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads standard MIDI files (type 0 and 1, any resolution, tempo changes, running status, every
 * track and channel) into notes timed in seconds, with {@code javax.sound.midi}. Drums (channel 10)
 * are left out unless asked for.
 */
public final class MidiReader {
    /** The songs of a directory and the files that could not be read (skipped, not fatal). */
    public record Collection(List<Song> songs, List<String> skipped) {}

    /** The notes of one file. */
    public record Song(String source, List<Note> notes) {}

    private MidiReader() {}

    public static Song read(Path file, boolean drums) {
        Sequence seq;
        try {
            seq = MidiSystem.getSequence(file.toFile());
        } catch (InvalidMidiDataException e) {
            throw new UserException(file + ": not a valid MIDI file (" + e.getMessage() + ")");
        } catch (java.io.EOFException e) {
            throw new UserException(file + ": not a valid MIDI file (truncated)");
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            throw new UserException(file + ": file not found");
        } catch (IOException | RuntimeException e) {
            throw new UserException(file + ": not a valid MIDI file (" + e + ")");
        }
        if (seq.getDivisionType() != Sequence.PPQ)
            throw new UserException(file + ": SMPTE-timed MIDI is not supported (only ticks per quarter note)");
        TreeMap<Long, Integer> tempo = new TreeMap<>(Map.of(0L, 500_000));      // microseconds per quarter, default 120 bpm
        for (Track t : seq.getTracks())
            for (int i = 0; i < t.size(); i++) {
                MidiEvent ev = t.get(i);
                if (ev.getMessage() instanceof MetaMessage m && m.getType() == 0x51 && m.getData().length == 3) {
                    byte[] d = m.getData();
                    tempo.put(ev.getTick(), ((d[0] & 0xFF) << 16) | ((d[1] & 0xFF) << 8) | (d[2] & 0xFF));
                }
            }
        Clock clock = new Clock(tempo, seq.getResolution());
        List<Note> notes = new ArrayList<>();
        for (Track t : seq.getTracks()) {
            Map<Integer, long[]> open = new HashMap<>();          // channel*128+pitch -> {start tick, velocity}
            for (int i = 0; i < t.size(); i++) {
                MidiEvent ev = t.get(i);
                MidiMessage msg = ev.getMessage();
                if (!(msg instanceof ShortMessage m)) continue;
                if (m.getChannel() == 9 && !drums) continue;
                int key = m.getChannel() * 128 + m.getData1();
                boolean on = m.getCommand() == ShortMessage.NOTE_ON && m.getData2() > 0;
                boolean off = m.getCommand() == ShortMessage.NOTE_OFF || (m.getCommand() == ShortMessage.NOTE_ON && m.getData2() == 0);
                if (on || off) {
                    long[] started = open.remove(key);
                    if (started != null && ev.getTick() > started[0])
                        notes.add(new Note(m.getData1(), clock.seconds(started[0]), clock.seconds(ev.getTick()), (int) started[1]));
                    if (on) open.put(key, new long[]{ev.getTick(), m.getData2()});
                }
            }
        }
        notes.sort(Comparator.comparingDouble(Note::start).thenComparingInt(Note::pitch));
        return new Song(file.toString(), notes);
    }

    /** Every .mid/.midi file under {@code dir} (sorted); unreadable ones are skipped and listed. */
    public static Collection readDirectory(Path dir, boolean drums) {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> p.toString().toLowerCase().matches(".*\\.midi?$")).sorted().toList();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot list MIDI files: " + e.getMessage());
        }
        List<Song> songs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path f : files) {
            try {
                Song s = read(f, drums);
                if (s.notes().isEmpty()) skipped.add(f + ": no notes");
                else songs.add(s);
            } catch (UserException e) {
                skipped.add(e.getMessage());
            }
        }
        return new Collection(songs, skipped);
    }

    /** Ticks to seconds through a tempo map. */
    private record Clock(TreeMap<Long, Integer> tempo, int ppq) {
        double seconds(long tick) {
            double s = 0;
            long prev = 0;
            int us = tempo.firstEntry().getValue();
            for (Map.Entry<Long, Integer> e : tempo.headMap(tick, true).entrySet()) {
                s += (e.getKey() - prev) * (double) us / ppq / 1e6;
                prev = e.getKey();
                us = e.getValue();
            }
            return s + (tick - prev) * (double) us / ppq / 1e6;
        }
    }
}

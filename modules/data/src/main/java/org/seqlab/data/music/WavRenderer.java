package org.seqlab.data.music;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.MidiUnavailableException;
import javax.sound.midi.Receiver;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Synthesizer;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A MIDI file rendered to WAV by the JDK's own software synthesizer (Gervill, with its built-in
 * sound bank): headless, no sound card, nothing downloaded. The synthesizer is driven as a stream
 * (its {@code AudioSynthesizer.openStream}), every event sent with its time stamp, so rendering
 * takes as long as the synthesis, not as long as the music.
 * <p>
 * That interface lives in {@code com.sun.media.sound}, which java.desktop does not export: the
 * JVM needs {@code --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED} (the launcher and
 * the tests give it).
 */
public final class WavRenderer {
    /** Mono, 16-bit, 22.05 kHz: about 44 KB a second, enough for a piano sketch in a report. */
    public static final AudioFormat FORMAT = new AudioFormat(22050f, 16, 1, true, false);
    /** Time left after the last event for the notes to ring out. */
    private static final double TAIL_SECONDS = 1.0;

    public static final String EXPORT = "--add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED";

    /**
     * The synthesizer reads its settings from java.util.prefs, whose first use on a machine logs
     * "Created user preferences directory" at INFO: held here at WARNING (a strong reference, or
     * the setting is collected with the logger).
     */
    private static final java.util.logging.Logger PREFS_LOG = java.util.logging.Logger.getLogger("java.util.prefs");

    static {
        PREFS_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private WavRenderer() {}

    /** Whether this JVM can render (the synthesizer's stream interface is reachable). */
    public static boolean available() {
        try {
            openStream();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** {@code midi} (a standard MIDI file's bytes) as a WAV file's bytes. */
    public static byte[] render(byte[] midi) throws IOException {
        return render(midi, Double.POSITIVE_INFINITY).wav();
    }

    /**
     * A rendering: the WAV file's bytes, the seconds of audio in it, the seconds the whole MIDI file
     * lasts (with the tail; more than {@code seconds} when it was cut at the cap) and its notes.
     */
    public record Rendered(byte[] wav, double seconds, double fullSeconds, int notes) {
        public boolean cut() {
            return fullSeconds > seconds + 1e-9;
        }
    }

    /**
     * {@code midi} rendered to WAV, at most {@code maxSeconds} of it: a few bytes of MIDI can ask
     * for hours of audio (one long delta time), which would be gigabytes of WAV.
     */
    public static Rendered render(byte[] midi, double maxSeconds) throws IOException {
        Sequence seq;
        try {
            seq = MidiSystem.getSequence(new ByteArrayInputStream(midi));
        } catch (InvalidMidiDataException e) {
            throw new IOException("not a MIDI file: " + e.getMessage(), e);
        } catch (java.io.EOFException e) {
            throw new IOException("not a MIDI file: it ends early (empty, cut short, or a header without its track)", e);
        }
        Method openStream = openStream();
        Synthesizer synth;
        try {
            synth = MidiSystem.getSynthesizer();
        } catch (MidiUnavailableException e) {
            throw new IllegalStateException("the JDK's software synthesizer is not available: " + e.getMessage(), e);
        }
        try {
            AudioInputStream stream = (AudioInputStream) openStream.invoke(synth, FORMAT, (Map<String, Object>) null);
            int[] notes = new int[1];
            double full = send(seq, synth.getReceiver(), maxSeconds * 1e6, notes) + TAIL_SECONDS;
            double seconds = Math.min(full, maxSeconds);
            long frames = (long) Math.ceil(seconds * FORMAT.getFrameRate());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            AudioSystem.write(new AudioInputStream(stream, FORMAT, frames), AudioFileFormat.Type.WAVE, out);
            return new Rendered(out.toByteArray(), frames / (double) FORMAT.getFrameRate(), full, notes[0]);
        } catch (IllegalAccessException | InvocationTargetException | MidiUnavailableException e) {
            Throwable cause = e instanceof InvocationTargetException t ? t.getCause() : e;
            throw new IllegalStateException("the JDK's software synthesizer could not render: " + cause, cause);
        } finally {
            synth.close();
        }
    }

    /** {@code AudioSynthesizer.openStream(AudioFormat, Map)}, or why it cannot be reached. */
    private static Method openStream() {
        try {
            Class<?> audioSynth = Class.forName("com.sun.media.sound.AudioSynthesizer");
            if (!Synthesizer.class.getModule().isExported("com.sun.media.sound", WavRenderer.class.getModule()))
                throw new IllegalStateException("rendering WAV needs the JVM option " + EXPORT + " (./seqlab gives it)");
            return audioSynth.getMethod("openStream", AudioFormat.class, Map.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalStateException("this JDK has no software synthesizer to render with (" + e + ")", e);
        }
    }

    /**
     * Sends every channel message of {@code seq} before {@code maxMicros} to {@code receiver}
     * stamped with its time in microseconds (tempo changes followed), counts the notes it starts
     * into {@code notes[0]}, and returns the time of the last event in seconds.
     */
    private static double send(Sequence seq, Receiver receiver, double maxMicros, int[] notes) {
        List<MidiEvent> events = new ArrayList<>();
        for (Track t : seq.getTracks()) for (int i = 0; i < t.size(); i++) events.add(t.get(i));
        events.sort(Comparator.comparingLong(MidiEvent::getTick));   // stable: a tick's events keep their order
        boolean ppq = seq.getDivisionType() == Sequence.PPQ;
        double microsPerTick = ppq ? 500_000.0 / seq.getResolution()                    // 120 bpm until told otherwise
                : 1e6 / (seq.getDivisionType() * seq.getResolution());
        long lastTick = 0;
        double micros = 0;
        for (MidiEvent e : events) {
            micros += (e.getTick() - lastTick) * microsPerTick;
            lastTick = e.getTick();
            MidiMessage m = e.getMessage();
            if (m instanceof MetaMessage meta && meta.getType() == 0x51 && ppq && meta.getData().length == 3) {
                byte[] d = meta.getData();
                int tempo = ((d[0] & 0xff) << 16) | ((d[1] & 0xff) << 8) | (d[2] & 0xff);
                microsPerTick = (double) tempo / seq.getResolution();
            } else if (m instanceof ShortMessage sm) {
                if (sm.getCommand() == ShortMessage.NOTE_ON && sm.getData2() > 0) notes[0]++;
                if (micros < maxMicros) receiver.send(m, (long) micros);
            }
        }
        return micros / 1e6;
    }
}

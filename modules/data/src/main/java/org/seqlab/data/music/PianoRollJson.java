package org.seqlab.data.music;

import com.fasterxml.jackson.databind.JsonNode;
import org.seqlab.core.Json;
import org.seqlab.core.Sha256;
import org.seqlab.core.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads seqlab's JSON form of the polyphonic benchmarks:
 * {@code {"train"|"valid"|"test": [ tune, ... ]}}, a tune being a list of frames and a frame the
 * list of MIDI pitches sounding in it (e.g. ../shared/datasets/nottingham.json), and the same
 * structure in the benchmarks' original Python pickles ({@code JSB Chorales.pickle} etc., read with
 * the Pyrolite unpickler). Errors name the file and the path of the first bad value.
 */
public final class PianoRollJson {
    private PianoRollJson() {}

    public static PianoRollSet read(Path file) {
        byte[] bytes;
        JsonNode root;
        boolean pickle = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).matches(".*\\.(pickle|pkl)$");
        try {
            bytes = Files.readAllBytes(file);
            root = pickle ? Json.MAPPER.valueToTree(new net.razorvine.pickle.Unpickler().loads(bytes)) : Json.MAPPER.readTree(bytes);
        } catch (IOException | net.razorvine.pickle.PickleException | IllegalArgumentException e) {
            throw new UserException(file + ": not a readable piano-roll " + (pickle ? "pickle" : "JSON") + " file: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject())
            throw new UserException(file + ": expected {\"train\": [...], \"valid\": [...], \"test\": [...]}");
        String name = file.getFileName().toString().replaceFirst("\\.(json|pickle|pkl)$", "");
        return new PianoRollSet(name, file.toString(), Sha256.of(bytes), split(file, root, "train"), split(file, root, "valid"),
                split(file, root, "test"));
    }

    private static List<float[][]> split(Path file, JsonNode root, String key) {
        JsonNode tunes = root.get(key);
        if (tunes == null || !tunes.isArray() || tunes.isEmpty())
            throw new UserException(file + ": \"" + key + "\" must be a non-empty list of tunes");
        List<float[][]> out = new ArrayList<>();
        for (int t = 0; t < tunes.size(); t++) {
            JsonNode tune = tunes.get(t);
            String at = key + "[" + t + "]";
            if (!tune.isArray() || tune.size() < 2)
                throw new UserException(file + ": " + at + " must be a list of at least 2 frames");
            float[][] frames = new float[tune.size()][PianoRoll.KEYS];
            for (int f = 0; f < tune.size(); f++) {
                JsonNode frame = tune.get(f);
                if (!frame.isArray()) throw new UserException(file + ": " + at + "[" + f + "] must be a list of MIDI pitches");
                for (JsonNode p : frame) {
                    if (!p.isNumber() || p.asDouble() != Math.rint(p.asDouble()))
                        throw new UserException(file + ": " + at + "[" + f + "]: expected MIDI pitch numbers, got " + p);
                    int pitch = p.asInt();
                    if (pitch < PianoRoll.LOWEST || pitch > PianoRoll.HIGHEST)
                        throw new UserException(file + ": " + at + "[" + f + "]: pitch " + pitch + " is outside the piano (21..108)");
                    frames[f][PianoRoll.key(pitch)] = 1f;
                }
            }
            out.add(frames);
        }
        return out;
    }
}

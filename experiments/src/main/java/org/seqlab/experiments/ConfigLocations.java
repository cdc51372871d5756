package org.seqlab.experiments;

import org.seqlab.core.FieldException;
import org.seqlab.core.UserException;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each key of a loaded config came from ("file:line:col" or "--set ..."), so that any later
 * error about a field, from binding or from checks against the data, names the place to fix.
 */
public final class ConfigLocations {
    private final String file;
    private final Map<String, String> places = new HashMap<>();

    public ConfigLocations(String file) {
        this.file = file;
    }

    public void put(String path, String place) {
        places.put(path, place);
    }

    /** The place of {@code path}, or of its nearest parent that has one. */
    public String placeOf(String path) {
        String p = path;
        while (true) {
            String place = places.get(p);
            if (place != null) return place;
            if (p.isEmpty()) return file;
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
    }

    /** "place: path: reason" as one user error. */
    public UserException error(String path, String reason) {
        return new UserException(placeOf(path) + ": " + (path.isEmpty() ? "" : path + ": ") + reason);
    }

    /** A field check that failed inside section {@code section} (e.g. "data"). */
    public UserException error(String section, FieldException e) {
        String path = section.isEmpty() ? e.field() : section + "." + e.field();
        return error(path, e.reason());
    }

    public String file() {
        return file;
    }

    /** Takes every place of {@code other}, replacing its own for the same keys. */
    void putAll(ConfigLocations other) {
        places.putAll(other.places);
    }

    /** A copy whose later entries do not affect this one. */
    public ConfigLocations copy() {
        ConfigLocations c = new ConfigLocations(file);
        c.places.putAll(places);
        return c;
    }
}

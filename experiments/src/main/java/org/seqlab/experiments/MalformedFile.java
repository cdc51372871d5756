package org.seqlab.experiments;

import org.seqlab.core.Json;

/**
 * A JSON file that could not be read ({@link Json.Unreadable}) anywhere in an exception's cause
 * chain: whatever command read it, the user gets the one line naming the file and the place,
 * exit 2, instead of an internal error. Readers that know what the file is say more themselves.
 */
public final class MalformedFile {
    private MalformedFile() {}

    /** The unreadable file's line, or null when no JSON file's reading failed. */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause())
            if (t instanceof Json.Unreadable u) return u.getMessage();
        return null;
    }
}

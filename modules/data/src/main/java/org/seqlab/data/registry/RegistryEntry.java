package org.seqlab.data.registry;

import java.util.List;
import java.util.Locale;

/**
 * One public corpus of the registry ({@code datasets/registry.yaml}).
 *
 * @param name        what an experiment writes as {@code data.source}
 * @param description one line for {@code seqlab datasets list}
 * @param format      how seqlab reads the file
 * @param columns     csv only: the header's column names, in order
 * @param file        the file's name in the cache
 * @param sha256      the file's SHA-256 (lower-case hex), or null when no trustworthy value is known
 * @param size        the file's size in bytes, or null when unknown
 * @param licence     the licence note shown by {@code seqlab datasets list}
 * @param urls        mirrors, tried in order
 */
public record RegistryEntry(String name, String description, Format format, List<String> columns, String file,
                            String sha256, Long size, String licence, List<String> urls) {
    /** How seqlab reads a corpus: text (one continuous stream), lines (one example per line), piano rolls, or a CSV time series. */
    public enum Format { TEXT, LINES, PIANOROLL, CSV }

    public RegistryEntry {
        columns = columns == null ? List.of() : List.copyOf(columns);
        urls = List.copyOf(urls);
    }

    /** Whether the registry knows the file's SHA-256, so a download can be checked. */
    public boolean verified() {
        return sha256 != null;
    }

    /** "text", "lines", "pianoroll" or "csv (Month, Passengers)". */
    public String formatLabel() {
        String f = format.name().toLowerCase(Locale.ROOT);
        return columns.isEmpty() ? f : f + " (" + String.join(", ", columns) + ")";
    }
}

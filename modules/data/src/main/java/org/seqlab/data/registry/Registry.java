package org.seqlab.data.registry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.seqlab.core.Json;
import org.seqlab.core.UserException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The catalogue of public corpora seqlab knows by name, read strictly from
 * {@code datasets/registry.yaml}: an unknown key, a malformed hash or a missing URL is an error
 * naming file, line and column.
 */
public final class Registry {
    /** Where the live catalogue sits in a checkout; a copy ships inside the jar. */
    public static final String FILE = "datasets/registry.yaml";
    private static final String RESOURCE = "/org/seqlab/data/registry/registry.yaml";
    private static final ObjectMapper YAML = Json.configure(YAMLMapper.builder());

    private final Map<String, RegistryEntry> entries;

    private Registry(Map<String, RegistryEntry> entries) {
        this.entries = entries;
    }

    /** The registry file as written: {@code datasets: {name: {...}}}. */
    private record FileShape(Map<String, Spec> datasets) {}

    /**
     * One entry as written; {@code sha256: unknown} says explicitly that no hash is known. Plain
     * fields rather than a record: Jackson then reports an unknown key where it is written, not
     * at the end of the entry.
     */
    @com.fasterxml.jackson.annotation.JsonAutoDetect(fieldVisibility = com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY)
    private static final class Spec {
        String description, file, sha256, licence;
        RegistryEntry.Format format;
        List<String> columns, urls;
        Long size;

        /** The first problem of this entry, or null. */
        String problem() {
            if (format == null) return "format: missing (text, lines, pianoroll or csv)";
            if (file == null || !file.matches("[A-Za-z0-9][A-Za-z0-9._-]*"))
                return "file: expected a plain file name (letters, digits, '.', '_', '-'), got " + file;
            if (sha256 == null) return "sha256: missing (the file's SHA-256, or 'unknown' when no trustworthy value is known)";
            if (!sha256.equals("unknown") && !sha256.matches("[0-9a-f]{64}"))
                return "sha256: expected 64 lower-case hex digits or 'unknown', got " + sha256;
            if (size != null && size <= 0) return "size: must be > 0, got " + size;
            if (licence == null || licence.isBlank()) return "licence: missing";
            if (urls == null || urls.isEmpty()) return "urls: list at least one URL";
            for (String u : urls) if (!u.matches("https?://\\S+")) return "urls: not an http(s) URL: " + u;
            boolean csv = format == RegistryEntry.Format.CSV;
            if (csv && (columns == null || columns.isEmpty())) return "columns: a csv entry names its columns, e.g. [Month, Passengers]";
            if (!csv && columns != null) return "columns: only csv entries have columns";
            return null;
        }
    }

    /** Parses a registry; {@code origin} names it in errors. */
    public static Registry parse(String yaml, String origin) {
        FileShape shape;
        try {
            shape = YAML.readValue(yaml, FileShape.class);
        } catch (JsonMappingException e) {
            throw new UserException(place(origin, e.getLocation()) + path(e) + ": " + reason(e));
        } catch (JsonProcessingException e) {
            throw new UserException(place(origin, e.getLocation()) + ": YAML syntax error: " + e.getOriginalMessage());
        }
        if (shape == null || shape.datasets() == null || shape.datasets().isEmpty())
            throw new UserException(origin + ": expected 'datasets:' with at least one entry");
        Map<String, String> at = entryPlaces(yaml, origin);
        Map<String, RegistryEntry> entries = new LinkedHashMap<>();
        Set<String> files = new HashSet<>();
        for (Map.Entry<String, Spec> e : shape.datasets().entrySet()) {
            String name = e.getKey();
            Spec s = e.getValue();
            String where = at.getOrDefault(name, origin) + ": datasets." + name;
            if (!name.matches("[a-z0-9][a-z0-9-]*")) throw new UserException(where + ": names are lower-case letters, digits and '-'");
            if (s == null) throw new UserException(where + ": empty entry");
            if (s.problem() != null) throw new UserException(where + "." + s.problem());
            if (!files.add(s.file)) throw new UserException(where + ".file: " + s.file + " is used twice");
            entries.put(name, new RegistryEntry(name, s.description, s.format, s.columns, s.file,
                    s.sha256.equals("unknown") ? null : s.sha256, s.size, s.licence, s.urls));
        }
        return new Registry(entries);
    }

    /** "origin:line:col" of each entry's name, so checks after binding can point at the entry. */
    private static Map<String, String> entryPlaces(String yaml, String origin) {
        Map<String, String> out = new java.util.HashMap<>();
        try (com.fasterxml.jackson.core.JsonParser p = YAML.getFactory().createParser(yaml)) {
            int depth = 0;
            for (com.fasterxml.jackson.core.JsonToken t; (t = p.nextToken()) != null; ) {
                if (t.isStructStart()) depth++;
                else if (t.isStructEnd()) depth--;
                else if (t == com.fasterxml.jackson.core.JsonToken.FIELD_NAME && depth == 2)
                    out.put(p.currentName(), place(origin, p.currentTokenLocation()));
            }
        } catch (IOException e) {
            // already parsed once: cannot happen; entries then fall back to the file name
        }
        return out;
    }

    /** The entries listed in {@code file}. */
    public static Registry read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UserException(file + ": cannot read the dataset registry: " + e.getMessage());
        }
    }

    /**
     * The registry of this installation: {@code $SEQLAB_HOME/datasets/registry.yaml} when the
     * launcher names a checkout that has one (edits take effect without a rebuild), else the copy
     * built into the jar.
     */
    public static Registry load() {
        String home = System.getenv("SEQLAB_HOME");
        if (home != null && Files.isRegularFile(Path.of(home, FILE))) return read(Path.of(home, FILE));
        try (InputStream in = Registry.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the jar lacks " + RESOURCE);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), FILE + " (built in)");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in dataset registry", e);
        }
    }

    public List<RegistryEntry> entries() {
        return List.copyOf(entries.values());
    }

    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    public Optional<RegistryEntry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** The entry called {@code name}; a user error listing the known names otherwise. */
    public RegistryEntry get(String name) {
        return find(name).orElseThrow(() -> new UserException("no dataset '" + name + "' in the registry (known: "
                + String.join(", ", names()) + ")"));
    }

    private static String place(String origin, JsonLocation l) {
        return l == null || l.getLineNr() < 1 ? origin : origin + ":" + l.getLineNr() + ":" + l.getColumnNr();
    }

    private static String path(JsonMappingException e) {
        StringBuilder p = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) p.append(p.length() == 0 ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) p.append('[').append(r.getIndex()).append(']');
        }
        return p.length() == 0 ? "" : ": " + p;
    }

    private static String reason(JsonMappingException e) {
        Throwable c = e.getCause();
        if (c instanceof IllegalArgumentException iae && !(c instanceof JsonMappingException)) return iae.getMessage();
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u)
            return "unknown key '" + u.getPropertyName() + "' (expected one of: " + u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().reduce((a, b) -> a + ", " + b).orElse("") + ")";
        return e.getOriginalMessage();
    }
}

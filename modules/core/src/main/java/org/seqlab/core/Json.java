package org.seqlab.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;

/**
 * seqlab's JSON conventions in one place: snake_case keys, lower-case enum values, strict about
 * unknown keys, pretty output. The YAML loader uses the same settings.
 */
public final class Json {
    private Json() {}

    public static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> M configure(B b) {
        return b.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }

    public static final ObjectMapper MAPPER = configure(JsonMapper.builder());

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Writes {@code value} as JSON to {@code file} atomically. */
    public static void writeFile(Path file, Object value) throws IOException {
        AtomicFiles.writeString(file, write(value));
    }

    /** Reads {@code file} strictly; a file that is not such JSON is an {@link Unreadable} naming it. */
    public static <T> T read(Path file, Class<T> type) throws IOException {
        try {
            return MAPPER.readValue(file.toFile(), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Unreadable(file, e);
        }
    }

    /**
     * A JSON file that could not be read (damaged, cut short, not JSON, the wrong shape), with its
     * name and place in one line: Jackson's own message names no file and spans several lines.
     */
    public static final class Unreadable extends IOException {
        public Unreadable(Path file, com.fasterxml.jackson.core.JsonProcessingException e) {
            super(file + place(e) + ": not readable (damaged, cut short, or not the file seqlab expects there): " + reason(e), e);
        }
    }

    private static String place(com.fasterxml.jackson.core.JsonProcessingException e) {
        var at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
    }

    private static String reason(com.fasterxml.jackson.core.JsonProcessingException e) {
        return e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage().lines().findFirst().orElse("");
    }

    /** Reads seqlab's own output files: a newer seqlab only ever adds fields, so unknown ones are skipped. */
    private static final ObjectMapper OUTPUT = MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * One of seqlab's output files ({@code what}: e.g. "results") as {@code type}, fields it does not
     * know skipped; a file that cannot be read, is not JSON or has the wrong shape is one line naming
     * it ({@link UserException}).
     */
    public static <T> T readOutput(Path file, Class<T> type, String what) {
        try {
            return OUTPUT.readValue(file.toFile(), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UserException(file + place(e) + ": not a readable " + what + " file (damaged, cut short or not written by seqlab): " + reason(e));
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new UserException(file + ": no such file");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage());
        }
    }
}

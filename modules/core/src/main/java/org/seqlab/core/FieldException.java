package org.seqlab.core;

/** An invalid value in a config record; {@link #field()} is the key as written in YAML. */
public class FieldException extends IllegalArgumentException {
    private final String field;

    public FieldException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The message without the field prefix. */
    public String reason() {
        return getMessage().substring(field.length() + 2);
    }
}

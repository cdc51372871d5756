package org.seqlab.core;

/**
 * A problem with the user's input (config, data, paths): reported as one line naming the place,
 * exit code 2, never a stack trace.
 */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.askflow.service;

/** A service could not start; the message is the one line to show (see {@link Startup}). */
public final class StartupException extends RuntimeException {
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}

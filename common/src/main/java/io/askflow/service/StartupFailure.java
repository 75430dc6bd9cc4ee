package io.askflow.service;

/**
 * Something outside askflow keeps a service from starting (a port in use, a server that does not
 * answer, a rejected key). The message is one line for the operator: what is wrong and what to do.
 * It never contains a secret.
 */
public final class StartupFailure extends RuntimeException {
    public StartupFailure(String message) {
        super(message);
    }

    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

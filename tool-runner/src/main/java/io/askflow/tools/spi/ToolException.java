package io.askflow.tools.spi;

/**
 * A failure the model should read and may be able to work around (a bad argument, a refused or
 * unreachable page). The message is written for the model and must not contain secrets.
 */
public final class ToolException extends Exception {
    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.askflow.tools;

/**
 * A failure the model should read and may be able to work around (a bad argument, a refused or
 * unreachable page). The message is written for the model and must not contain secrets.
 */
final class ToolException extends Exception {
    ToolException(String message) {
        super(message);
    }

    ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}

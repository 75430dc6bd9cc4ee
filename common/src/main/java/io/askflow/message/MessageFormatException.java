package io.askflow.message;

/** A record's bytes are not a valid askflow message; such records go to the dead-letter topic. */
public final class MessageFormatException extends RuntimeException {
    public MessageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.askflow.client;

/**
 * The client was closed (or its answers reader stopped on a fatal error, named as the cause)
 * before the answer arrived, or a method was called on a closed client.
 */
public final class ClientClosedException extends AskflowClientException {
    ClientClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.askflow.client;

/**
 * Everything the client throws or fails a future with. The subclasses say what went wrong; none
 * of them is an error answer, which is delivered as an {@link io.askflow.message.Answer} with
 * status {@code error}.
 */
public class AskflowClientException extends RuntimeException {
    public AskflowClientException(String message) {
        super(message);
    }

    public AskflowClientException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.askflow.client;

/**
 * The broker did not acknowledge a request. It may still have been written (a timeout is not a
 * refusal); submitting the same request id again is safe, because askflow ignores a repeated id.
 */
public final class SubmitException extends AskflowClientException {
    private final String requestId;

    SubmitException(String requestId, String message, Throwable cause) {
        super(message, cause);
        this.requestId = requestId;
    }

    public String requestId() {
        return requestId;
    }
}

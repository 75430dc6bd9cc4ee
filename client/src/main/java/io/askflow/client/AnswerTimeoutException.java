package io.askflow.client;

import java.time.Duration;

/** No answer to a request arrived within the time the caller (or {@link ClientOptions#answerTimeout()}) allowed. */
public final class AnswerTimeoutException extends AskflowClientException {
    private final String requestId;
    private final Duration timeout;

    AnswerTimeoutException(String requestId, Duration timeout) {
        super("No answer to request " + requestId + " within " + timeout);
        this.requestId = requestId;
        this.timeout = timeout;
    }

    public String requestId() {
        return requestId;
    }

    public Duration timeout() {
        return timeout;
    }
}

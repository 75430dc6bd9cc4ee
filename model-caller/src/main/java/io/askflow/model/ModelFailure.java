package io.askflow.model;

import io.askflow.message.ErrorCode;
import java.time.Duration;
import java.util.Optional;

/**
 * A classified model-call failure: the error code the answer will carry, whether trying again can
 * help, and how long the API asked us to wait. The message never contains the API key or the
 * model API's free-text error, which can echo parts of the key.
 */
public final class ModelFailure extends RuntimeException {
    private final ErrorCode code;
    private final boolean retriable;
    private final Duration retryAfter;

    public ModelFailure(ErrorCode code, boolean retriable, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retriable = retriable;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retriable() {
        return retriable;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}

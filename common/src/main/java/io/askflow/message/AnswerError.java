package io.askflow.message;

import java.util.Objects;

/** Why a request failed: a code from the closed list and a message safe to show the caller. */
public record AnswerError(ErrorCode code, String message) {
    public AnswerError {
        Objects.requireNonNull(code, "code");
    }
}

package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The closed list of error codes an answer can carry. Clients switch on these, so a code is never
 * renamed or reused; each is documented in the README.
 */
public enum ErrorCode {
    /** The request is malformed: not JSON, a required field missing, a field of the wrong form. */
    INVALID_REQUEST,
    /** The caller could not be authenticated or may not use what it asked for. */
    UNAUTHORIZED,
    /** The request or its prompt is larger than the configured limit. */
    TOO_LARGE,
    /** The model API rate-limited askflow and the retries ran out. */
    RATE_LIMITED,
    /** The model API account has no quota left; not retried. */
    QUOTA_EXHAUSTED,
    /** The model API failed or rejected the call. */
    MODEL_ERROR,
    /** The turn used every tool round it may use. */
    TOOL_BUDGET_EXHAUSTED,
    /** The turn did not finish before its deadline. */
    DEADLINE_EXCEEDED,
    /** A fault inside askflow; the message says which stage. */
    INTERNAL,
    /** The conversation was deleted while the request waited in it; nothing of the request was kept. */
    CONVERSATION_DELETED,

    /**
     * The request id was already accepted for this tenant with different content; the earlier
     * request goes on and gets its own answer. (An identical resubmission is no error: nothing happens.)
     */
    DUPLICATE_REQUEST,

    /**
     * The tenant has spent its monthly token budget (tenants file, {@code monthlyTokenBudget}) this
     * calendar month (UTC); the turn ended before any model call.
     */
    BUDGET_EXCEEDED;

    /**
     * Whether the code refuses a submission: the submission never became a turn, and its answer
     * says nothing about an accepted request with the same id. Only the gateway uses these codes.
     */
    public boolean refusesSubmission() {
        return this == INVALID_REQUEST || this == UNAUTHORIZED || this == TOO_LARGE || this == DUPLICATE_REQUEST;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ErrorCode fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
